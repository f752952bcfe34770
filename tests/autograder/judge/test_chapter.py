"""The generic judge knows no chapter: it finds a chapter's checks and hand-in code by the
assignment's name (autograder/judge/chapter.py), and names what it cannot find."""
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.errors import GradingError
from autograder.judge import chapter
from autograder.judge.cell import judge_cell
from autograder.judge.properties import PROPERTIES
from dlcourse.grading import encode

ROOT = Path(__file__).resolve().parents[3]
CHAPTERS = sorted(p.name for p in (ROOT / "autograder" / "chapters").iterdir() if (p / "__init__.py").is_file())


def test_the_chapters_are_the_assignments():
    assert CHAPTERS == sorted(p.name for p in (ROOT / "solutions").iterdir() if list(p.glob("*.ipynb")))
    assert CHAPTERS == ["dropout", "normalization", "optimizers", "pytorch", "resnet"]


def test_the_judge_names_no_chapter_and_none_of_its_code():
    words = CHAPTERS + ["challenge", "dlcourse.challenge", "dlcourse.resnet_checks", "dlcourse.norm_checks",
                        "dlcourse.dropout_checks", "heldout_accuracy", "crop_and_flip", "inverted_dropout",
                        "independent_masks", "dropout_backward"]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)
    found = [f"{p.name}:{n}: {line.strip()}" for p in sorted((ROOT / "autograder" / "judge").glob("*.py"))
             for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert found == []


def test_checks_are_the_generic_ones_then_the_chapters():
    dropout = chapter.checks("dropout")
    assert set(PROPERTIES) < set(dropout) and {"inverted_dropout", "dropout_backward", "independent_masks"} <= set(dropout)
    assert "crop_and_flip" in chapter.checks("resnet") and "heldout_accuracy" in chapter.checks("pytorch")
    assert "crop_and_flip" not in dropout and "inverted_dropout" not in chapter.checks("resnet")
    assert not set(PROPERTIES) & {"inverted_dropout", "crop_and_flip", "heldout_accuracy"}  # none is generic
    assert chapter.checks("normalization") == PROPERTIES  # a chapter without checks.py: the generic ones
    assert chapter.checks("optimizers") == PROPERTIES | {"torch_adamw": chapter.checks("optimizers")["torch_adamw"]}
    assert chapter.find("exact", "resnet") is PROPERTIES["exact"]


@pytest.mark.parametrize("assignment", [None, "no_such_chapter", "../resnet", "resnet.checks", "Resnet", ""])
def test_an_unknown_or_odd_assignment_gets_the_generic_checks_only(assignment):
    assert chapter.checks(assignment) == PROPERTIES
    assert not chapter.has(assignment, "handin")


def test_an_unknown_check_is_a_grading_error_naming_it():
    with pytest.raises(GradingError, match=r"unknown check 'crop_and_flip'.*autograder.chapters.dropout.checks"):
        chapter.find("crop_and_flip", "dropout")
    with pytest.raises(GradingError, match="unknown check 'nope'"):
        chapter.find("nope", None)


def test_a_chapter_check_may_not_shadow_a_generic_one(monkeypatch):
    from autograder.chapters.dropout import checks
    monkeypatch.setitem(checks.PROPERTIES, "exact", lambda ref, got, **_: None)
    with pytest.raises(GradingError, match="'exact', already a generic check"):
        chapter.checks("dropout")


class Ok:
    status, ename, evalue = "ok", None, None


def test_judge_cell_uses_the_chapter_of_its_assignment():
    keep = 0.5
    x = np.random.default_rng(0).choice([-1.0, 1.0], 4000)
    mask = np.random.default_rng(1).random(4000) < keep
    ref = [{"key": "drop", "value": encode({"x": x, "out": x}), "check": "inverted_dropout", "args": {"keep": keep}}]
    mine = [{"key": "drop", "value": encode({"x": x, "out": x * mask / keep})}]
    assert judge_cell(ref, mine, Ok(), assignment="dropout")[0] == "passed"
    status, message, _ = judge_cell(ref, mine, Ok(), assignment="resnet")  # not a check of that chapter
    assert status == "failed" and "unknown check 'inverted_dropout'" in message


def test_the_reference_run_refuses_a_check_its_chapter_lacks(tmp_path, monkeypatch):
    from autograder.config import Config
    from autograder.grade import submission
    from autograder.run.execute import Outcome
    record = {"key": "k", "value": encode(1.0), "check": "crop_and_flip"}

    def fake_run_cells(cells, **kw):
        return [Outcome(status="ok", records=[record]) for _ in cells]
    monkeypatch.setattr(submission, "run_cells", fake_run_cells)
    source = ROOT / "solutions" / "dropout" / "dropout.ipynb"
    with pytest.raises(GradingError, match=r"unknown property checks \['crop_and_flip'\].*autograder.chapters.dropout.checks"):
        submission._reference_records(source, Config(cache_dir=str(tmp_path)), ROOT, None, 1, "k")
    submission._reference_records(ROOT / "solutions" / "resnet" / "resnet.ipynb", Config(cache_dir=str(tmp_path)),
                                  ROOT, None, 1, "k")  # the resnet chapter has it
