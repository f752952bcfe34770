"""`autograde`: grade a whole class in nbgrader's layout, in parallel, into a gradebook.

    SUBMISSIONS_DIR/<student>/<assignment>/<notebook>.ipynb
      -> OUT_DIR/gradebook.db (nbgrader's gradebook, sqlite), OUT_DIR/grades.csv,
         OUT_DIR/feedback/<student>/<assignment>/<notebook>.html

Each submission is graded in its own isolated kernel by a worker thread; only this process
writes the gradebook and the files, one row at a time, so parallel runs give the same results
as one worker and never contend for the database. A submission that cannot be graded (not a
notebook, unknown assignment) gets 0, its reason in the feedback, and the batch goes on.
"""
import csv
import os
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from nbgrader.api import Gradebook

from . import course, feedback, intake
from .config import Config
from .errors import GradingError
from .grade import grade_notebook, reference_records
from .notebook import grade_id, is_autograded_test, is_manual, points, read


def discover(submissions_dir, assignment=None, root=None):
    """(student, assignment, path) for every notebook at SUBMISSIONS_DIR/<student>/<assignment>/*.ipynb
    (the exact rules: autograder.intake)."""
    return intake.discover(submissions_dir, assignment, root)[0]


def open_gradebook(path):
    """nbgrader's Gradebook; nbgrader runs `alembic` as a subprocess, so this environment's bin/ goes on PATH."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    try:
        return Gradebook(f"sqlite:///{Path(path).resolve()}")
    except Exception as exc:
        raise GradingError(f"cannot open the gradebook {path}: {exc.__class__.__name__}: {exc}") from None


def _register(gb, assignment, root):
    """Create the assignment, its notebooks and grade cells in the gradebook."""
    gb.update_or_create_assignment(assignment)
    for path in sorted((course.solutions_dir(root) / assignment).glob("*.ipynb")):
        gb.update_or_create_notebook(path.stem, assignment)
        for cell in read(path).cells:
            if is_autograded_test(cell) or is_manual(cell):
                gb.update_or_create_grade_cell(grade_id(cell), path.stem, assignment,
                                               max_score=points(cell), cell_type=cell.cell_type)


def _failed(assignment, path, reason, root):
    """The result of a submission that could not be graded: 0 of what its notebook is worth."""
    max_score, tests = 0.0, []
    notebooks = ([p.stem for p in sorted((course.solutions_dir(root) / assignment).glob("*.ipynb"))]
                 if assignment in course.assignments(root) else [])
    name = intake.notebook_name(path, notebooks)
    try:
        for cell in read(course.source_notebook(assignment, name, root)).cells:
            if is_autograded_test(cell):
                max_score += points(cell)
                tests.append({"id": grade_id(cell), "points": 0.0, "max_points": points(cell),
                              "status": "error", "message": "not graded: see the notes"})
    except GradingError:
        pass
    return {"assignment": assignment, "notebook": name, "score": 0.0, "max_score": max_score,
            "tests": tests, "problems": [f"not graded: {reason}"]}


def autograde(submissions_dir, out_dir, root=None, cfg=None, assignment=None, log=print):
    """Grade every submission; returns a list of (student, result). See the module docstring."""
    cfg = cfg or Config()
    root = course.course_root(root)
    jobs, refused, notes = intake.discover(submissions_dir, assignment, root)
    for note in notes:
        log(f"intake: {note}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    known = set(course.assignments(root))
    for a in sorted({a for _, a, _ in jobs} & known):  # references first, once, before the workers start
        for source in sorted((course.solutions_dir(root) / a).glob("*.ipynb")):
            reference_records(source, cfg, root, log)

    def one(student, assign, path):
        if path in refused:
            return _failed(assign, path, refused[path], root)
        if assign not in known:
            return _failed(assign, path, f"unknown assignment {assign!r} (this course has: {', '.join(sorted(known))})", root)
        try:
            return grade_notebook(path, assign, root, cfg)
        except GradingError as exc:
            return _failed(assign, path, str(exc), root)
        except Exception as exc:  # noqa: BLE001 - one submission must never end the batch
            return _failed(assign, path, f"the grader could not handle this submission "
                                         f"({exc.__class__.__name__}: {str(exc)[:200]})", root)

    log(f"grading {len(jobs)} submission(s) with {cfg.workers} worker(s)")
    start, results = time.monotonic(), {}
    with ThreadPoolExecutor(max_workers=cfg.workers) as pool:
        futures = {pool.submit(one, *job): job for job in jobs}
        for n, fut in enumerate(as_completed(futures), 1):
            student, assign, path = futures[fut]
            result = fut.result()
            results[(student, assign, result.get("notebook") or path.stem)] = result
            log(f"[{n}/{len(jobs)}] {student} {assign}/{path.stem}: {result['score']:g}/{result['max_score']:g} "
                f"({time.monotonic() - start:.0f}s)")

    with open_gradebook(out / "gradebook.db") as gb, warnings.catch_warnings():
        # nbgrader 0.9's add_submission trips SQLAlchemy 2's autoflush warnings; the rows are written all the same
        warnings.filterwarnings("ignore", message=".*not in session.*")
        for a in sorted({a for _, a, _ in results} & known):
            _register(gb, a, root)
        for (student, assign, nb_name), result in sorted(results.items()):
            if assign not in known:
                continue
            gb.update_or_create_student(student)
            gb.update_or_create_submission(assign, student)
            for test in result["tests"]:
                try:
                    grade = gb.find_grade(test["id"], nb_name, assign, student)
                except Exception:
                    continue  # a notebook name the course does not have: reported in the feedback
                if test["status"] != "manual":
                    grade.auto_score = test["points"]
                    grade.needs_manual_grade = False
            gb.db.commit()

    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "assignment", "notebook", "score", "max_score"])
        for (student, assign, nb_name), result in sorted(results.items()):
            writer.writerow([student, assign, nb_name, f"{result['score']:g}", f"{result['max_score']:g}"])
            page = out / "feedback" / student / assign / f"{nb_name}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(feedback.render(result, student), encoding="utf-8")
    if notes:
        (out / "intake.txt").write_text("".join(n + "\n" for n in notes), encoding="utf-8")
    log(f"wrote {out / 'grades.csv'}, {out / 'gradebook.db'} and {out / 'feedback'}/ "
        f"({time.monotonic() - start:.0f}s)")
    return sorted((k[0], r) for k, r in results.items())
