"""Text a submission controls reaches a database, a file, a terminal or a spreadsheet only made safe
(autograder/text.py): folder names the gradebook cannot hold, lone surrogates, spreadsheet
formulas, terminal escape sequences. Each case is graded in a class beside an honest neighbour
whose grade must not change, and the run must write every output.
"""
import csv
import subprocess
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell

from autograder.records import manual
from autograder.grade.autograde import autograde
from autograder.records.gradebook import open_gradebook
from autograder.notebook import grade_id, write
from autograder.text import bad_id, clean, csv_cell, for_terminal, uncsv_cell
from autograder.transforms.fill import fill
from classroom import FULL, OPTIMIZERS, WRITTEN

ROOT = Path(__file__).resolve().parents[3]
LONG = "s" * 130
FORMULA = '=HYPERLINK("http://evil.example/x","click for full marks")'
FAKE = "\x1b[2K\r\x1b[1Ascore: 7 / 7 (autograded)"


def with_cell(released_nb, source_nb, code, answers=None):
    nb = fill(released_nb, source_nb, answers)
    at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "adam")
    nb.cells.insert(at + 1, new_code_cell(code))
    return nb


@pytest.fixture(scope="module")
def klass(tmp_path_factory, released_nb, source_nb):
    subs = tmp_path_factory.mktemp("escaping-class")
    honest = fill(released_nb, source_nb)
    write(honest, subs / "honest" / "optimizers" / "optimizers.ipynb")
    write(honest, subs / LONG / "optimizers" / "optimizers.ipynb")
    path = subs / "surrogate" / "optimizers" / "optimizers.ipynb"
    write(with_cell(released_nb, source_nb, "raise ValueError('broken ' + chr(0xd800) + ' text')",
                    {"q1_answer": "a lone surrogate SURROGATE in my answer"}), path)
    path.write_text(path.read_text().replace("SURROGATE", "\\ud800"))  # valid JSON, a lone surrogate in Python
    write(fill(released_nb, source_nb, {"q1_answer": FORMULA, "q2_answer": "-1 is fine\n@everyone"}),
          subs / "formula" / "optimizers" / "optimizers.ipynb")
    write(fill(released_nb, source_nb, {"adam": f"def adam(w, dw, config=None):\n    raise RuntimeError({FAKE!r})\n"}),
          subs / "terminal" / "optimizers" / "optimizers.ipynb")
    return subs


def run_class(klass, out, grading_config, db=None):
    logs = []
    results = dict(autograde(klass, out, cfg=grading_config, log=logs.append, db=db))
    return results, logs


def check_outputs(results, out, db=None):
    assert results["honest"]["score"] == FULL
    assert LONG not in results
    assert f"{LONG}: not graded: its name is 130 characters long" in (out / "intake.txt").read_text()
    for student in ("honest", "surrogate", "formula", "terminal"):
        page = out / "feedback" / student / "optimizers" / "optimizers.html"
        assert page.is_file(), page
        page.read_text(encoding="utf-8")  # valid UTF-8
    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv", encoding="utf-8"))}
    assert set(rows) == {"honest", "surrogate", "formula", "terminal"}
    assert float(rows["honest"]["score"]) == FULL
    assert (out / "lms.csv").is_file()
    with open_gradebook(db or out / "gradebook.db") as gb:
        assert sorted(s.id for s in gb.students) == ["formula", "honest", "surrogate", "terminal"]
        assert gb.find_submission("optimizers", "honest").score == FULL


def test_sqlite_class_finishes_with_every_output(klass, tmp_path, grading_config):
    out = tmp_path / "out"
    results, _ = run_class(klass, out, grading_config)
    check_outputs(results, out)
    page = (out / "feedback" / "surrogate" / "optimizers" / "optimizers.html").read_text(encoding="utf-8")
    assert "a lone surrogate \ufffd in my answer" in page


@pytest.mark.postgres
def test_postgresql_class_finishes_with_every_output(klass, tmp_path, grading_config, postgres_url):
    """Before: the 130-character folder ended the run with a traceback before grades.csv, every rerun."""
    out = tmp_path / "out"
    results, _ = run_class(klass, out, grading_config, db=postgres_url)
    check_outputs(results, out, db=postgres_url)
    results, _ = run_class(klass, out, grading_config, db=postgres_url)  # a rerun as well
    check_outputs(results, out, db=postgres_url)


def test_manual_export_and_import_round_trip(klass, tmp_path, grading_config):
    """A surrogate no longer breaks the export; a formula stays text in the sheet; an unchanged sheet
    imports back exactly what it holds."""
    out = tmp_path / "out"
    run_class(klass, out, grading_config)
    sheets = manual.export(tmp_path / "ta", out, "optimizers", ROOT, log=lambda m: None)
    q1 = next(p for p in sheets if p.name.endswith("q1_answer.csv"))
    raw = list(csv.reader(open(q1, encoding="utf-8")))
    cells = [c for row in raw for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells), cells
    assert "'" + FORMULA in cells
    assert "a lone surrogate \ufffd in my answer" in cells
    assert "<a " not in (tmp_path / "ta" / q1.with_suffix(".html").name).read_text()
    # the TA fills in points and a comment that looks like a formula; import stores them verbatim
    header, *body = raw
    for row in body:
        row[header.index("points")] = "1"
        row[header.index("comment")] = csv_cell("=SUM(A1:A9) is not how you do it")
    with open(q1, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header] + body)
    assert manual.import_([q1], out, ROOT, log=lambda m: None) == len(body)
    with open_gradebook(out / "gradebook.db") as gb:
        from autograder.records.gradebook import comment
        assert comment(gb, "q1_answer", "optimizers", "optimizers", "formula").manual_comment == \
            "=SUM(A1:A9) is not how you do it"
        assert gb.find_grade("q1_answer", "optimizers", "optimizers", "formula").manual_score == 1


def test_grade_prints_no_terminal_escape(klass):
    """Before: `grade` printed the kernel's escape sequences; a fake "score: 7 / 7" was drawn over the real one."""
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade",
                           klass / "terminal" / "optimizers" / "optimizers.ipynb", "--assignment", "optimizers"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr
    assert "\\x1b[2K" in proc.stdout  # shown, not obeyed
    base = FULL - OPTIMIZERS["test_adam"]
    assert proc.stdout.strip().splitlines()[-1] == (f"score: {base:g} / {FULL:g} (autograded); written answers: "
                                                    f"{WRITTEN:g} more points, graded by hand; total so far: "
                                                    f"{base:g} / {FULL + WRITTEN:g}")


@pytest.mark.parametrize("value", [FORMULA, "'=x", "'hello", "-1", "+44 20", "@SUM(1)", "\tx", "plain", ""])
def test_csv_cells_round_trip(value):
    assert uncsv_cell(csv_cell(value)) == value
    assert not csv_cell(value).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_text_helpers():
    assert clean("a\ud800b") == "a\ufffdb"
    assert for_terminal("x\x1b[31my\x07\u202e") == "x\\x1b[31my\\x07\\u202e"
    assert for_terminal("line\n\tindent") == "line\n\tindent"
    assert bad_id("a" * 128) is None and "129 characters" in bad_id("a" * 129)
    assert bad_id("bad\udcffname") and bad_id("tab\x1bname") and bad_id("alice") is None
