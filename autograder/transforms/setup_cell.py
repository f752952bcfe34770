"""Stamp the setup cell (grade_id "setup") from _config.yml: the repository URL lives there once.

In Colab the cell pip-installs the course library from the repository at the release it is
pinned to (repository.branch: the tag v<version>, see course.repository) and checks its version; locally it only checks that the library is importable.
``DLCOURSE_PIP_SPEC`` overrides what Colab installs (the tests install from the checkout).
The setup cell is this course's addition, not a requirement: a plain nbgrader notebook (none)
is released as it is; more than one is an error.
"""
import dlcourse

from ..errors import GradingError
from ..notebook import grade_id

TEMPLATE = '''\
# Setup: generated from the course's _config.yml by `python -m autograder release`; don't edit.
# In Colab this installs the course library (dlcourse); locally it checks that it is installed.
import os, subprocess, sys
COURSE_REPOSITORY = "{url}"
DLCOURSE_VERSION = "{version}"
if "google.colab" in sys.modules:
    spec = os.environ.get("DLCOURSE_PIP_SPEC", f"dlcourse @ git+{{COURSE_REPOSITORY}}@{branch}")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", spec], check=True)
try:
    import dlcourse
except ImportError:
    raise ImportError("The course library is missing: run `pip install -r requirements.txt` in a clone of "
                      + COURSE_REPOSITORY + " (see its README), or open this notebook in Colab.") from None
dlcourse.check_version(DLCOURSE_VERSION)
print(f"dlcourse {{dlcourse.__version__}} ready")'''


def setup_source(url, branch):
    return TEMPLATE.format(url=url, branch=branch, version=dlcourse.__version__)


def stamp(nb, repository, name="notebook"):
    """Replace the source of the cell with grade_id "setup" from repository() -> (url, branch),
    called only then; False when the notebook has none (nothing stamped), GradingError when several."""
    cells = [c for c in nb.cells if grade_id(c) == "setup"]
    if len(cells) > 1:
        raise GradingError(f"{name}: has {len(cells)} cells with grade_id 'setup'; a notebook has at most one")
    if cells:
        cells[0].source = setup_source(*repository())
    return bool(cells)
