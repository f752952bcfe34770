"""Shared fixtures: the course's own notebooks, and a released notebook filled with answers."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DLCOURSE_MODE", "smoke")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def source_nb():
    from autograder.notebook import read
    return read(ROOT / "solutions" / "optimizers" / "optimizers.ipynb")


@pytest.fixture(scope="session")
def released_nb():
    from autograder.notebook import read
    return read(ROOT / "exercises" / "optimizers" / "optimizers.ipynb")


@pytest.fixture(scope="session")
def grading_config(tmp_path_factory):
    """Grading settings for tests: a private reference cache, two workers."""
    from autograder.config import Config
    return Config(cache_dir=str(tmp_path_factory.mktemp("grader-cache")), workers=2)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book, built once per test session as the README's build command builds it
    (``jupyter-book build . -W -n --keep-going``), into a fresh temporary folder, so nothing
    cached from an earlier build can hide a failure. Returns (process, path of the html folder).

    ``DLCOURSE_BOOK_SITE=_build/html`` checks an existing build instead (quick iterations on the
    browser test; the build test then only checks that the folder is there).
    """
    given = os.environ.get("DLCOURSE_BOOK_SITE")
    if given:
        site = Path(given).resolve()
        return subprocess.CompletedProcess([], 0 if (site / "index.html").is_file() else 1, "", f"{site}"), site
    out = tmp_path_factory.mktemp("book")
    proc = subprocess.run([Path(sys.executable).parent / "jupyter-book", "build", str(ROOT), "-W", "-n",
                           "--keep-going", "--path-output", str(out)], capture_output=True, text=True, timeout=900)
    return proc, out / "_build" / "html"
