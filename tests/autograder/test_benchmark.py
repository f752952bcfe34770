"""The benchmark script runs (its --dry-run); its numbers live in its output, not in assertions."""
from autograder import benchmark


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


def test_scale_dry_run(capsys):
    """The course-term benchmark runs end to end: real autograde processes, a kill -9 and its resume."""
    benchmark.main(["--scale", "--dry-run"])
    out = capsys.readouterr().out
    assert "| run | seconds | submissions per minute | coordinator peak MiB |" in out
    assert "kill -9 after 3 results (killed)" in out and "resume: the 3 left" in out
    assert "rerun, nothing changed (6 submissions)" in out
