"""Run mode, seeding, devices and progress: read in this one place.

The run mode is the one switch between a quick run and the real one:

- ``"smoke"``: CPU-sized work (small data, few epochs). CI, the book build and grading use it.
- ``"full"``: the sizes the chapter's numbers are quoted for (Colab or a local GPU).

It comes from the environment variable ``DLCOURSE_MODE`` (``smoke`` or ``full``); when that is
unset, grading (``NBGRADER_EXECUTION`` / ``DLCOURSE_GRADING``) and CI (``CI``) mean smoke,
and otherwise the default is smoke too, so a laptop never starts a long run by surprise.
``set_mode`` overrides it for the current process.

``DLCOURSE_EPOCHS`` (a positive integer) caps every training loop's epochs in either mode:
``train_epochs(smoke=, full=)`` in the notebooks and chapters, and the library's loops (``Solver``,
``torchkit.train_part``, ``resnet.train``) through ``cap_epochs``. Course mirrors and the full-mode
test use it to run the full-size code path end to end on a CPU.
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


def epoch_cap():
    """The cap $DLCOURSE_EPOCHS sets on every training loop's epochs, or None when unset."""
    value = os.environ.get("DLCOURSE_EPOCHS", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"DLCOURSE_EPOCHS={value!r}: expected a positive whole number of epochs (or unset)")
    return int(value)


def cap_epochs(n):
    """n epochs, or fewer when $DLCOURSE_EPOCHS caps them."""
    cap = epoch_cap()
    return n if cap is None else min(n, cap)


def train_epochs(smoke, full):
    """A training loop's epochs by run mode, capped by $DLCOURSE_EPOCHS: ``train_epochs(smoke=2, full=20)``."""
    return cap_epochs(by_mode(smoke, full))


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
