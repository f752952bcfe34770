"""Late submissions, counted as nbgrader counts them, in nbgrader's own gradebook columns.

- Due dates: the `due_dates` setting (autograder.config: ISO 8601 with an offset), written to
  nbgrader's Assignment.duedate (naive UTC, as nbgrader stores it) by every `autograde`; an
  assignment without one has no due date (nothing of it is late).
- A submission's time: ``<student>/<assignment>/timestamp.txt`` (autograder.intake.folders; written
  by `collect`), written to SubmittedAssignment.timestamp; none (no file, or a malformed one,
  noted in intake.txt): not late. Seconds late are nbgrader's SubmittedAssignment.total_seconds_late
  (timestamp minus due date, at least 0; an nbgrader extension counts).
- The penalty: the `late_penalty` setting names an nbgrader LateSubmissionPlugin: "none" and "zero"
  are nbgrader's own (its penalty_method), "module:Class" a subclass of it (a module importable by
  the grader, or a file in the course root). As nbgrader's AssignLatePenalties does, each notebook
  of a late submission gets late_submission_penalty(student, notebook score, seconds late),
  clamped to 0..score, in SubmittedNotebook.late_submission_penalty (None when on time). Unlike
  nbgrader, which works it out once at autograde, it is worked out again whenever the notebook's
  points change (every `autograde`, every `manual import`), so a TA's points are penalised too.
- Totals after the penalty, as `nbgrader export` computes them (max(0, score - penalty)), are what
  grades.csv, lms.csv, the feedback pages and the class statistics show (autograder.records.report).
"""
import datetime
import importlib
import math
import sys

from .. import config
from ..errors import GradingError


def plugin(spec, root=None):
    """The nbgrader LateSubmissionPlugin instance that `late_penalty = spec` names."""
    from nbgrader.plugins import LateSubmissionPlugin
    if spec in ("none", "zero"):
        return LateSubmissionPlugin(penalty_method=spec)
    module_name, _, class_name = str(spec).partition(":")
    where = f"late_penalty {spec!r}"
    added = root is not None and str(root) not in sys.path
    if added:
        sys.path.insert(0, str(root))  # a course's own plugin file beside grading.toml
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any failure to import is the setting's fault
        raise GradingError(f"{where}: cannot import {module_name} ({exc.__class__.__name__}: {exc})") from None
    finally:
        if added:
            sys.path.remove(str(root))
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, LateSubmissionPlugin)):
        raise GradingError(f"{where}: {module_name} has no class {class_name} that subclasses "
                           "nbgrader.plugins.LateSubmissionPlugin")
    try:
        return cls()
    except Exception as exc:  # noqa: BLE001
        raise GradingError(f"{where}: {class_name}() failed ({exc.__class__.__name__}: {exc})") from None


def check_assignments(cfg, known):
    """Refuse due dates of assignments the course does not have (a typo would mean: never late)."""
    unknown = sorted(set(cfg.due_dates) - set(known))
    if unknown:
        raise GradingError(f"due_dates: {', '.join(unknown)}: no such assignment (this course has: "
                           f"{', '.join(sorted(known)) or 'none'})")


def set_due_dates(gb, cfg, assignments):
    """Write each assignment's due date (None where the settings give none) to the gradebook."""
    for name in assignments:
        gb.find_assignment(name).duedate = config.due_date(cfg, name)
    gb.db.commit()


def _notebook_score(nb):
    return sum(float(g.score or 0.0) for g in nb.grades)


def penalize(gb, student, assignment, method, spec=""):
    """Work out again the late penalty of each notebook of one submission (nbgrader's rules, above)."""
    try:
        submission = gb.find_submission(assignment, student)
    except Exception:
        return
    seconds = float(submission.total_seconds_late or 0)
    for nb in submission.notebooks:
        penalty = None
        if seconds > 0:
            score = _notebook_score(nb)
            try:
                penalty = method.late_submission_penalty(student, score, seconds)
                penalty = None if penalty is None else float(penalty)
            except Exception as exc:  # noqa: BLE001 - the course's plugin: one clear line
                raise GradingError(f"late_penalty {spec}: late_submission_penalty({student!r}, {score:g}, {seconds:g}) "
                                   f"failed ({exc.__class__.__name__}: {exc})") from None
            if penalty is not None:
                if math.isnan(penalty):
                    raise GradingError(f"late_penalty {spec}: late_submission_penalty({student!r}, ...) returned NaN")
                penalty = min(max(penalty, 0.0), score)  # as nbgrader's AssignLatePenalties clamps it
        nb.late_submission_penalty = penalty
    gb.db.commit()


def record(gb, student, assignment, timestamp, method, spec=""):
    """Store a submission's time (a naive UTC datetime or None) and work out its penalty; returns
    whether what a feedback page says of it changed (time, due date or penalty)."""
    try:
        submission = gb.find_submission(assignment, student)
    except Exception:
        return False

    def state():
        return (submission.timestamp, submission.duedate, [nb.late_submission_penalty for nb in submission.notebooks])
    before = state()
    if submission.timestamp != timestamp:
        submission.timestamp = timestamp
        gb.db.commit()
    penalize(gb, student, assignment, method, spec)
    return state() != before


def info(gb, student, assignment, notebook):
    """{timestamp, duedate (naive UTC datetimes or None), seconds_late, penalty} of one notebook."""
    out = {"timestamp": None, "duedate": None, "seconds_late": 0.0, "penalty": 0.0}
    try:
        submission = gb.find_submission(assignment, student)
        nb = gb.find_submission_notebook(notebook, assignment, student)
    except Exception:
        return out
    out.update(timestamp=submission.timestamp, duedate=submission.duedate,
               seconds_late=float(submission.total_seconds_late or 0), penalty=float(nb.late_submission_penalty or 0.0))
    return out


def iso(moment):
    """A gradebook datetime (naive UTC) as ISO 8601 with its offset, '' for None."""
    return "" if moment is None else moment.replace(tzinfo=datetime.timezone.utc).isoformat()


def duration(seconds):
    """'2 days 3 h 4 min' (at least '1 min' for any lateness; seconds are rounded up to minutes)."""
    minutes = max(1, math.ceil(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = ([f"{days} day{'s' if days != 1 else ''}"] if days else []) + ([f"{hours} h"] if hours else []) \
        + ([f"{minutes} min"] if minutes else [])
    return " ".join(parts)
