"""Written answers, the TA's round trip (autograder/records/manual.py): export, fill, import, a
resubmission, export again. A point is only ever final for the answer it was given for; math
reaches the TA's page and the feedback page exactly as the student wrote it, for MathJax.
"""
import csv
import re
import shutil
from pathlib import Path

import pytest

from autograder.grade.autograde import autograde
from autograder.records import manual
from autograder.records.gradebook import open_gradebook
from autograder.notebook import write
from autograder.text import MATHJAX, MATHJAX_SRC, markdown
from autograder.transforms.fill import fill

ROOT = Path(__file__).resolve().parents[3]
MATH = r"We get $\frac{a}{b}\,x \\ y$ on $S = \{1,2\}$, also $$\{x\} \\ z$$ and \(a\,b\) and \[c \\ d\]."
SPANS = [r"\(\frac{a}{b}\,x \\ y\)", r"\(S = \{1,2\}\)", r"\[\{x\} \\ z\]", r"\(a\,b\)", r"\[c \\ d\]"]
Q1, Q2 = "optimizers.optimizers.q1_answer.csv", "optimizers.optimizers.q2_answer.csv"


def quiet(message):
    pass


def submit(subs, student, released, source, answers):
    write(fill(released, source, answers), subs / student / "optimizers" / "optimizers.ipynb")


def sheet(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def fill_sheet(path, points):
    """Set the points of the rows of {student: points}; every other cell as export wrote it."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    at = rows[0].index("points")
    for r in rows[1:]:
        if r[0] in points:
            r[at] = points[r[0]]
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def grades(out):
    with open(out / "grades.csv", newline="") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def gradebook(out, student, question="q1_answer"):
    with open_gradebook(out / "gradebook.db") as gb:
        g = gb.find_grade(question, "optimizers", "optimizers", student)
        return g.manual_score, g.needs_manual_grade


def check_totals(out):
    """grades.csv, lms.csv and the gradebook agree."""
    table = grades(out)
    with open(out / "lms.csv", newline="") as f:
        lms = {r["student"]: r for r in csv.DictReader(f)}
    with open_gradebook(out / "gradebook.db") as gb:
        for student, r in table.items():
            sub = gb.find_submission("optimizers", student)
            nb = gb.find_submission_notebook("optimizers", "optimizers", student)
            manual_points = sum(g.score or 0 for g in nb.grades if g.name in ("q1_answer", "q2_answer"))
            assert float(r["manual"]) == manual_points
            assert float(r["total"]) == float(sub.score) == float(lms[student]["optimizers"])
            assert int(r["needs_manual"]) == sum(bool(g.needs_manual_grade) for g in nb.grades
                                                 if g.name in ("q1_answer", "q2_answer"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory, released_nb, source_nb, grading_config):
    """alice: math in q1; bob: q1 left as released, q2 blank; carol: plain answers. Graded once."""
    base = tmp_path_factory.mktemp("written")
    subs, out = base / "class", base / "out"
    submit(subs, "alice", released_nb, source_nb, {"q1_answer": MATH})
    submit(subs, "bob", released_nb, source_nb, {"q1_answer": "YOUR ANSWER HERE", "q2_answer": "  \n"})
    submit(subs, "carol", released_nb, source_nb, {"q1_answer": "Sums never shrink.", "q2_answer": "Identity."})
    autograde(subs, out, cfg=grading_config, log=quiet)
    return base


@pytest.fixture
def run(graded, tmp_path):
    """A copy of the graded class and its outputs, for one test to change."""
    shutil.copytree(graded / "class", tmp_path / "class")
    shutil.copytree(graded / "out", tmp_path / "out")
    return tmp_path


def test_resubmitted_answer_is_never_graded_by_its_old_point(run, released_nb, source_nb, grading_config):
    out, ta = run / "out", run / "ta"
    manual.export(ta, out, log=quiet)
    first = sheet(ta / Q1)
    assert {s: r["status"] for s, r in first.items()} == {"alice": "new", "bob": "unanswered", "carol": "new"}
    assert first["carol"]["points"] == "" and first["carol"]["previous_points"] == ""
    fill_sheet(ta / Q1, {"alice": "2", "carol": "1"})
    fill_sheet(ta / Q2, {"alice": "4", "carol": "3"})
    assert manual.import_([ta / Q1, ta / Q2], out, log=quiet) == 6  # bob's two unanswered rows: 0, final
    assert gradebook(out, "carol") == (1, False)
    assert gradebook(out, "bob") == (0, False) and gradebook(out, "bob", "q2_answer") == (0, False)
    assert grades(out)["bob"]["needs_manual"] == "0"
    check_totals(out)

    # carol resubmits a different q1 answer; q2 unchanged
    submit(run / "class", "carol", released_nb, source_nb,
           {"q1_answer": "A sum of squares only grows, so steps shrink like 1/sqrt(t).", "q2_answer": "Identity."})
    autograde(run / "class", out, cfg=grading_config, log=quiet)
    assert grades(out)["carol"]["needs_manual"] == "1"
    manual.export(ta, out, log=quiet)
    again = sheet(ta / Q1)
    assert again["carol"]["status"] == "changed since graded"
    assert again["carol"]["points"] == "" and again["carol"]["previous_points"] == "1"
    assert "only grows" in again["carol"]["answer"]
    assert (again["alice"]["status"], again["alice"]["points"]) == ("graded", "2")  # prefilled: her answer is current
    assert sheet(ta / Q2)["carol"]["status"] == "graded"
    page = (ta / Q1).with_suffix(".html").read_text()
    assert "changed since graded" in page and "before the change: 1" in page

    # the unchanged sheet imported: carol's new answer still needs reading
    manual.import_([ta / Q1, ta / Q2], out, log=quiet)
    assert gradebook(out, "carol")[1] is True
    assert grades(out)["carol"]["needs_manual"] == "1"
    check_totals(out)
    # a TA grades it: final
    fill_sheet(ta / Q1, {"carol": "2"})
    manual.import_([ta / Q1], out, log=quiet)
    assert gradebook(out, "carol") == (2, False) and grades(out)["carol"]["needs_manual"] == "0"
    check_totals(out)


def test_a_sheet_older_than_the_resubmission_is_skipped(run, released_nb, source_nb, grading_config):
    """Exported, then carol resubmits, then the TA's points (for her old answer) come back."""
    out, ta = run / "out", run / "ta"
    manual.export(ta, out, "optimizers", log=quiet)
    fill_sheet(ta / Q1, {"alice": "2", "carol": "2"})
    submit(run / "class", "carol", released_nb, source_nb, {"q1_answer": "Something else entirely."})
    autograde(run / "class", out, cfg=grading_config, log=quiet)
    lines = []
    assert manual.import_([ta / Q1], out, log=lines.append) == 2  # alice's and bob's rows
    assert any("row 4: skipped: carol's answer to q1_answer changed since this sheet was exported" in l
               for l in lines), lines
    assert gradebook(out, "carol") == (None, True) and gradebook(out, "alice") == (2, False)
    # a sheet without the digest column (an older version, or a hand-made one) is refused whole
    rows = list(csv.reader(open(ta / Q1, newline="", encoding="utf-8")))
    at = rows[0].index("answer_sha256")
    old = ta / "old.csv"
    with open(old, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([r[:at] + r[at + 1:] for r in rows])
    with pytest.raises(Exception, match="missing columns: answer_sha256"):
        manual.import_([old], out, log=quiet)


def test_unanswered_rows_are_prefilled_and_overridable(run):
    out, ta = run / "out", run / "ta"
    manual.export(ta, out, "optimizers", log=quiet)
    bob = sheet(ta / Q2)["bob"]
    assert (bob["status"], bob["points"], bob["comment"]) == ("unanswered", "0", "no answer")
    fill_sheet(ta / Q2, {"bob": "1"})  # the TA overrides
    manual.import_([ta / Q2], out, log=quiet)
    assert gradebook(out, "bob", "q2_answer") == (1, False)
    manual.export(ta, out, "optimizers", log=quiet)
    assert (sheet(ta / Q2)["bob"]["status"], sheet(ta / Q2)["bob"]["points"]) == ("graded", "1")


def test_export_writes_sheets_only_for_submitted_assignments(run):
    files = manual.export(run / "ta", run / "out", log=quiet)
    assert sorted(p.name for p in files) == [Q1, Q2]
    assert sorted(p.name for p in (run / "ta").iterdir()) == sorted([Q1, Q2, Q1[:-3] + "html", Q2[:-3] + "html"])


def math_spans(page):
    return re.findall(r'<(?:span|div) class="math notranslate nohighlight">(.*?)</(?:span|div)>', page)


def test_math_reaches_the_pages_verbatim(run):
    """Before: markdown's escapes ate `\\,` `\\\\` `\\{` and no page loaded MathJax."""
    out, ta = run / "out", run / "ta"
    manual.export(ta, out, "optimizers", log=quiet)
    page = (ta / Q1).with_suffix(".html").read_text()
    feedback = (out / "feedback" / "alice" / "optimizers" / "optimizers.html").read_text()
    for shown in (page, feedback):
        assert MATHJAX in shown and MATHJAX_SRC in shown and "tex2jax_ignore mathjax_ignore" in shown
        assert all(span in math_spans(shown) for span in SPANS), math_spans(shown)
    assert "<pre class='written'>" + MATH.replace("&", "&amp;") in page  # and exactly as written
    # the question's and model answer's math too (the 4-point proof: a pmatrix with \\)
    proof = (ta / Q2).with_suffix(".html").read_text()
    assert r"\(W_1 = \begin{pmatrix} I_d \\ -I_d \end{pmatrix}\)" in math_spans(proof)
    assert sheet(ta / Q1)["alice"]["answer"] == MATH


@pytest.mark.parametrize("text, spans", [
    (r"$a<b$ <script>x</script>", [r"\(a&lt;b\)"]),
    ("costs \\$5 and `$x$` in code", []),
    (r"$$\sum_i x_i$$", [r"\[\sum_i x_i\]"]),
    ("$$\n\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}\n$$", [r"\[\begin{aligned} a &amp;= b \\ c &amp;= d \end{aligned}\]"]),
    (r"\(x\) no close \(", [r"\(x\)"]),
])
def test_markdown_math_spans(text, spans):
    html = markdown(text)
    assert math_spans(html) == spans
    assert "<script>" not in html
