"""Hidden tests against real student code: every wrong answer loses its points, every valid one keeps them.

variants/<assignment>/<wrong|valid>-<what>.py is one student's answer cell, with a header:

    # answer: <grade_id of the answer cell it fills>
    # expect: <ids of the test cells that must lose points>   (or: none)

Every assignment's class is graded once, in one `autograde` batch: the released notebook filled
with the reference, the untouched release, and one student per variant file.
"""
import csv
import dataclasses
from pathlib import Path

import pytest

from autograder import course
from autograder.grade.autograde import autograde, open_gradebook
from autograder.notebook import handin_specs, read, write
from autograder.transforms.fill import fill

HERE = Path(__file__).resolve().parents[1]  # tests/autograder: attacks/, variants/
ASSIGNMENTS = sorted(p.name for p in (HERE / "variants").iterdir() if p.is_dir())
VARIANTS = [(a, p) for a in ASSIGNMENTS for p in sorted((HERE / "variants" / a).glob("*.py"))]
FAST = "optimizers"  # its class grades in ~30 s; every other chapter's class takes minutes (marked slow)


def by_chapter(values, assignment=lambda v: v):
    """`values` as pytest params, those of chapters other than FAST marked slow."""
    return [pytest.param(*(v if isinstance(v, tuple) else (v,)),
                         marks=() if assignment(v) == FAST else pytest.mark.slow) for v in values]


MINIMUM = {"optimizers": (8, 4), "normalization": (10, 5), "dropout": (8, 4), "pytorch": (8, 4), "resnet": (12, 4)}


def parse(path):
    """(answer grade_id, set of tests expected to lose points, code) of a variant file."""
    header = {}
    for line in path.read_text().splitlines():
        if line.startswith("# ") and ":" in line:
            key, _, value = line[2:].partition(":")
            header.setdefault(key.strip(), value.strip())
    expect = set() if header["expect"] == "none" else set(header["expect"].split())
    return header["answer"], expect, path.read_text()


def notebooks(assignment):
    """(source, released, notebook name) of an assignment's one notebook."""
    [source_path] = sorted((course.solutions_dir() / assignment).glob("*.ipynb"))
    released_path = course.exercises_dir() / assignment / source_path.name
    return read(source_path), read(released_path), source_path.stem


@pytest.fixture(scope="session")
def graded(tmp_path_factory, grading_config):
    """{assignment: (results by student, out folder, submissions folder)}: one batch per assignment,
    graded when a test first asks for it (so `-k dropout` grades only that assignment)."""

    class Graded(dict):
        def __missing__(self, assignment):
            self[assignment] = grade_assignment(assignment)
            return self[assignment]

    def grade_assignment(assignment):
        source, released, name = notebooks(assignment)
        subs = tmp_path_factory.mktemp(f"submissions-{assignment}")
        write(fill(released, source), subs / "reference" / assignment / f"{name}.ipynb")
        write(released, subs / "untouched" / assignment / f"{name}.ipynb")
        for a, path in VARIANTS:
            if a == assignment:
                answer, _, code = parse(path)
                write(fill(released, source, {answer: code}), subs / path.stem / assignment / f"{name}.ipynb")
        out = tmp_path_factory.mktemp(f"graded-{assignment}")
        results = dict(autograde(subs, out, cfg=grading_config, log=lambda m: None))
        return results, out, subs

    return Graded()


def handin_tests(assignment):
    """Tests that grade a file handed in next to the notebook (metadata.dlcourse.handin): no variant
    hands one in, so they lose their points here; their own tests grade real files (test_challenge.py)."""
    source, _, _ = notebooks(assignment)
    return {h.get("test") for h in handin_specs(source)}


def max_score(assignment):
    source, _, _ = notebooks(assignment)
    from autograder.notebook import is_autograded_test, points
    return sum(points(c) for c in source.cells if is_autograded_test(c))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_there_are_enough_variants(assignment):
    files = [p for a, p in VARIANTS if a == assignment]
    wrong = [p for p in files if p.stem.startswith("wrong-")]
    valid = [p for p in files if p.stem.startswith("valid-")]
    least_wrong, least_valid = MINIMUM.get(assignment, (8, 4))
    assert len(wrong) >= least_wrong and len(valid) >= least_valid
    for path in files:
        answer, expect, _ = parse(path)
        assert bool(expect) == path.stem.startswith("wrong-"), path.name


def test_every_assignment_has_variants():
    assert set(ASSIGNMENTS) == set(course.assignments())


@pytest.mark.parametrize("assignment", by_chapter(ASSIGNMENTS))
def test_reference_scores_max(graded, assignment):
    result = graded[assignment][0]["reference"]
    assert result["max_score"] == max_score(assignment) > 0
    without_file = [t for t in result["tests"] if t["id"] in handin_tests(assignment)]
    assert result["score"] == result["max_score"] - sum(t["max_points"] for t in without_file), result["tests"]
    assert all(t["points"] == 0 and "handed in" in t["message"] for t in without_file)
    assert all("not handed in" in p for p in result["problems"]) and len(result["problems"]) == len(without_file)


@pytest.mark.parametrize("assignment", by_chapter(ASSIGNMENTS))
def test_untouched_release_scores_zero(graded, assignment):
    result = graded[assignment][0]["untouched"]
    assert result["score"] == 0 and result["max_score"] == max_score(assignment)
    auto = [t for t in result["tests"] if t["status"] != "manual" and t["id"] not in handin_tests(assignment)]
    assert {t["status"] for t in auto} == {"error"}
    assert all("NotImplementedError" in t["message"] for t in auto)
    # a hand-in test is judged on the file alone (autograder/judge/handin.py): none was handed in
    judged = [t for t in result["tests"] if t["id"] in handin_tests(assignment)]
    assert all(t["status"] == "failed" and "no challenge_model.pt was handed in" in t["message"] for t in judged)


@pytest.mark.parametrize("assignment, path", by_chapter(VARIANTS, lambda v: v[0]), ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_variant(graded, assignment, path):
    _, expect, _ = parse(path)
    result = graded[assignment][0][path.stem]
    assert (result["assignment"], result["notebook"]) == (assignment, notebooks(assignment)[2])
    tests = {t["id"] for t in result["tests"]}
    assert expect <= tests, f"{path.name} names tests the notebook does not have: {sorted(expect - tests)}"
    for test in result["tests"]:
        if test["status"] == "manual" or test["id"] in handin_tests(assignment):
            continue
        if test["id"] in expect:
            assert test["points"] < test["max_points"], f"{path.stem} kept the points of {test['id']}"
            assert test["status"] in ("failed", "error", "partial") and test["message"]
        else:
            assert test["status"] == "passed" and test["points"] == test["max_points"], (path.stem, test)


@pytest.mark.parametrize("student, words", [
    ("wrong-adam-t-not-stored", "first step is right but later ones are not"),
    ("wrong-adam-default-learning-rate", "with config=None the defaults are"),
    ("wrong-sgd-momentum-nesterov", "not Nesterov"),
    ("wrong-hard-coded-visible-answers", "shape"),
    ("wrong-adam-delegates-to-torch-optim", "torch.optim"),
])
def test_optimizers_failure_messages_point_at_the_mistake(graded, student, words):
    messages = " ".join(t["message"] for t in graded["optimizers"][0][student]["tests"])
    assert words in messages


@pytest.mark.slow
def test_one_worker_gives_the_same_results(graded, grading_config, tmp_path):
    _, _, subs = graded["optimizers"]
    assert grading_config.workers > 1
    # the same hidden inputs for both runs (each run otherwise draws its own seed, and a wrong
    # answer's message quotes its relative error on them)
    fixed = dataclasses.replace(grading_config, seed=20240)
    results = dict(autograde(subs, tmp_path / "parallel", cfg=fixed, log=lambda m: None))
    serial = dict(autograde(subs, tmp_path / "serial", cfg=dataclasses.replace(fixed, workers=1), log=lambda m: None))
    def untimed(run):  # where the time went differs from run to run (result["timings"]); nothing else may
        return {student: {k: v for k, v in result.items() if k != "timings"} for student, result in run.items()}
    assert untimed(serial) == untimed(results)
    assert {s: r["score"] for s, r in results.items()} == {s: r["score"] for s, r in graded["optimizers"][0].items()}


@pytest.mark.parametrize("assignment", by_chapter(ASSIGNMENTS))
def test_grade_table_and_gradebook_agree(graded, assignment):
    results, out, _ = graded[assignment]
    rows = list(csv.DictReader(open(out / "grades.csv")))
    assert [r["student"] for r in rows] == sorted(results)
    assert list(rows[0]) == ["student", "assignment", "notebook", "score", "max_score", "manual", "manual_max",
                             "total", "total_max", "needs_manual", "timestamp", "seconds_late", "late_penalty"]
    assert {r["notebook"] for r in rows} == {notebooks(assignment)[2]}
    with open_gradebook(out / "gradebook.db") as gb:
        for row in rows:
            sub = gb.find_submission(assignment, row["student"])
            assert len(sub.notebooks) == 1 and sub.notebooks[0].name == row["notebook"]
            assert sub.score == pytest.approx(float(row["score"])) == results[row["student"]]["score"]


@pytest.mark.parametrize("assignment", by_chapter(ASSIGNMENTS))
def test_feedback_shows_no_hidden_tests(graded, assignment):
    from autograder.transforms.leaks import secret_lines
    _, out, _ = graded[assignment]
    source, _, name = notebooks(assignment)
    pages = list((out / "feedback").rglob("*.html"))
    assert len(pages) == len([1 for a, _ in VARIANTS if a == assignment]) + 2
    secret = secret_lines(source, min_length=20, kinds=("HIDDEN TESTS",))
    assert len(secret) > 5
    for page in pages:
        text = page.read_text()
        assert "HIDDEN" not in text
        # a line the student wrote too (e.g. `with torch.no_grad():`) is theirs to see
        student = page.relative_to(out / "feedback").parts[0]
        own = HERE / "variants" / assignment / f"{student}.py"
        own = own.read_text() if own.exists() else ""
        assert not [line for line in secret if line in text and line not in own], page


def test_optimizers_feedback_names_the_failed_test(graded):
    _, out, _ = graded["optimizers"]
    wrong = (out / "feedback" / "wrong-adam-swapped-betas" / "optimizers" / "optimizers.html").read_text()
    assert "test_adam" in wrong and "failed" in wrong and "probe_update_rule" not in wrong


# Partial points by part (record's part and weight; the judge: autograder/judge/cell.py): a variant
# right but for one separable property loses that part's share only, and its feedback says which part.
PARTIAL = [  # (assignment, student, test, points earned of the test's, words its message must contain)
    # default part (the visible checks' records) 1 + train 1 + grad 1 + eval 0.5 + type 0.5: the type part lost
    ("dropout", "wrong-module-returns-float64", "test_dropout_module", 3 * 3.5 / 4,
     ["[type: 12% of the points, lost]", "is float64 for a float32 input"]),
    # default 1 + init 1 + forward 2 + type 0.5
    ("normalization", "wrong-module-float64-parameters", "test_batchnorm_module", 3 * 4 / 4.5,
     ["[type: 11% of the points, lost]", "float64 for a float32 input"]),
    # the visible check_module also checks the initial gamma: the visible part is lost with init, forward and type kept
    ("normalization", "wrong-module-gamma-init-random", "test_batchnorm_module", 3 * 2.5 / 4.5,
     ["the visible checks did not pass", "must start as ones", "[init: 22% of the points, lost]", "gamma (ones)"]),
    # init 1 + forward 1 + state 1 (no visible records)
    ("resnet", "wrong-block-bn-momentum", "test_residual_block", 2.0,
     ["[state: 33% of the points, lost]", "momentum 0.1"]),
    # the visible parameter count fails (said first, costing nothing itself) and so does init: forward and state
    # kept; the hidden tests' hint is shown after the visible check's message
    ("resnet", "wrong-block-unused-projection-layers", "test_residual_block", 2.0,
     ["the visible checks did not pass: AssertionError: no conv biases; BN has 2 parameters per channel",
      "[init: 33% of the points, lost]", "two 3x3 convs without bias"]),
]


@pytest.mark.parametrize("assignment, student, test_id, earned, words", by_chapter(PARTIAL, lambda v: v[0]),
                         ids=lambda v: v if isinstance(v, str) and v.startswith(("wrong-", "valid-")) else None)
def test_partial_points_by_part(graded, assignment, student, test_id, earned, words):
    [test] = [t for t in graded[assignment][0][student]["tests"] if t["id"] == test_id]
    assert test["status"] == "partial" and test["points"] == pytest.approx(earned, abs=1e-5), test
    for w in words:
        assert w in test["message"], (w, test["message"])
