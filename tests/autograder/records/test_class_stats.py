"""Class statistics (stats.csv, stats.html) of a small graded class, checked against the journal and
grades.csv read independently here; a regrade, a hostile failure message, the `stats` verb."""
import csv
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from autograder.grade.autograde import autograde
from autograder.records import stats
from autograder.records.gradebook import open_gradebook
from autograder.transforms.fill import fill

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import classroom  # noqa: E402 (tests/autograder/classroom.py: the class-grading harness)
from classroom import FULL, OPTIMIZERS, WRITTEN  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
VARIANTS = ROOT / "tests" / "autograder" / "variants" / "optimizers"
HOSTILE = "<script>alert(1)</script>\x1b[2J\x1b[31m FULL MARKS"


def _variant(name):
    path = VARIANTS / f"{name}.py"
    return {classroom.header(path)["answer"]: path.read_text()}


def _write(folder, nb):
    from autograder.notebook import write
    write(nb, classroom.notebook_path(folder, "optimizers"))


def _members():
    released, source = classroom.notebooks("optimizers")
    answers = {"ref1": {}, "ref2": {},
               "wrong-bias": _variant("wrong-adam-no-bias-correction"),
               "wrong-lr": _variant("wrong-adam-default-learning-rate"),
               "hostile": {"sgd_momentum": f"def sgd_momentum(w, dw, config=None):\n    raise ValueError({HOSTILE!r})\n"}}
    members = {name: lambda folder, a=a: _write(folder, fill(released, source, a)) for name, a in answers.items()}
    members["blank"] = lambda folder: _write(folder, released)

    def malformed(folder):
        path = classroom.notebook_path(folder, "optimizers")
        path.parent.mkdir(parents=True)
        path.write_text('{"cells": [')
    members["malformed"] = malformed
    return members


@pytest.fixture(scope="module")
def graded(tmp_path_factory, grading_config):
    return classroom.grade_class(tmp_path_factory, "stats", _members(), grading_config)


def journal_latest(out):
    """{(student, assignment, notebook): journal entry}: the last result line of each, read here on its own."""
    latest = {}
    for line in (Path(out) / "journal.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry["kind"] == "result":
            latest[(entry["key"][0], entry["result"]["assignment"], entry["result"]["notebook"])] = entry
    return latest


def stats_rows(out):
    with open(Path(out) / "stats.csv", newline="", encoding="utf-8") as f:
        return {(r["assignment"], r["notebook"], r["test"]): r for r in csv.DictReader(f)}


def expected(latest):
    """What each test's row must say, counted from the journal's results."""
    want = {}
    for entry in latest.values():
        result, answers = entry["result"], entry["answers"]
        for t in result["tests"]:
            w = want.setdefault(("optimizers", result["notebook"], t["id"]), {"graded": 0, "points": 0.0, **Counter()})
            w["graded"] += 1
            w[t["status"]] = w.get(t["status"], 0) + 1
            w["points"] += t["points"]
            w["answered"] = w.get("answered", 0) + (t["status"] == "manual" and answers.get(t["id"], "").strip()
                                                    not in ("", "YOUR ANSWER HERE"))
    return want


def test_stats_csv_counts_match_the_journal(graded):
    out = graded["out"]
    rows, want = stats_rows(out), expected(journal_latest(out))
    assert set(rows) == set(want) and len(rows) == len(OPTIMIZERS) + 2  # the tests, 2 written questions
    for where, w in want.items():
        r = rows[where]
        assert int(r["graded"]) == w["graded"] == 7, where
        if where[2].startswith("test_"):
            assert r["kind"] == "autograded"
            for status in ("passed", "partial", "failed", "error", "timeout"):
                assert int(r[status]) == w.get(status, 0), (where, status)
            assert float(r["pass_rate"]) == pytest.approx(w.get("passed", 0) / 7, abs=1e-3)
            assert float(r["mean_points"]) == pytest.approx(w["points"] / 7, rel=1e-2)
        else:
            assert r["kind"] == "written" and r["pass_rate"] == "" and r["passed"] == ""
            assert int(r["answered"]) == w["answered"] and int(r["hand_graded"]) == 0 and r["mean_points"] == ""
    # and what the class was made to be: the grader's verdicts, counted by hand
    assert int(rows["optimizers", "optimizers", "test_adam"]["passed"]) == 3  # ref1, ref2, hostile
    assert int(rows["optimizers", "optimizers", "test_sgd_momentum"]["passed"]) == 4  # ref1, ref2, wrong-*
    assert int(rows["optimizers", "optimizers", "test_sgd_momentum"]["common_failure_count"]) >= 1
    assert int(rows["optimizers", "optimizers", "q1_answer"]["answered"]) == 5  # all but blank and malformed


def test_totals_match_grades_csv(graded):
    out = graded["out"]
    with open(out / "grades.csv", newline="") as f:
        totals = {r["student"]: float(r["total"]) for r in csv.DictReader(f)}
    computed = stats.from_journal(out)
    assert {s: t for s, (t, _) in computed["totals"]["optimizers"].items()} == pytest.approx(totals)
    assert {m for _, m in computed["totals"]["optimizers"].values()} == {FULL + WRITTEN}  # autograded + written


def test_hostile_failure_message_is_escaped_on_the_page(graded):
    page = (graded["out"] / "stats.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(#)&lt;/script&gt;" in page  # grouped (numbers out), escaped
    assert "<script" not in page.lower() and "\x1b" not in page and "\\x1b[#J" in page
    assert page.count("data:image/png;base64,") == 2  # the histogram and the pass-rate bars
    # hardest first: the table's tests in order of pass rate
    rates = [float(x) for x in __import__("re").findall(r"<td class=n>([01]\.\d{3})</td>", page)]
    assert rates == sorted(rates) and len(rates) == len(OPTIMIZERS)
    assert "\x1b" not in (graded["out"] / "stats.csv").read_text(encoding="utf-8")


def test_normalise_groups_the_same_mistake():
    a = stats.normalise("relative error 3.2e-01 > 1e-6 at /tmp/run-8/x.py line 12")
    assert a == stats.normalise("relative error 0.5 > 1e-6 at /srv/other/y.py line 3")
    assert a == "relative error # > # at <path> line #"
    assert stats.normalise("a\x1b[2Jb") == "a\\x1b[#Jb"
    assert len(stats.normalise("x" * 5000)) == stats.MESSAGE_LIMIT


def test_a_regrade_replaces_the_students_row(graded, grading_config, tmp_path):
    out, cls = tmp_path / "out", tmp_path / "class"
    shutil.copytree(graded["out"], out)
    shutil.copytree(graded["subs"], cls)
    before = stats_rows(out)
    nb = "optimizers/optimizers.ipynb"
    shutil.copy(cls / "ref1" / nb, cls / "blank" / nb)  # blank hands in the reference answers
    autograde(cls, out, cfg=grading_config, log=lambda m: None)
    after = stats_rows(out)
    assert sum('"kind":"result"' in line for line in (out / "journal.jsonl").read_text().splitlines()) == 8
    for where in before:
        assert after[where]["graded"] == "7", where  # replaced, not added
    for test in ("test_sgd_momentum", "test_rmsprop", "test_adam"):
        assert int(after["optimizers", "optimizers", test]["passed"]) == int(
            before["optimizers", "optimizers", test]["passed"]) + 1
    assert int(after["optimizers", "optimizers", "q1_answer"]["answered"]) == 6
    first, second = ({"result": {"assignment": "a", "notebook": "x"}, "n": n} for n in (1, 2))
    assert stats.latest([(("s", "a", "x.ipynb"), first), (("s", "a", "Copy of x.ipynb"), second)]) == {("s", "a", "x"): second}


def test_stats_verb_rewrites_both_files_and_prints_the_hardest(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    (out / "stats.csv").unlink()
    (out / "stats.html").write_text("stale")
    with open_gradebook(out / "gradebook.db") as gb:  # a TA's point for one written answer
        gb.find_grade("q1_answer", "optimizers", "optimizers", "ref1").manual_score = 1.5
        gb.db.commit()
    proc = subprocess.run([sys.executable, "-m", "autograder", "stats", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"7 student(s), 7 assignment result(s), {len(OPTIMIZERS) + 2} test(s)")
    hardest = [line for line in lines if line.startswith("hardest: optimizers/optimizers ")]
    assert len(hardest) == 3 and "\x1b" not in proc.stdout
    rows = stats_rows(out)
    rates = {r["test"]: float(r["pass_rate"]) for r in rows.values() if r["kind"] == "autograded"}
    assert hardest[0].split()[2].rstrip(":") == min(rates, key=rates.get)
    assert rows["optimizers", "optimizers", "q1_answer"]["hand_graded"] == "1"
    assert float(rows["optimizers", "optimizers", "q1_answer"]["mean_points"]) == 1.5
    assert (out / "stats.html").read_text().startswith("<!doctype html>")
    empty = subprocess.run([sys.executable, "-m", "autograder", "stats", str(tmp_path / "none")], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert empty.returncode == 2 and empty.stderr.count("\n") == 1 and "run autograde first" in empty.stderr
