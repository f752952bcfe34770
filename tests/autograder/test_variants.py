"""Hidden tests against real student code: every wrong answer loses its points, every valid one keeps them.

The class below is graded once, in one `autograde` batch: the released notebook filled with the
reference, the untouched release, and one student per file in variants/.
"""
import csv
import dataclasses
from pathlib import Path

import pytest

from autograder.autograde import autograde, open_gradebook
from autograder.notebook import write
from autograder.transforms.fill import fill

VARIANTS = sorted((Path(__file__).parent / "variants").glob("*.py"))


def parse(path):
    """(answer grade_id, set of tests expected to lose points, code) of a variant file."""
    header = {}
    for line in path.read_text().splitlines():
        if line.startswith("# ") and ":" in line:
            key, _, value = line[2:].partition(":")
            header.setdefault(key.strip(), value.strip())
    expect = set() if header["expect"] == "none" else set(header["expect"].split())
    return header["answer"], expect, path.read_text()


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory, source_nb, released_nb, grading_config):
    subs = tmp_path_factory.mktemp("submissions")
    write(fill(released_nb, source_nb), subs / "reference" / "optimizers" / "optimizers.ipynb")
    write(released_nb, subs / "untouched" / "optimizers" / "optimizers.ipynb")
    for path in VARIANTS:
        answer, _, code = parse(path)
        write(fill(released_nb, source_nb, {answer: code}), subs / path.stem / "optimizers" / "optimizers.ipynb")
    out = tmp_path_factory.mktemp("graded")
    results = dict(autograde(subs, out, cfg=grading_config, log=lambda m: None))
    return results, out, subs


def test_there_are_enough_variants():
    wrong = [p for p in VARIANTS if p.stem.startswith("wrong-")]
    valid = [p for p in VARIANTS if p.stem.startswith("valid-")]
    assert len(wrong) >= 8 and len(valid) >= 4
    for path in VARIANTS:
        answer, expect, _ = parse(path)
        assert bool(expect) == path.stem.startswith("wrong-"), path.name


def test_reference_scores_max(graded_class):
    result = graded_class[0]["reference"]
    assert result["max_score"] == 7
    assert result["score"] == result["max_score"], result["tests"]
    assert result["problems"] == []


def test_untouched_release_scores_zero(graded_class):
    result = graded_class[0]["untouched"]
    assert result["score"] == 0 and result["max_score"] == 7
    auto = [t for t in result["tests"] if t["status"] != "manual"]
    assert {t["status"] for t in auto} == {"error"}
    assert all("NotImplementedError" in t["message"] for t in auto)


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.stem)
def test_variant(graded_class, path):
    _, expect, _ = parse(path)
    result = graded_class[0][path.stem]
    for test in result["tests"]:
        if test["status"] == "manual":
            continue
        if test["id"] in expect:
            assert test["points"] < test["max_points"], f"{path.stem} kept the points of {test['id']}"
            assert test["status"] in ("failed", "error") and test["message"]
        else:
            assert test["status"] == "passed" and test["points"] == test["max_points"], (path.stem, test)


@pytest.mark.parametrize("student, words", [
    ("wrong-adam-t-not-stored", "first step is right but later ones are not"),
    ("wrong-adam-default-learning-rate", "with config=None the defaults are"),
    ("wrong-sgd-momentum-nesterov", "not Nesterov"),
    ("wrong-hard-coded-visible-answers", "shape"),
])
def test_failure_messages_point_at_the_mistake(graded_class, student, words):
    messages = " ".join(t["message"] for t in graded_class[0][student]["tests"])
    assert words in messages


def test_one_worker_gives_the_same_results(graded_class, grading_config, tmp_path):
    results, _, subs = graded_class
    assert grading_config.workers > 1
    serial = dict(autograde(subs, tmp_path, cfg=dataclasses.replace(grading_config, workers=1), log=lambda m: None))
    assert serial == results


def test_grade_table_and_gradebook_agree(graded_class):
    results, out, _ = graded_class
    rows = list(csv.DictReader(open(out / "grades.csv")))
    assert [r["student"] for r in rows] == sorted(results)
    assert list(rows[0]) == ["student", "assignment", "notebook", "score", "max_score"]
    with open_gradebook(out / "gradebook.db") as gb:
        for row in rows:
            sub = gb.find_submission("optimizers", row["student"])
            assert sub.score == float(row["score"]) == results[row["student"]]["score"]


def test_feedback_shows_no_hidden_tests(graded_class, source_nb):
    from autograder.transforms.leaks import secret_lines
    _, out, _ = graded_class
    pages = list((out / "feedback").rglob("*.html"))
    assert len(pages) == len(VARIANTS) + 2
    secret = secret_lines(source_nb, min_length=20, kinds=("HIDDEN TESTS",))
    assert len(secret) > 10
    for page in pages:
        text = page.read_text()
        assert "probe_update_rule" not in text and "HIDDEN" not in text
        assert not [line for line in secret if line in text], page
    wrong = (out / "feedback" / "wrong-adam-swapped-betas" / "optimizers" / "optimizers.html").read_text()
    assert "test_adam" in wrong and "failed" in wrong
