"""What a student sees when their notebook is broken: one class with one submission per kind of
failure, every output compared (results, grades.csv, lms.csv, gradebook, feedback pages, journal,
`grade`), no grader folder in what a student reads, each note once, and the first real error of a
student's cell named where a later test fails for want of what it should have defined."""
import csv
import dataclasses
import html
import json
import re
import subprocess
import sys
import tempfile

import pytest

from autograder.grade.autograde import autograde
from autograder.judge.cell import first_cause
from autograder.notebook import grade_id, write
from autograder.records.gradebook import open_gradebook
from autograder.run.execute import Outcome
from autograder.text import without_paths
from autograder.transforms.fill import fill
from classroom import FULL, OPTIMIZERS, WRITTEN

SYNTAX = "def rmsprop(w, dw, config=None):\n    x = (\n    return w, config\n"


def _without(gid):
    def damage(nb):
        del nb.cells[next(i for i, c in enumerate(nb.cells) if grade_id(c) == gid)]
    return damage


# student: (answers replaced, damage to the notebook, raw text instead of a notebook)
KINDS = {
    "honest": ({}, None, None),
    "syntax-error": ({"rmsprop": SYNTAX}, None, None),
    "missing-cell": ({}, _without("adam"), None),
    "timeout": ({"adam": "def adam(w, dw, config=None):\n    while True:\n        pass\n"}, None, None),
    "kernel-death": ({"adam": "import os\nos._exit(3)\n"}, None, None),
    "import-error": ({"rmsprop": "from math import rmsprop\n"}, None, None),
    "malformed-json": ({}, None, '{"cells": ['),
    "not-a-notebook": ({}, None, json.dumps({"hello": "world"})),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, released_nb, source_nb, grading_config):
    subs, out = tmp_path_factory.mktemp("broken-class"), tmp_path_factory.mktemp("broken-out")
    for student, (answers, damage, raw) in KINDS.items():
        path = subs / student / "optimizers" / "optimizers.ipynb"
        if raw is not None:
            path.parent.mkdir(parents=True)
            path.write_text(raw)
            continue
        nb = fill(released_nb, source_nb, answers)
        if damage:
            damage(nb)
        write(nb, path)
    cfg = dataclasses.replace(grading_config, cell_timeout=4)
    return {"results": dict(autograde(subs, out, cfg=cfg, log=lambda m: None)), "subs": subs, "out": out, "cfg": cfg}


def _page(graded, student):
    return (graded["out"] / "feedback" / student / "optimizers" / "optimizers.html").read_text()


def _csv(path):
    with open(path, newline="") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def test_every_output_gives_the_same_totals(graded, root):
    grades, lms = _csv(graded["out"] / "grades.csv"), _csv(graded["out"] / "lms.csv")
    assert set(grades) == set(lms) == set(KINDS)
    with open_gradebook(None, graded["out"]) as gb:
        book = {s: gb.find_submission("optimizers", s) for s in KINDS}
        book = {s: (float(sub.score), float(sub.max_score)) for s, sub in book.items()}
    for student, result in graded["results"].items():
        written = sum(t["max_points"] for t in result["tests"] if t["status"] == "manual")
        auto, top = result["score"], result["max_score"]
        assert (top, written) == (FULL, WRITTEN), (student, result["tests"])  # every kind of failure: the notebook's worth
        page = re.sub(r"</?b>", "", _page(graded, student))
        header = re.search(r"Autograded tests: (\S+) / (\S+); written answers: (\S+) / (\S+)[;.].*? "
                           r"Total: (\S+) / (\S+)\.", page)
        assert header, page[:2000]
        assert [float(n) for n in header.groups()] == [auto, top, 0, written, auto, top + written], student
        row = grades[student]
        assert [float(row[k]) for k in ("score", "max_score", "manual_max", "total", "total_max")] == \
            [auto, top, written, auto, top + written], student
        assert int(row["needs_manual"]) == 2
        assert (float(lms[student]["total"]), float(lms[student]["max"])) == (auto, top + written), student
        assert book[student] == (auto, top + written), student
    assert graded["results"]["honest"]["score"] == FULL
    assert graded["results"]["malformed-json"]["score"] == graded["results"]["not-a-notebook"]["score"] == 0


def test_no_grader_folder_reaches_a_student(graded, root):
    folders = {str(graded["out"]), str(graded["subs"]), str(root), tempfile.gettempdir() + "/", sys.prefix,
               sys.base_prefix}
    journal = [json.loads(line) for line in (graded["out"] / "journal.jsonl").read_text().splitlines()]
    for student in KINDS:
        page = html.unescape(_page(graded, student))
        result = json.dumps(graded["results"][student])
        for folder in folders:
            assert folder not in page, (student, folder)
            assert folder not in result, (student, folder)
        for entry in journal:
            if entry.get("kind") == "result":
                assert not [f for f in folders if f in json.dumps(entry["result"])], entry["result"]
    said = " ".join(graded["results"]["malformed-json"]["problems"])
    assert "optimizers.ipynb: not a notebook: malformed JSON at line 1" in said  # the reason, without the folder
    # the ImportError's message names a file of the Python installation: shown under <python>
    message = {t["id"]: t["message"] for t in graded["results"]["import-error"]["tests"]}["test_rmsprop"]
    assert re.search(r"did not run: ImportError: cannot import name 'rmsprop' from 'math' \(<python>/\S+\)", message), \
        message


@pytest.mark.parametrize("student", KINDS)
def test_each_note_appears_once(graded, student):
    page = _page(graded, student)
    assert page.count("<h2>Notes on your notebook</h2>") <= 1
    for note in graded["results"][student]["problems"]:
        assert page.count(html.escape(note)) == 1, (student, note)
    if student in ("malformed-json", "not-a-notebook"):
        assert "Your notebook could not be shown here" in page
        assert page.count("<h1>") == 1  # the results table, not a second page inside the first
        assert page.count("not graded: optimizers.ipynb") == 1


def test_a_name_never_defined_names_the_cell_that_failed_first(graded):
    results = graded["results"]
    message = {t["id"]: t for t in results["syntax-error"]["tests"]}["test_rmsprop"]["message"]
    assert re.fullmatch(r"your cell `rmsprop` \(cell \d+\) did not run: SyntaxError: '\(' was never closed "
                        r"\(line 2\)\. Then: NameError: name 'rmsprop' is not defined", message), message
    assert "ipython-input" not in message
    assert "did not finish: the kernel died" in {t["id"]: t for t in results["kernel-death"]["tests"]}["test_adam"]["message"]
    assert "did not run: NotImplementedError" in {t["id"]: t for t in results["missing-cell"]["tests"]}["test_adam"]["message"]
    # the tests that pass, and the ones that do not depend on the broken cell, say nothing of it
    for student, result in results.items():
        for t in result["tests"]:
            if t["status"] in ("passed", "manual") or student == "timeout":
                assert "did not run" not in t["message"] and "did not finish" not in t["message"], (student, t)
    assert {t["id"]: t for t in results["syntax-error"]["tests"]}["test_adam"]["status"] == "passed"
    # the same words in the feedback page and the journal
    page = html.unescape(_page(graded, "syntax-error"))
    assert message in page
    journal = (graded["out"] / "journal.jsonl").read_text()
    assert json.dumps(message)[1:-1] in journal


def test_grade_prints_the_first_error_and_the_totals(graded):
    path = graded["subs"] / "syntax-error" / "optimizers" / "optimizers.ipynb"
    cache = graded["cfg"].cache_dir
    outputs = {}
    for extra in ([], ["--json"]):
        proc = subprocess.run([sys.executable, "-m", "autograder", "--set", f"cache_dir={cache}", "--set", "seed=8128",
                               "grade", str(path), *extra], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outputs[bool(extra)] = proc.stdout
    result = json.loads(outputs[True])
    message = {t["id"]: t["message"] for t in result["tests"]}["test_rmsprop"]
    assert message.startswith("your cell `rmsprop` (cell ") and "SyntaxError" in message
    assert message in outputs[False]
    assert outputs[False].strip().splitlines()[-1] == \
        (f"score: {FULL - OPTIMIZERS['test_rmsprop']:g} / {FULL:g} (autograded); written answers: {WRITTEN:g} more "
         f"points, graded by hand; total so far: {FULL - OPTIMIZERS['test_rmsprop']:g} / {FULL + WRITTEN:g}")
    assert str(graded["subs"]) not in outputs[False] + outputs[True]


def _failed(label, source, status="error", ename="SyntaxError", evalue="invalid syntax (<ipython-input-3-ab>, line 3)"):
    return (label, source, Outcome(status, ename, evalue))


def test_first_cause_rules():
    name_error = Outcome("error", "NameError", "name 'adam' is not defined")
    sgd, adam = _failed("`sgd` (cell 3)", "def sgd(w):\n  return ("), _failed("`adam` (cell 5)", "def adam(w):\n  x = [")
    assert first_cause(name_error, [sgd, adam]) == \
        "your cell `adam` (cell 5) did not run: SyntaxError: invalid syntax (line 3)"  # the cell naming it
    assert first_cause(Outcome("error", "NameError", "name 'other' is not defined"), [sgd, adam]).startswith(
        "your cell `sgd` (cell 3)")  # none names it: the earliest failure
    assert first_cause(name_error, []) is None  # no student cell failed: the NameError is the error
    assert first_cause(Outcome("error", "ValueError", "adam"), [adam]) is None  # not a missing name
    assert first_cause(Outcome("ok"), [adam]) is None
    assert first_cause(Outcome("timeout", "CellTimeout", "limit"), [adam]) is None
    assert first_cause(Outcome("error", "ImportError", "cannot import name 'adam' from 'x'"), [sgd, adam]).startswith(
        "your cell `adam`")
    died = _failed("`adam` (cell 5)", "def adam(w): pass", "crashed", "KernelDied", "the kernel died")
    assert first_cause(name_error, [died]) == "your cell `adam` (cell 5) did not finish: the kernel died"


def test_without_paths():
    paths = {"/srv/course": "<course>", "/srv/subs/bob/optimizers": "", "/tmp": "<tmp>"}
    assert without_paths("/srv/subs/bob/optimizers/optimizers.ipynb: bad", paths) == "optimizers.ipynb: bad"
    assert without_paths("see /srv/course/solutions/a.ipynb.", paths) == "see <course>/solutions/a.ipynb."
    assert without_paths("in /srv/course.", paths) == "in <course>."
    assert without_paths("/srv/course2/x and /tmpfile", paths) == "/srv/course2/x and /tmpfile"
    assert without_paths("open('/tmp/x')", paths) == "open('<tmp>/x')"
    assert without_paths(None, paths) is None
