"""Damaged and broken submissions: a clear message, and every point that can still be given.

Each case below builds `submitted-<case>.ipynb` from the released notebook filled with the
reference answers (full marks when intact), damages it, and the whole set is graded in one batch.
"""
import copy
import dataclasses
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograder.grade.autograde import autograde
from autograder.notebook import grade_id, write
from autograder.transforms.fill import fill
from classroom import FULL, OPTIMIZERS


def index(nb, gid):
    return next(i for i, c in enumerate(nb.cells) if grade_id(c) == gid)


def delete(gid):
    return lambda nb: nb.cells.pop(index(nb, gid))


def duplicate(gid):
    def damage(nb):
        twin = copy.deepcopy(nb.cells[index(nb, gid)])
        twin.id = twin.id + "-copy"  # a copy-paste gets a new cell id, and keeps the grade_id
        nb.cells.insert(index(nb, gid) + 1, twin)
    return damage


def retype(gid, kind):
    def damage(nb):
        cell = nb.cells[index(nb, gid)]
        new = nbformat.v4.new_markdown_cell(cell.source) if kind == "markdown" else new_code_cell(cell.source)
        new.metadata = cell.metadata
        nb.cells[index(nb, gid)] = new
    return damage


def strip_metadata(nb):
    for cell in nb.cells:
        cell.metadata = {}


def move_tests_first(nb):
    tests = [c for c in nb.cells if (grade_id(c) or "").startswith("test_")]
    nb.cells = tests + [c for c in nb.cells if c not in tests]


def extra_cell_after(gid, code):
    return lambda nb: nb.cells.insert(index(nb, gid) + 1, new_code_cell(code))


def replace_answer(gid, code):
    def damage(nb):
        nb.cells[index(nb, gid)].source = code
    return damage


def edit_test(nb):
    nb.cells[index(nb, "test_adam")].source = "print('all tests passed')"


# case: (damage, expected score, words expected in the problems or the failing test's message)
CASES = {
    "test-cell-deleted": (delete("test_adam"), FULL, "'test_adam' was missing"),
    "test-cell-duplicated": (duplicate("test_rmsprop"), FULL, "'test_rmsprop' was duplicated"),
    "test-cell-edited": (edit_test, FULL, ""),
    "answer-cell-duplicated": (duplicate("adam"), FULL, "'adam' appears more than once"),
    "answer-cell-deleted": (delete("adam"), FULL - OPTIMIZERS["test_adam"], "answer cell 'adam' is missing"),
    "cells-reordered": (move_tests_first, FULL, ""),
    "test-cell-retyped-markdown": (retype("test_sgd_momentum", "markdown"), FULL, ""),
    "answer-cell-retyped-markdown": (retype("rmsprop", "markdown"), FULL, "changed from code to markdown"),
    "metadata-stripped": (strip_metadata, FULL, "recognised as answer cell 'adam'"),
    "metadata-stripped-written-answers": (strip_metadata, FULL, "recognised as answer cell 'q2_answer' by its place"),
    "kernel-exit-in-extra-cell": (extra_cell_after("sgd_momentum", "import os\nos._exit(3)"), FULL, "kernel died"),
    "kernel-abort-in-extra-cell": (extra_cell_after("rmsprop", "import os\nos.abort()"), FULL, "kernel died"),
    "sys-exit-in-extra-cell": (extra_cell_after("rmsprop", "import sys\nsys.exit(1)"), FULL, ""),
    "infinite-loop-in-extra-cell": (extra_cell_after("adam", "while True:\n    pass"), FULL, "longer than its limit"),
    "infinite-loop-in-answer": (replace_answer("adam", "def adam(w, dw, config=None):\n    while True:\n        pass"),
                                FULL - OPTIMIZERS["test_adam"], "longer than its limit"),
    "memory-exhaustion": (extra_cell_after("sgd_momentum", "hog = []\nwhile True:\n    hog.append(bytearray(1 << 26))"),
                          FULL, ""),
    "output-flood": (extra_cell_after("sgd_momentum", "for i in range(200000):\n    print('x' * 500)"), FULL, ""),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory, released_nb, source_nb, grading_config):
    subs = tmp_path_factory.mktemp("damaged")
    for case, (damage, _, _) in CASES.items():
        nb = fill(released_nb, source_nb)
        damage(nb)
        write(nb, subs / case / "optimizers" / f"submitted-{case}.ipynb")
    (subs / "malformed-json" / "optimizers").mkdir(parents=True)
    (subs / "malformed-json" / "optimizers" / "optimizers.ipynb").write_text('{"cells": [')
    (subs / "not-a-notebook" / "optimizers").mkdir(parents=True)
    (subs / "not-a-notebook" / "optimizers" / "optimizers.ipynb").write_text(json.dumps({"hello": "world"}))
    write(fill(released_nb, source_nb), subs / "wrong-assignment" / "optimisers" / "optimizers.ipynb")
    cfg = dataclasses.replace(grading_config, cell_timeout=8, memory_limit_mb=2048)
    return dict(autograde(subs, tmp_path_factory.mktemp("damaged-out"), cfg=cfg, assignment=None, log=lambda m: None))


@pytest.mark.parametrize("case", CASES)
def test_damaged_notebook(batch, case):
    _, score, words = CASES[case]
    result = batch[case]
    assert result["notebook"] == "optimizers"  # "submitted-<case>.ipynb" still maps to the one notebook
    assert result["score"] == score, (result["tests"], result["problems"])
    said = " ".join(result["problems"]) + " ".join(t["message"] for t in result["tests"])
    assert words in said


def test_stripped_notebook_loses_no_written_answer(batch):
    assert not [p for p in batch["metadata-stripped"]["problems"] if "missing" in p]


@pytest.mark.parametrize("case, words", [
    ("malformed-json", "malformed JSON"),
    ("not-a-notebook", "not a Jupyter notebook"),
    ("wrong-assignment", "unknown assignment 'optimisers'"),
])
def test_ungradable_submission_gets_zero_and_a_reason(batch, case, words):
    result = batch[case]
    assert result["score"] == 0
    assert any(words in p for p in result["problems"]), result["problems"]
