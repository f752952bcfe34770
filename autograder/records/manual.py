"""Written answers: a round trip of files teaching assistants read, fill in and hand back.

    python -m autograder manual export EXPORT_DIR --out OUT_DIR [--assignment A]
      -> EXPORT_DIR/<assignment>.<notebook>.<question>.html   the question, the model answer with its
                                                             rubric, every student's answer (escaped)
         EXPORT_DIR/<assignment>.<notebook>.<question>.csv    one row per student: points and comment
                                                             to fill in (current grades prefilled)
    python -m autograder manual import FILE.csv [FILE.csv ...] --out OUT_DIR

Import checks every row first (known student, question and notebook; points a number within
0..max; blank points = not graded yet, the row is skipped) and writes nothing when any row is
wrong, naming each bad row (file and row number as a spreadsheet shows it). Then the points go to nbgrader's Grade.manual_score
and the comments to Comment.manual_comment, and grades.csv, lms.csv and the feedback pages of
the students concerned are rewritten. The student's answers come from the journal: what was
graded is what the TA sees.
"""
import csv
import html
import re
from pathlib import Path

from .. import course
from . import report
from ..errors import GradingError
from .gradebook import comment, open_gradebook
from .journal import Journal
from ..notebook import grade_id, is_manual, read
from ..text import clean, csv_cell, markdown, uncsv_cell
from ..transforms.fill import reference_answer
from ..transforms.merge import merge

HEADER = ["student", "points", "comment", "max_points", "assignment", "notebook", "question", "answer"]


def answers(path, result, root, limit_mb=0):
    """{grade_id: text} of the written answers in a submission, as merged for grading ({} if unreadable
    or over limit_mb MiB)."""
    try:
        source = read(course.source_notebook(result["assignment"], result["notebook"], root))
        merged, _ = merge(source, read(path, limit_mb))
    except Exception:  # noqa: BLE001 - an unreadable submission has no written answers; it was graded already
        return {}
    wanted = {grade_id(c) for c in source.cells if is_manual(c)}
    return {grade_id(c): c.source for c in merged.cells if grade_id(c) in wanted}


def questions(assignment, root=None):
    """[(notebook, grade_id, max points, question text, model answer)] of an assignment's written answers."""
    found = []
    for path in sorted((course.solutions_dir(root) / assignment).glob("*.ipynb")):
        prompt = []
        for cell in read(path).cells:
            if is_manual(cell):
                found.append((path.stem, grade_id(cell), float(cell.metadata.nbgrader.get("points", 0)),
                              "\n\n".join(prompt), reference_answer(cell)))
                prompt = []
            elif cell.cell_type == "markdown":
                prompt.append(cell.source)
            else:
                prompt = []
    return found


def _safe_name(text):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def _require_gradebook(out_dir, db):
    if not db and not (Path(out_dir) / "gradebook.db").exists():
        raise GradingError(f"{out_dir}: no gradebook.db here (pass the --out folder of autograde, or --db)")


def export(export_dir, out_dir, assignment=None, root=None, db=None, log=print):
    """Write one HTML page and one CSV per written question; returns the CSV paths."""
    known = course.assignments(root)
    if assignment is not None and assignment not in known:
        raise GradingError(f"unknown assignment {assignment!r}; this course has: {', '.join(known)}")
    journal = Journal(out_dir)
    if not journal.latest:
        raise GradingError(f"{out_dir}: no graded submissions (run autograde with --out {out_dir} first)")
    _require_gradebook(out_dir, db)
    export_dir = Path(export_dir)
    export_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with open_gradebook(db, out_dir) as gb:
        for a in [assignment] if assignment else known:
            for nb, gid, top, prompt, model in questions(a, root):
                rows = []
                for key, entry in sorted(journal.latest.items()):
                    res = entry["result"]
                    if res["assignment"] != a or res["notebook"] != nb:
                        continue
                    student = key[0]
                    try:
                        points = gb.find_grade(gid, nb, a, student).manual_score
                        text = gb.find_comment(gid, nb, a, student).manual_comment or ""
                    except Exception:
                        points, text = None, ""
                    rows.append([clean(v) for v in (student, "" if points is None else f"{points:g}", text,
                                                    f"{top:g}", a, nb, gid, entry.get("answers", {}).get(gid, ""))])
                base = export_dir / _safe_name(f"{a}.{nb}.{gid}")
                with open(f"{base}.csv", "w", newline="", encoding="utf-8") as f:
                    # a student's "=HYPERLINK(...)" stays text in a spreadsheet (import undoes the quote)
                    csv.writer(f).writerows([HEADER] + [[csv_cell(v) for v in r] for r in rows])
                Path(f"{base}.html").write_text(clean(_page(a, nb, gid, top, prompt, model, rows)), encoding="utf-8")
                written.append(Path(f"{base}.csv"))
                log(f"{base}.csv and .html: {len(rows)} answer(s) to question {gid} ({top:g} points)")
    return written


def _page(assignment, nb, gid, top, prompt, model, rows):
    e = html.escape
    answers = "".join(
        f"<tr><td>{e(r[0])}</td><td>{markdown(r[7]) if r[7].strip() else '<i>no answer</i>'}</td>"
        f"<td>{e(r[1]) or '-'} / {e(r[3])}</td><td>{e(r[2])}</td></tr>" for r in rows)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{e(assignment)} {e(gid)}</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
            "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;vertical-align:top}"
            ".model{background:#e8f0fe;padding:.5rem 1rem}</style></head><body>"
            f"<h1>{e(assignment)} / {e(nb)}: {e(gid)} ({top:g} points)</h1><h2>Question</h2>{markdown(prompt)}"
            f"<h2>Model answer and rubric</h2><div class='model'>{markdown(model)}</div>"
            f"<h2>Answers ({len(rows)})</h2><p>Enter points and comments in the CSV file of the same name, "
            "then: <code>python -m autograder manual import FILE.csv --out OUT_DIR</code></p>"
            f"<table><tr><th>student</th><th>answer</th><th>points</th><th>comment</th></tr>{answers}</table>"
            "</body></html>")


def _read_rows(path):
    """[(row number, row dict)] of one CSV file; GradingError when it is not one of ours."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = {"student", "points", "comment", "assignment", "notebook", "question"} - set(reader.fieldnames or [])
            if missing:
                raise GradingError(f"{path}: not a written-answers file (missing columns: {', '.join(sorted(missing))})")
            # spreadsheet row numbers (the header is row 1); cells as export wrote them, unquoted
            return [(n, {k: uncsv_cell(v) if isinstance(v, str) else v for k, v in row.items()})
                    for n, row in enumerate(reader, 2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GradingError(f"{path}: cannot be read as CSV ({exc.__class__.__name__}: {exc})") from None


def import_(files, out_dir, root=None, db=None, log=print):
    """Validate every row of every file, then store the points and comments; returns the number stored."""
    _require_gradebook(out_dir, db)
    rows = [(path, line, row) for path in files for line, row in _read_rows(path)]
    journal = Journal(out_dir)
    updates, errors = [], []
    with open_gradebook(db, out_dir) as gb:
        for path, line, row in rows:
            where = f"{path} row {line}"
            student, a, nb, gid = (row.get(k) or "" for k in ("student", "assignment", "notebook", "question"))
            text = (row.get("points") or "").strip()
            if not text:
                continue
            try:
                grade = gb.find_grade(gid, nb, a, student)
            except Exception:
                errors.append(f"{where}: no written answer {a}/{nb}/{gid} of student {student!r} in the gradebook")
                continue
            top = float(grade.max_score or 0.0)
            try:
                points = float(text)
            except ValueError:
                errors.append(f"{where}: points {text!r} is not a number")
                continue
            if gid not in report.manual_ids(str(course.course_root(root)), a, nb):
                errors.append(f"{where}: {gid} is an autograded test, not a written answer")
            elif not 0 <= points <= top:
                errors.append(f"{where}: points {points:g} outside 0..{top:g}")
            else:
                updates.append((grade, points, (row.get("comment") or "").strip(), (student, a, nb, gid)))
        if errors:
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise GradingError(f"nothing imported, {len(errors)} bad row(s): " + "; ".join(errors[:5]) + more)
        for grade, points, text, (student, a, nb, gid) in updates:
            grade.manual_score = points
            grade.needs_manual_grade = False
            comment(gb, gid, nb, a, student).manual_comment = text
        gb.db.commit()
        touched = {(s, a, nb) for *_, (s, a, nb, _) in updates}
        current = {k: v for k, v in journal.latest.items()}
        pages = {k for k, v in current.items() if (k[0], v["result"]["assignment"], v["result"]["notebook"]) in touched}
        report.write_all(out_dir, gb, current, course.course_root(root), log, pages=pages)
    log(f"imported {len(updates)} grade(s) for {len(touched)} notebook(s); {len(pages)} feedback page(s) regenerated")
    return len(updates)
