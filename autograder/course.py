"""Where the course lives, and what _config.yml says about it.

The course root is ``$DLCOURSE_COURSE_ROOT`` when set, else the folder above this package.
Solutions are in ``<root>/solutions/<assignment>/<notebook>.ipynb``, releases in
``<root>/exercises/...`` (the same layout nbgrader_config.py declares for nbgrader).
"""
import os
from pathlib import Path

import yaml

from .errors import GradingError


def course_root(root=None):
    return Path(root or os.environ.get("DLCOURSE_COURSE_ROOT") or Path(__file__).resolve().parent.parent)


def solutions_dir(root=None):
    return course_root(root) / "solutions"


def exercises_dir(root=None):
    return course_root(root) / "exercises"


def assignments(root=None):
    """Names of the assignments: folders of solutions/ that hold a notebook."""
    base = solutions_dir(root)
    return sorted(p.name for p in base.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))) if base.is_dir() else []


def source_notebook(assignment, notebook, root=None):
    """Path of the instructor notebook for (assignment, notebook name without .ipynb)."""
    known = assignments(root)
    if assignment not in known:
        raise GradingError(f"unknown assignment {assignment!r}; this course has: {', '.join(known) or 'none'}")
    path = solutions_dir(root) / assignment / f"{notebook}.ipynb"
    if not path.exists():
        names = ", ".join(sorted(p.stem for p in (solutions_dir(root) / assignment).glob("*.ipynb")))
        raise GradingError(f"assignment {assignment!r} has no notebook {notebook!r}; its notebooks: {names}")
    return path


def guess_assignment(notebook, root=None):
    """The assignment whose solutions/ folder holds a notebook of this name, if exactly one does."""
    hits = [a for a in assignments(root) if (solutions_dir(root) / a / f"{notebook}.ipynb").exists()]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise GradingError(f"no assignment has a notebook named {notebook!r}; pass --assignment "
                           f"(one of: {', '.join(assignments(root)) or 'none'}) or rename the file")
    raise GradingError(f"several assignments have a notebook named {notebook!r}: {', '.join(hits)}; pass --assignment")


def book_config(root=None):
    """The parsed _config.yml of the book."""
    path = course_root(root) / "_config.yml"
    if not path.is_file():
        raise GradingError(f"{path} is missing: the setup cells and badges take the repository from it")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def repository(root=None):
    """(url, ref) of the course repository, from _config.yml's `repository` section: `ref`
    (repository.branch) is the release students are pinned to, the tag v<dlcourse version>, which
    the Colab badges open and the setup cells install, never a moving branch."""
    import dlcourse
    repo = book_config(root).get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    if not url:
        raise GradingError("_config.yml has no repository.url")
    ref, tag = str(repo.get("branch", "")), f"v{dlcourse.__version__}"
    if ref != tag:
        raise GradingError(f"_config.yml: repository.branch is {ref or 'not set'!r}; students are pinned to a release: "
                           f"set it to {tag!r} (the tag of dlcourse {dlcourse.__version__}; push that tag with the release)")
    return url, ref
