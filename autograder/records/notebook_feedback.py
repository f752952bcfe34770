"""A student's own notebook as an HTML page, with each test's verdict where the test cell stood.

What the page shows, cell by cell, in the order of the graded (merged) notebook:
- the student's answer cells and the cells they added: their text, escaped (markdown rendered
  with raw HTML disabled, so nothing they wrote becomes markup or script; math kept exactly as
  written and typeset by MathJax as in the book, see autograder.text);
- every other cell as the RELEASED notebook has it: a test cell shows only its visible part
  (the release strips the hidden region), followed by the verdict, points and the judge's message;
  a cell that exists only in the instructor notebook is not shown at all;
- each written answer with its points and the grader's comment from the gradebook (or "not
  graded yet"); the autograded, written and total scores at the top (the total after the late
  penalty, with when it was submitted, how late and the penalty: autograder.records.late); repairs
  and notes.
Never shown: the hidden tests' source, their inputs, the reference values, the kernel's output.
A submission that cannot be read (or changed since it was graded) gets the results table only.
"""
import html
import os
import stat

from .. import course
from . import feedback, late
from ..errors import GradingError
from .journal import sha256
from ..config import Config
from ..notebook import grade_id, is_autograded_test, is_manual, is_solution, read, reads, too_large
from ..text import MATHJAX, markdown
from ..transforms.merge import merge

STYLE = feedback.STYLE + """
.cell{margin:1rem 0}.cell pre{background:#f8f8f8;padding:.6rem;overflow-x:auto;border-left:3px solid #ccc}
.verdict{padding:.5rem .8rem;border-radius:4px;margin:.3rem 0 1.2rem}.answer{border-left:3px solid #1a73e8;padding-left:.8rem}"""


def _manual(gb, student, assignment, notebook, gid):
    """(points or None, max, comment) of a written answer from the gradebook."""
    try:
        grade = gb.find_grade(gid, notebook, assignment, student)
        points, top = grade.manual_score, float(grade.max_score or 0.0)
    except Exception:
        return None, None, ""
    try:
        text = gb.find_comment(gid, notebook, assignment, student).manual_comment or ""
    except Exception:
        text = ""
    return points, top, text


def _cells(entry, result, root):
    """[(grade_id or None, cell as shown)] or None when the submission cannot be shown."""
    path = entry.get("path")
    try:
        # a refused entry (a link, a FIFO, a device) is never followed or opened: it would block or
        # show someone else's file
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            if too_large(os.fstat(f.fileno()).st_size, Config.notebook_mb):  # not graded either
                return None
            data = f.read()
        if sha256(data) != entry.get("submission"):
            return None
        source = read(course.source_notebook(result["assignment"], result["notebook"], root))
        released_path = course.exercises_dir(root) / result["assignment"] / f"{result['notebook']}.ipynb"
        released = {grade_id(c): c for c in read(released_path).cells if grade_id(c)}
        merged, _ = merge(source, reads(data.decode("utf-8", errors="replace")))
    except (OSError, TypeError, ValueError, GradingError):
        return None
    shown = []
    for cell in merged.cells:
        gid = grade_id(cell)
        if gid in released and not is_solution(released[gid]):
            shown.append((gid, released[gid]))  # instructor's cell as released: no hidden region
        elif gid and not is_solution(cell):
            continue  # only in the instructor notebook
        else:
            shown.append((gid, cell))  # the student's own answer or added cell
    return shown


def _shown(moment):
    """A gradebook time (naive UTC) for people: 2026-12-01 22:59 UTC."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "?"


def render(entry, student, gb, root):
    """The feedback page (a str of HTML) of one journal entry (see autograder.records.journal)."""
    e = html.escape
    result = entry["result"]
    assignment, notebook = result["assignment"], result["notebook"]
    tests = {t["id"]: t for t in result["tests"]}
    written, written_max, pending = 0.0, 0.0, 0
    manual = {}
    for t in result["tests"]:
        if t["status"] == "manual":
            points, top, text = _manual(gb, student, assignment, notebook, t["id"])
            manual[t["id"]] = (points, top if top is not None else t["max_points"], text)
            written += points or 0.0
            written_max += manual[t["id"]][1]
            pending += points is None
    cells = _cells(entry, result, root)
    body = []
    if cells is None:
        body.append("<p>Your notebook could not be shown here; the results:</p>" + feedback.table(result))
    else:
        for gid, cell in cells:
            if cell.cell_type == "markdown" or cell.cell_type == "raw":
                inner = markdown(cell.source) if cell.cell_type == "markdown" else f"<pre>{e(cell.source)}</pre>"
            else:
                inner = f"<pre><code>{e(cell.source)}</code></pre>"
            mine = is_solution(cell) or gid is None
            body.append(f"<div class='cell{' answer' if mine else ''}'>{inner}</div>")
            if gid in tests and is_autograded_test(cell) and tests[gid]["status"] != "manual":
                t = tests[gid]
                body.append(f"<div class='verdict {e(t['status'])}'><b>{e(t['id'])}: {e(t['status'])}, "
                            f"{t['points']:g} / {t['max_points']:g} points.</b> {e(t['message'])}</div>")
            if gid in manual and is_manual(cell):
                points, top, text = manual[gid]
                got = "not graded yet" if points is None else f"{points:g} / {top:g} points"
                body.append(f"<div class='verdict manual'><b>Written answer {e(gid)}: {got}.</b>"
                            + (f" Comment: {e(text)}" if text else "") + "</div>")
    when = late.info(gb, student, assignment, notebook)
    total = max(0.0, result["score"] + written - when["penalty"])
    status = f"; {pending} written answer(s) not graded yet" if pending else ""
    lateness = ""
    if when["seconds_late"] > 0:
        lateness = (f"<p class='late'>Submitted {e(_shown(when['timestamp']))}, late by "
                    f"<b>{late.duration(when['seconds_late'])}</b> (due {e(_shown(when['duedate']))}): "
                    f"late penalty <b>{when['penalty']:g}</b> point(s), taken off the total.</p>")
    elif when["timestamp"] is not None and when["duedate"] is not None:
        lateness = (f"<p class='late'>Submitted {e(_shown(when['timestamp']))}, on time "
                    f"(due {e(_shown(when['duedate']))}).</p>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Feedback: {e(assignment)}</title>"
            f"<style>{STYLE}</style>{MATHJAX}</head><body><div class='tex2jax_ignore mathjax_ignore'>"
            f"<h1>{e(assignment)} / {e(notebook)}</h1>"
            f"<p>Student: <b>{e(student)}</b>. Autograded tests: <b>{result['score']:g} / {result['max_score']:g}</b>; "
            f"written answers: <b>{written:g} / {written_max:g}</b>{status}. "
            f"Total: <b>{total:g} / {result['max_score'] + written_max:g}</b>.</p>{lateness}"
            f"{''.join(body)}{feedback.notes(result)}</div></body></html>")
