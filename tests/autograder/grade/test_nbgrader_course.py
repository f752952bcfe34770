"""A plain nbgrader course (nbgrader's own documentation course: no setup cell, no records, no
metadata.dlcourse) is released and graded like nbgrader grades it: the same gradebook cells,
scores, max scores, manual flags, totals and submission times (the course's timestamp.txt, in
America/Los_Angeles) per student as `nbgrader autograde` writes."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "nbgrader_docs_course"
STUDENTS = ("bitdiddle", "hacker")
BIN = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH


def _env():
    return {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}


def _gradebook(url):
    """{(student, notebook, grade_id): (cell type, auto, manual, max, needs manual, score)}, totals and times."""
    out = {}
    with Gradebook(url) as gb:
        for student in STUDENTS:
            submission = gb.find_submission("ps1", student)
            for nb in submission.notebooks:
                for g in nb.grades:
                    out[(student, nb.name, g.name)] = (g.cell_type, g.auto_score, g.manual_score, g.max_score,
                                                       g.needs_manual_grade, g.score)
            out[(student, "total")] = (submission.score, submission.max_score, submission.timestamp)
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(nbgrader's gradebook, this project's gradebook, this project's release log) of the docs course."""
    tmp = tmp_path_factory.mktemp("nbgrader-course")
    ours, theirs = tmp / "ours", tmp / "theirs"
    # nbgrader itself: generate_assignment + autograde in its own course layout
    shutil.copytree(FIXTURE / "source", theirs / "source")
    shutil.copytree(FIXTURE / "submitted", theirs / "submitted")
    (theirs / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(theirs)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{theirs}/gradebook.db'\n")
    for args in (["generate_assignment", "ps1", "--force"], ["autograde", "ps1", "--create", "--force"]):
        subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=theirs, env=_env(), check=True,
                       capture_output=True, timeout=600)
    # this project: the guide's commands on the same notebooks (solutions/ = nbgrader's source/)
    shutil.copytree(FIXTURE / "source", ours / "solutions")
    shutil.copytree(FIXTURE / "submitted", ours / "class")
    release = subprocess.run([sys.executable, "-m", "autograder", "--root", str(ours), "release"],
                             env=_env(), capture_output=True, text=True, timeout=300)
    assert release.returncode == 0, release.stderr
    grade = subprocess.run([sys.executable, "-m", "autograder", "--root", str(ours), "autograde", str(ours / "class"),
                            "--out", str(ours / "out"), "--workers", "2"],
                           env=_env(), capture_output=True, text=True, timeout=600)
    assert grade.returncode == 0, grade.stderr
    return (_gradebook(f"sqlite:///{theirs}/gradebook.db"), _gradebook(f"sqlite:///{ours}/out/gradebook.db"),
            release.stderr, ours, theirs)


def test_release_without_setup_cell_is_nbgraders(graded):
    _, _, log, ours, theirs = graded
    assert log.count("no setup cell: not stamped") == 2, log
    for name in ("problem1", "problem2"):
        mine = nbformat.read(ours / "exercises" / "ps1" / f"{name}.ipynb", as_version=4)
        nbgraders = nbformat.read(theirs / "release" / "ps1" / f"{name}.ipynb", as_version=4)
        assert [c.source for c in mine.cells] == [c.source for c in nbgraders.cells]
        assert [c.metadata.get("nbgrader") for c in mine.cells] == [c.metadata.get("nbgrader") for c in nbgraders.cells]
    assert (ours / "exercises" / "ps1" / "jupyter.png").read_bytes() == (FIXTURE / "source" / "ps1" / "jupyter.png").read_bytes()


def test_gradebook_equals_nbgraders(graded):
    theirs, ours, *_ = graded
    # what nbgrader itself gives these two students (a check of the fixture and of nbgrader)
    assert theirs[("bitdiddle", "total")][:2] == (1.5, 13.0) and theirs[("hacker", "total")][:2] == (3.0, 13.0)
    # timestamp.txt "2015-02-02 14:58:23.948203 America/Los_Angeles", stored in UTC by nbgrader's parser
    assert str(theirs[("bitdiddle", "total")][2]) == "2015-02-02 22:58:23.948203"
    assert len(theirs) == 20
    assert ours == theirs  # every cell: autograded tests, written answers, the task cell, totals, times
    # the cases that needed more than asserts: a task cell (graded by hand), an unanswered written
    # answer (0 without a TA), an answered one (waits for a TA)
    assert ours[("bitdiddle", "problem1", "cell-938593c4a215c6cc")] == ("markdown", None, None, 4.0, True, 0.0)
    assert ours[("bitdiddle", "problem1", "sum_of_squares_application")][1:5] == (0.0, None, 2.0, False)
    assert ours[("hacker", "problem1", "sum_of_squares_application")][1:5] == (None, None, 2.0, True)


def test_more_than_one_setup_cell_is_refused(tmp_path):
    from autograder.errors import GradingError
    from autograder.transforms import setup_cell
    nb = nbformat.read(FIXTURE / "source" / "ps1" / "problem2.ipynb", as_version=4)
    assert setup_cell.stamp(nb, lambda: pytest.fail("no setup cell: the repository is not needed")) is False
    for _ in range(2):
        nb.cells.append(nbformat.v4.new_code_cell("", metadata={"nbgrader": {"grade_id": "setup", "locked": True}}))
    with pytest.raises(GradingError, match="2 cells with grade_id 'setup'"):
        setup_cell.stamp(nb, lambda: ("https://example.org/x", "v0"))
