"""The benchmark script runs (its --dry-run); its numbers live in its output, not in assertions."""
import pytest

from autograder.grade import benchmark


@pytest.mark.slow
def test_benchmark_dry_run(capsys):
    benchmark.main(["--dry-run"])
    out = capsys.readouterr().out
    assert "| workers | seconds | submissions per minute |" in out
    assert "just execute it (nbclient)" in out


def test_class_mixes_correct_wrong_and_broken(tmp_path):
    kinds = benchmark.build_class(tmp_path, 40)
    assert len(kinds) == 40 and len(list(tmp_path.glob("*/optimizers/optimizers.ipynb"))) == 40
    assert {"reference", "untouched", "malformed-json", "kernel-exit", "endless-loop"} <= set(kinds)
    assert sum(k.startswith("wrong-") for k in kinds) >= 10 and sum(k.startswith("valid-") for k in kinds) >= 6


@pytest.mark.slow
def test_scale_dry_run(capsys):
    """The course-term benchmark runs end to end: real autograde processes, a kill -9 and its resume."""
    benchmark.main(["--scale", "--dry-run"])
    out = capsys.readouterr().out
    assert "| run | seconds | submissions per minute | coordinator peak MiB |" in out
    assert "kill -9 after 3 results (killed)" in out and "resume: the 3 left" in out
    assert "rerun, nothing changed (6 submissions)" in out


@pytest.mark.slow
def test_repeat_grades_with_fresh_seeds_and_checks_each_verdict():
    """Two gradings of three dropout submissions, each with its own hidden-test seed (the full
    measurement, 20 gradings of every variant, is `--repeat 20`; its numbers are in the authoring guide)."""
    lines = []
    table = benchmark.repeat("dropout", 2, workers=2, cell_timeout=30, seed=1, log=lines.append,
                             only=["reference", "wrong-forward-no-scaling", "valid-module-bernoulli"])
    assert set(table) == {"reference", "wrong-forward-no-scaling", "valid-module-bernoulli"}
    assert table["reference"]["scores"] == [8.0, 8.0] == table["valid-module-bernoulli"]["scores"]
    assert max(table["wrong-forward-no-scaling"]["scores"]) < 8
    assert all(not row["unexpected"] for row in table.values())
    seeds = [line.split("(seed ")[1].split(")")[0] for line in lines if line.startswith("run ")]
    assert len(seeds) == 2 and seeds[0] != seeds[1]
    assert "| reference | 8 (max) | 8 | 8 | 2/2 |" in lines


def test_breakdown_phases_add_up_to_the_submission(capsys):
    """--breakdown on a 2-submission optimizers class: every phase of every result is there and
    non-negative, the grading's phases add up to its total (measured around the whole grading), and
    the submissions' totals fit in the run's own wall time; the table names every phase."""
    from autograder.grade.submission import PHASES
    run = benchmark.breakdown("optimizers", 2, cell_timeout=10)
    out = capsys.readouterr().out
    assert [r["score"] for r in run["results"]] == [10, 0]
    for result in run["results"]:
        timings = result["timings"]
        assert {key for key, _ in PHASES} | {"total"} <= set(timings)
        for key in [k for k, _ in PHASES] + ["total"]:
            figures = timings[key]
            assert figures["wall"] >= 0 and figures["grader_cpu"] >= 0 and (figures["cpu"] is None or figures["cpu"] >= 0)
        graded = sum(timings[key]["wall"] for key, _ in PHASES if key != "writing")
        assert graded == pytest.approx(timings["total"]["wall"], rel=0.05, abs=0.1)
        assert timings["sandbox_start"]["wall"] > 0 and timings["imports"]["wall"] > 0 and timings["writing"]["wall"] > 0
        assert "reference" not in timings  # the setup check ran it, for the whole run
    assert sum(benchmark.in_all(r["timings"])["wall"] for r in run["results"]) < run["run_wall"]
    assert "the reference solution ran in" in run["reference"]
    assert len(run["cold"]) == 2 and all(wall > 0 and cpu > 0 for wall, cpu in run["cold"])
    for _, label in PHASES:
        assert f"| {label} | " in out
    assert "| cold-start floor: a fresh interpreter running the notebook's imports (2, 2 at a time) |" in out


def test_import_code_is_the_imports_before_the_first_answer():
    from autograder import course
    from autograder.notebook import read
    code = benchmark.import_code(read(course.solutions_dir() / "optimizers" / "optimizers.ipynb"))
    assert "import numpy as np" in code and "def " not in code
    compile(code, "imports", "exec")


def test_breakdown_of_an_unknown_assignment_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit:
        benchmark.main(["--breakdown", "--assignment", "optimisers"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit.value.code == 2 and "unknown assignment(s) optimisers; this course has: " in err[-1]
    assert "Traceback" not in "\n".join(err)
