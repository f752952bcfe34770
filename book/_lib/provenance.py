"""Where and how a page's outputs were computed: the note every chapter of the book shows.

The book's code, shared by every chapter (it was ``dlcourse.runtime.provenance``; students'
notebooks never use it). Each chapter calls it in one cell tagged ``remove-input`` right after
its set-up (authoring guide, "build provenance")::

    from provenance import provenance

    provenance()

The pages import it by its plain name: book/_ext/book_lib.py puts this folder (book/_lib) on the
``PYTHONPATH`` of the kernels the book build starts; to run a page elsewhere, put it there too.
"""
import os
import sys

from dlcourse.runtime import mode


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
