"""What a grading run leaves for people: grades.csv, lms.csv and the per-student feedback pages.

    OUT_DIR/grades.csv   student,assignment,notebook,score,max_score,manual,manual_max,total,total_max,needs_manual,
                         timestamp,seconds_late,late_penalty
                         score/max_score: autograded tests; manual: the written answers' points
                         entered so far (needs_manual: how many are still ungraded); total: both, less
                         the late penalty, read from the gradebook exactly as `nbgrader export` adds
                         them up (its score column); timestamp: the submission's time (ISO 8601, UTC;
                         blank: none), seconds_late and late_penalty as the gradebook holds them
                         (autograder.records.late)
    OUT_DIR/lms.csv      student,<assignment>...,total,max: one row per student, one column per
                         assignment (its total after the late penalty; 0 when nothing was
                         submitted), for an LMS upload; then, for each assignment with a due date,
                         <assignment>_seconds_late and <assignment>_late_penalty
    OUT_DIR/feedback/<student>/<assignment>/<notebook>.html   (autograder.records.notebook_feedback)
"""
import csv
import os
from functools import lru_cache
from pathlib import Path

from .. import course
from . import late, notebook_feedback
from .gradebook import scores
from ..notebook import grade_id, is_manual, is_task, read
from ..text import clean, csv_cell

GRADES_HEADER = ["student", "assignment", "notebook", "score", "max_score", "manual", "manual_max",
                 "total", "total_max", "needs_manual", "timestamp", "seconds_late", "late_penalty"]


@lru_cache(maxsize=None)
def manual_ids(root, assignment, notebook):
    """grade_ids of the written answers (and nbgrader task cells) of one instructor notebook (empty when there is none)."""
    path = course.solutions_dir(root) / assignment / f"{notebook}.ipynb"
    return frozenset(grade_id(c) for c in read(path).cells if is_manual(c) or is_task(c)) if path.exists() else frozenset()


def _text_cell(value):
    """A number as it is (a score may be negative); any other text safe for a spreadsheet."""
    if not isinstance(value, str):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return csv_cell(value)


def _atomic_csv(path, header, rows):
    tmp = Path(f"{path}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([_text_cell(v) for v in r] for r in rows)
    os.replace(tmp, path)


def points_text(value):
    """Points as the CSV files write them: to 6 decimals, as a test's points are rounded (partial
    points by part give fractions such as 2.333333), without trailing zeros ("7", "2.5")."""
    return f"{round(float(value), 6):.15g}"


def row(gb, student, result, root):
    """One grades.csv row: the autograded result, with the gradebook's manual points and totals."""
    assignment, nb = result["assignment"], result["notebook"]
    s = scores(gb, student, assignment, nb, manual_ids(str(root), assignment, nb))
    if s is None:  # not in the gradebook (an assignment this course does not have)
        s = {"auto": result["score"], "manual": 0.0, "manual_max": 0.0, "total": result["score"],
             "total_max": result["max_score"], "needs_manual": 0}
    when = late.info(gb, student, assignment, nb)
    total = max(0.0, s["total"] - when["penalty"])  # as `nbgrader export` takes the penalty off
    return [student, assignment, nb, points_text(s['auto']), points_text(result['max_score']),
            points_text(s['manual']), points_text(s['manual_max']), points_text(total), points_text(s['total_max']),
            s["needs_manual"], late.iso(when["timestamp"]), points_text(when['seconds_late']), points_text(when['penalty'])]


def lms_rows(gb):
    """(header, rows) of the LMS export, from the gradebook (nbgrader's totals, after the late penalty)."""
    assignments = sorted(gb.assignments, key=lambda a: a.name)
    dated = [a for a in assignments if a.duedate is not None]
    header = (["student"] + [a.name for a in assignments] + ["total", "max"]
              + [f"{a.name}_{what}" for a in dated for what in ("seconds_late", "late_penalty")])
    top = sum(float(a.max_score or 0.0) for a in assignments)
    rows = []
    for student in sorted(gb.students, key=lambda s: s.id):
        marks, lateness = [], {}
        for a in assignments:
            try:
                sub = gb.find_submission(a.name, student.id)
            except Exception:
                marks.append(0.0)
                lateness[a.name] = (0.0, 0.0)
                continue
            penalty = float(sub.late_submission_penalty or 0.0)
            marks.append(max(0.0, float(sub.score or 0.0) - penalty))  # nbgrader export's score
            lateness[a.name] = (float(sub.total_seconds_late or 0), penalty)
        rows.append([student.id] + [points_text(m) for m in marks] + [points_text(sum(marks)), points_text(top)]
                    + [points_text(v) for a in dated for v in lateness[a.name]])
    return header, rows


def write_all(out, gb, entries, root, log=None, pages=None):
    """Rewrite grades.csv and lms.csv; render the feedback pages of `pages` (keys) and those missing.

    entries: {(student, assignment, file name): journal result entry}.
    """
    out = Path(out)
    _atomic_csv(out / "grades.csv", GRADES_HEADER,
                [row(gb, key[0], entry["result"], root) for key, entry in sorted(entries.items())])
    _atomic_csv(out / "lms.csv", *lms_rows(gb))
    rendered = 0
    for key, entry in sorted(entries.items()):
        result = entry["result"]
        page = out / "feedback" / key[0] / result["assignment"] / f"{result['notebook']}.html"
        if key in (pages or ()) or not page.exists():
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(clean(notebook_feedback.render(entry, key[0], gb, root)), encoding="utf-8")
            rendered += 1
    if log:
        log(f"wrote {out / 'grades.csv'}, {out / 'lms.csv'}, the gradebook and {rendered} feedback page(s) in "
            f"{out / 'feedback'}/")
