"""Written answers: a round trip of files teaching assistants read, fill in and hand back.

    python -m autograder manual export EXPORT_DIR --out OUT_DIR [--assignment A]
      -> EXPORT_DIR/<assignment>.<notebook>.<question>.html   the question, the model answer with its
                                                             rubric, every student's answer (escaped,
                                                             math typeset by MathJax as in the book)
         EXPORT_DIR/<assignment>.<notebook>.<question>.csv    one row per student: points and comment
                                                             to fill in, the row's status
    python -m autograder manual import FILE.csv [FILE.csv ...] --out OUT_DIR

Without --assignment, only the assignments someone submitted. Each row's `status`:
- "new": never graded; points blank;
- "graded": points entered for exactly this answer (prefilled with its comment);
- "changed since graded": the student resubmitted a different answer after its points were
  entered: points blank (a TA reads it again), the old ones in `previous_points`;
- "unanswered": the cell is empty or still says YOUR ANSWER HERE: prefilled 0, "no answer" (the
  TA may override it), final when imported as it is.
A row carries `answer_sha256`, the digest of the answer it shows. Import checks every row first
(known student, question and notebook; points a number within 0..max; blank points = not graded
yet, the row is skipped) and writes nothing when any row is wrong, naming each bad row (file and
row number as a spreadsheet shows it). A row whose answer is no longer the student's current one
(resubmitted since the export) is skipped with a message: a point is only ever stored for the
answer it was given for. The points go to nbgrader's Grade.manual_score, the comments to
Comment.manual_comment, the answer's digest to the journal ("marked"); the late penalties of the
submissions concerned are worked out again on their new points (autograder.records.late, with the
course's late_penalty setting); grades.csv, lms.csv and the feedback pages of the students
concerned are rewritten. The student's answers come from the
journal: what was graded is what the TA sees.
"""
import csv
import html
import re
from pathlib import Path

from .. import course
from . import late, report
from .. import config
from ..errors import GradingError
from .gradebook import comment, open_gradebook
from .journal import Journal, sha256
from ..notebook import grade_id, is_manual, read
from ..text import MARKDOWN_LIMIT, MATHJAX, clean, csv_cell, markdown, uncsv_cell
from ..transforms.fill import reference_answer
from ..transforms.merge import merge

HEADER = ["student", "status", "points", "comment", "previous_points", "max_points", "assignment", "notebook",
          "question", "answer_sha256", "answer"]
NEW, GRADED, CHANGED, UNANSWERED = "new", "graded", "changed since graded", "unanswered"
PLACEHOLDER = "YOUR ANSWER HERE"  # what nbgrader's release leaves in a written-answer cell
NO_ANSWER = "no answer"


def digest(text):
    """The digest a sheet row carries of the answer it shows (text as the journal holds it)."""
    return "sha256:" + sha256(clean(text or "").encode("utf-8"))


def unanswered(text):
    return (text or "").strip() in ("", PLACEHOLDER)


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


def _row(gb, journal, student, a, nb, gid, top, text):
    """One sheet row (a dict over HEADER) of a student's current answer, with its status."""
    try:
        grade = gb.find_grade(gid, nb, a, student)
        points, needs = grade.manual_score, grade.needs_manual_grade
    except Exception:
        points, needs = None, True
    try:
        note = gb.find_comment(gid, nb, a, student).manual_comment or ""
    except Exception:
        note = ""
    mark, current = journal.marked.get((student, a, nb, gid)), digest(text)
    # graded for this very answer: imported for it, or (entered before answers were marked, by another
    # tool) never flagged as changed by autograde since
    graded = points is not None and (mark == current or (mark is None and not needs))
    row = {"student": student, "points": "", "comment": "", "previous_points": "", "max_points": f"{top:g}",
           "assignment": a, "notebook": nb, "question": gid, "answer_sha256": current, "answer": text}
    if graded:
        row.update(status=GRADED, points=f"{points:g}", comment=note)
    elif unanswered(text):
        row.update(status=UNANSWERED, points="0", comment=NO_ANSWER)
    else:
        row["status"] = NEW if points is None else CHANGED
    if points is not None and not graded:
        row["previous_points"] = f"{points:g}"
    return {k: clean(v) for k, v in row.items()}


def export(export_dir, out_dir, assignment=None, root=None, db=None, log=print):
    """Write one HTML page and one CSV per written question; returns the CSV paths."""
    known = course.assignments(root)
    if assignment is not None and assignment not in known:
        raise GradingError(f"unknown assignment {assignment!r}; this course has: {', '.join(known)}")
    journal = Journal(out_dir)
    if not journal.latest:
        raise GradingError(f"{out_dir}: no graded submissions (run autograde with --out {out_dir} first)")
    _require_gradebook(out_dir, db)
    submitted = {entry["result"]["assignment"] for entry in journal.latest.values()}
    export_dir = Path(export_dir)
    export_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with open_gradebook(db, out_dir) as gb:
        for a in [assignment] if assignment else [a for a in known if a in submitted]:
            for nb, gid, top, prompt, model in questions(a, root):
                rows = [_row(gb, journal, key[0], a, nb, gid, top, entry.get("answers", {}).get(gid, ""))
                        for key, entry in sorted(journal.latest.items())
                        if entry["result"]["assignment"] == a and entry["result"]["notebook"] == nb]
                base = export_dir / _safe_name(f"{a}.{nb}.{gid}")
                with open(f"{base}.csv", "w", newline="", encoding="utf-8") as f:
                    # a student's "=HYPERLINK(...)" stays text in a spreadsheet (import undoes the quote)
                    csv.writer(f).writerows([HEADER] + [[csv_cell(r[k]) for k in HEADER] for r in rows])
                Path(f"{base}.html").write_text(clean(_page(a, nb, gid, top, prompt, model, rows)), encoding="utf-8")
                written.append(Path(f"{base}.csv"))
                todo = sum(r["status"] in (NEW, CHANGED) for r in rows)
                log(f"{base}.csv and .html: {len(rows)} answer(s) to question {gid} ({top:g} points), "
                    f"{todo} to read")
    return written


def _page(assignment, nb, gid, top, prompt, model, rows):
    """The TA's page; rows: dicts over HEADER."""
    e = html.escape

    def answer(r):
        if unanswered(r["answer"]):
            return "<i>no answer</i>"
        if len(r["answer"]) > MARKDOWN_LIMIT:
            return markdown(r["answer"])  # shown as written already
        # rendered (math typeset), then exactly as written
        return (f"{markdown(r['answer'])}<details><summary>as written</summary>"
                f"<pre class='written'>{e(r['answer'])}</pre></details>")

    def points(r):
        was = f"<br><small>before the change: {e(r['previous_points'])}</small>" if r["previous_points"] else ""
        return f"{e(r['points']) or '-'} / {e(r['max_points'])}{was}"

    answers = "".join(
        f"<tr class='{e(r['status'].split()[0])}'><td>{e(r['student'])}</td><td>{e(r['status'])}</td>"
        f"<td>{answer(r)}</td><td>{points(r)}</td><td>{e(r['comment'])}</td></tr>" for r in rows)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{e(assignment)} {e(gid)}</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
            "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;vertical-align:top}"
            ".model{background:#e8f0fe;padding:.5rem 1rem}.new,.changed{background:#fef7e0}"
            "pre.written{white-space:pre-wrap;background:#f8f8f8;padding:.4rem}</style>"
            f"{MATHJAX}</head><body><div class='tex2jax_ignore mathjax_ignore'>"
            f"<h1>{e(assignment)} / {e(nb)}: {e(gid)} ({top:g} points)</h1><h2>Question</h2>{markdown(prompt)}"
            f"<h2>Model answer and rubric</h2><div class='model'>{markdown(model)}</div>"
            f"<h2>Answers ({len(rows)})</h2><p>Enter points and comments in the CSV file of the same name "
            "(rows marked new or changed since graded need reading), "
            "then: <code>python -m autograder manual import FILE.csv --out OUT_DIR</code></p>"
            "<table><tr><th>student</th><th>status</th><th>answer</th><th>points</th><th>comment</th></tr>"
            f"{answers}</table></div></body></html>")


def _read_rows(path):
    """[(row number, row dict)] of one CSV file; GradingError when it is not one of ours."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = ({"student", "points", "comment", "assignment", "notebook", "question", "answer_sha256"}
                       - set(reader.fieldnames or []))
            if missing:
                raise GradingError(f"{path}: not a written-answers file of this version (missing columns: "
                                   f"{', '.join(sorted(missing))}): export again")
            # spreadsheet row numbers (the header is row 1); cells as export wrote them, unquoted
            return [(n, {k: uncsv_cell(v) if isinstance(v, str) else v for k, v in row.items()})
                    for n, row in enumerate(reader, 2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GradingError(f"{path}: cannot be read as CSV ({exc.__class__.__name__}: {exc})") from None


def import_(files, out_dir, root=None, db=None, log=print, cfg=None):
    """Validate every row of every file, then store the points and comments; returns the number stored.

    cfg: the settings (default: the course's grading.toml), for the late penalty."""
    _require_gradebook(out_dir, db)
    cfg = cfg or config.load(course.course_root(root))
    penalty = late.plugin(cfg.late_penalty, course.course_root(root))
    rows = [(path, line, row) for path in files for line, row in _read_rows(path)]
    updates, errors, stale = [], [], []
    with Journal(out_dir) as journal, open_gradebook(db, out_dir) as gb:
        current = {(k[0], v["result"]["assignment"], v["result"]["notebook"]): v for k, v in journal.latest.items()}
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
            entry = current.get((student, a, nb))
            if gid not in report.manual_ids(str(course.course_root(root)), a, nb):
                errors.append(f"{where}: {gid} is an autograded test, not a written answer")
            elif not 0 <= points <= top:
                errors.append(f"{where}: points {points:g} outside 0..{top:g}")
            elif entry is None:
                errors.append(f"{where}: no graded submission of {a}/{nb} by {student!r} in the journal")
            elif (row.get("answer_sha256") or "").strip() != digest(entry.get("answers", {}).get(gid, "")):
                stale.append(f"{where}: skipped: {student}'s answer to {gid} changed since this sheet was exported")
            else:
                updates.append((grade, points, (row.get("comment") or "").strip(), (student, a, nb, gid)))
        if errors:
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise GradingError(f"nothing imported, {len(errors)} bad row(s): " + "; ".join(errors[:5]) + more)
        for grade, points, text, key in updates:
            grade.manual_score = points
            grade.needs_manual_grade = False
            comment(gb, key[3], key[2], key[1], key[0]).manual_comment = text
        gb.db.commit()
        for student, a in sorted({key[:2] for *_, key in updates}):
            late.penalize(gb, student, a, penalty, cfg.late_penalty)
        for *_, key in updates:
            journal.mark(key, digest(current[key[:3]].get("answers", {}).get(key[3], "")))
        touched = {key[:3] for *_, key in updates}
        pages = {k for k, v in journal.latest.items() if (k[0], v["result"]["assignment"], v["result"]["notebook"]) in touched}
        report.write_all(out_dir, gb, dict(journal.latest), course.course_root(root), log, pages=pages)
    for line in stale:
        log(line)
    if stale:
        log(f"{len(stale)} row(s) skipped: those students resubmitted; export again to grade their new answers")
    log(f"imported {len(updates)} grade(s) for {len(touched)} notebook(s); {len(pages)} feedback page(s) regenerated")
    return len(updates)
