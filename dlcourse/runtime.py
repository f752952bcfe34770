"""Run mode, seeding, devices and progress: read in this one place.

The run mode is the one switch between a quick run and the real one:

- ``"smoke"``: CPU-sized work (small data, few epochs). CI, the book build and grading use it.
- ``"full"``: the sizes the chapter's numbers are quoted for (Colab or a local GPU).

It comes from the environment variable ``DLCOURSE_MODE`` (``smoke`` or ``full``); when that is
unset, grading (``NBGRADER_EXECUTION`` / ``DLCOURSE_GRADING``) and CI (``CI``) mean smoke,
and otherwise the default is smoke too, so a laptop never starts a long run by surprise.
``set_mode`` overrides it for the current process.
"""
import os
import random
import sys
import time

import numpy as np

MODES = ("smoke", "full")
_override = None


def mode():
    """Return the current run mode, "smoke" or "full"."""
    if _override is not None:
        return _override
    value = os.environ.get("DLCOURSE_MODE", "").strip().lower()
    if os.environ.get("NBGRADER_EXECUTION") or os.environ.get("DLCOURSE_GRADING"):
        return "smoke"
    if value in MODES:
        return value
    if value:
        raise ValueError(f"DLCOURSE_MODE={value!r}: expected one of {', '.join(MODES)}")
    return "smoke"


def set_mode(value):
    """Set the run mode for this process ("smoke" or "full"); returns it."""
    global _override
    if value not in MODES:
        raise ValueError(f"run mode {value!r}: expected one of {', '.join(MODES)}")
    _override = value
    return value


def by_mode(smoke, full):
    """Pick a setting by run mode: ``by_mode(smoke=2, full=20)``."""
    return full if mode() == "full" else smoke


def seed_everything(seed):
    """Seed Python's, NumPy's and (if imported) torch's generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
    return seed


def device():
    """The torch device to train on: "cuda" when an NVIDIA GPU is visible, else "mps" (Apple
    silicon), else "cpu"."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


class Progress:
    """Plain-text progress for long loops, on stdout (never stderr: graders score stderr as a failure).

    Prints at most every ``every`` seconds, plus the last step:
        progress = Progress(total=1000, label="training")
        for i in range(1000): ...; progress.update(i + 1, loss=0.3)
    """

    def __init__(self, total, label="", every=2.0, stream=None):
        self.total, self.label, self.every = total, label, every
        self.stream = stream or sys.stdout
        self.start = self.last = time.monotonic()

    def update(self, step, **values):
        now = time.monotonic()
        if now - self.last < self.every and step < self.total:
            return
        self.last = now
        extra = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
        print(f"{self.label} {step}/{self.total} ({now - self.start:.1f}s) {extra}".strip(),
              file=self.stream, flush=True)


class Provenance:
    """Where and how a page's outputs were computed: machine, software versions, run mode, date.

    Shown as a small note in the book (``_repr_html_``) and as plain lines elsewhere (``str``).
    ``facts`` is an ordered dict of label -> text, for tests and for other formats.
    """

    def __init__(self, facts):
        self.facts = dict(facts)

    def __str__(self):
        return "\n".join(f"{k}: {v}" for k, v in self.facts.items())

    __repr__ = __str__

    def _repr_html_(self):
        import html

        facts = "; ".join(f"<strong>{html.escape(k)}</strong>: {html.escape(v)}" for k, v in self.facts.items())
        return ('<details class="dlcourse-provenance" style="font-size: 0.85em; margin: 0.5em 0">'
                '<summary>How the outputs on this page were computed</summary>'
                f'<p>{facts}</p></details>')


def provenance():
    """Describe the machine, software and run mode that compute a page, as a small note.

    The book calls this in a cell tagged ``remove-input`` (see the authoring guide), so readers
    see a note, not the code. Returns a ``Provenance`` (HTML in Jupyter/the book, text in a
    console). Reads torch only if it is already imported.
    """
    import datetime
    import platform

    import dlcourse

    cores = os.cpu_count() or 1
    machine = f"{platform.platform()}, {cores} CPU core{'s' if cores != 1 else ''}"
    software = f"Python {platform.python_version()}"
    torch = sys.modules.get("torch")
    if torch is not None:
        machine += f", torch using {torch.get_num_threads()} thread(s)"
        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
        machine += f"; GPU: {gpu}"
        software += f", torch {torch.__version__}"
    software += f", dlcourse {dlcourse.__version__}"
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    run = {"smoke": "smoke (CPU-sized data and epochs)", "full": "full (the chapter's full sizes)"}[mode()]
    return Provenance({"machine": machine, "software": software, "run mode": run, "computed on": today})
