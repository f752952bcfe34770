"""The gradebook: nbgrader's own (SQLite by default, any SQLAlchemy URL such as PostgreSQL).

Only the coordinating process writes it. Autograded points go to Grade.auto_score, the
written answers' points to Grade.manual_score and their comments to Comment.manual_comment,
exactly where nbgrader's formgrader and `nbgrader export` look; `scores` reads them back the
way nbgrader adds them up (a grade's score is its manual score when set, else its auto score).
"""
import importlib.util
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

from nbgrader.api import Gradebook

from .. import course
from ..errors import GradingError
from ..notebook import grade_id, is_autograded_test, is_manual, is_solution, is_task, points, read


def url_for(db, out_dir=None):
    """An SQLAlchemy URL: `db` as given when it is one, else sqlite at db (or OUT_DIR/gradebook.db)."""
    if db and "://" in str(db):
        url = str(db)
        if url.startswith("postgresql://") and importlib.util.find_spec("psycopg") is None:
            url = "postgresql+psycopg2://" + url[len("postgresql://"):]  # the driver requirements.txt installs
        return url
    return f"sqlite:///{Path(db or Path(out_dir) / 'gradebook.db').resolve()}"


def _safe(url):
    """The URL without its password, for messages."""
    head, sep, tail = url.rpartition("@")
    return (head.split(":")[0] + ":***@" + tail) if sep and ":" in head.split("//", 1)[-1] else url


@contextmanager
def open_gradebook(db, out_dir=None):
    """nbgrader's Gradebook; nbgrader runs `alembic` as a subprocess, so this environment's bin/ goes on PATH."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    url = url_for(db, out_dir)
    try:
        gb = Gradebook(url)
    except Exception as exc:
        raise GradingError(f"cannot open the gradebook {_safe(url)}: {exc.__class__.__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    try:
        with warnings.catch_warnings():
            # nbgrader 0.9 trips SQLAlchemy 2's autoflush warnings; the rows are written all the same
            warnings.filterwarnings("ignore", message=".*not in session.*")
            yield gb
    finally:
        gb.close()


def register(gb, assignment, root):
    """Create the assignment, its notebooks, grade cells and written-answer (solution) cells."""
    gb.update_or_create_assignment(assignment)
    for path in sorted((course.solutions_dir(root) / assignment).glob("*.ipynb")):
        gb.update_or_create_notebook(path.stem, assignment)
        for cell in read(path).cells:
            if is_autograded_test(cell) or is_manual(cell):
                gb.update_or_create_grade_cell(grade_id(cell), path.stem, assignment,
                                               max_score=points(cell), cell_type=cell.cell_type)
            if is_manual(cell) and is_solution(cell):
                gb.update_or_create_solution_cell(grade_id(cell), path.stem, assignment)
            if is_task(cell):  # graded by hand (formgrader), like nbgrader's own task cells
                gb.update_or_create_task_cell(grade_id(cell), path.stem, assignment,
                                              max_score=points(cell), cell_type=cell.cell_type)


def store(gb, student, result, answers_changed):
    """Write one autograded result; written answers keep their manual grade unless the answer changed.

    answers_changed: True (all of them may have), or the grade_ids of the written answers that changed."""
    assignment, notebook = result["assignment"], result["notebook"]
    gb.update_or_create_student(student)
    gb.update_or_create_submission(assignment, student)
    for test in result["tests"]:
        try:
            grade = gb.find_grade(test["id"], notebook, assignment, student)
        except Exception:
            continue  # a notebook name the course does not have: reported in the feedback
        if test["status"] != "manual" or (test.get("unanswered") and grade.manual_score is None):
            grade.auto_score = test["points"]  # an unanswered written answer: 0, as nbgrader scores it
            grade.needs_manual_grade = False
        elif answers_changed is True or test["id"] in answers_changed or grade.manual_score is None:
            grade.needs_manual_grade = True
    gb.db.commit()


def scores(gb, student, assignment, notebook, manual_ids):
    """{auto, manual, manual_max, total, total_max, needs_manual} of a notebook from the gradebook, or None."""
    try:
        nb = gb.find_submission_notebook(notebook, assignment, student)
    except Exception:
        return None
    out = {"auto": 0.0, "manual": 0.0, "manual_max": 0.0, "total": 0.0, "total_max": 0.0, "needs_manual": 0}
    for g in nb.grades:
        score, top = float(g.score or 0.0), float(g.max_score or 0.0)
        out["total"] += score
        out["total_max"] += top
        if g.name in manual_ids:
            out["manual"] += score
            out["manual_max"] += top
            out["needs_manual"] += bool(g.needs_manual_grade)
        else:
            out["auto"] += score
    return out


def comment(gb, question, notebook, assignment, student):
    """The Comment row of a written answer (created when the submission predates the solution cell)."""
    from nbgrader.api import Comment
    try:
        return gb.find_comment(question, notebook, assignment, student)
    except Exception:
        cell = gb.find_solution_cell(question, notebook, assignment)
        nb = gb.find_submission_notebook(notebook, assignment, student)
        row = Comment(cell_id=cell.id, notebook=nb)
        gb.db.add(row)
        return row
