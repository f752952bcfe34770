"""Sphinx extension of the course book: the book's shared modules importable by every page.

Code only the book uses lives with the book, never in the student library ``dlcourse``: a
chapter's own modules beside its page (``book/resnet/study.py``; Jupyter Book runs each page
with the page's folder as working directory, and a kernel finds modules there), the modules
several chapters share in ``book/_lib`` (``provenance.py``). This puts ``book/_lib`` first on the
``PYTHONPATH`` the build's kernels inherit, so a page writes ``from provenance import
provenance`` and no page touches ``sys.path``. Pages are the table of contents' files only
(``only_build_toc_files``), so nothing in ``book/_lib`` becomes a page.
"""
import os
from pathlib import Path

LIB = Path(__file__).resolve().parent.parent / "_lib"


def add_book_lib(environ=os.environ):
    """Put book/_lib first on environ's PYTHONPATH (once); returns the new value."""
    parts = [p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(LIB) not in parts:
        environ["PYTHONPATH"] = os.pathsep.join([str(LIB), *parts])
    return environ["PYTHONPATH"]


def setup(app):
    add_book_lib()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
