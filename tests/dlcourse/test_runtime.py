"""The run-mode switch, read in one place."""
import pytest

from dlcourse import check_version, runtime


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for var in ("DLCOURSE_MODE", "NBGRADER_EXECUTION", "DLCOURSE_GRADING"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(runtime, "_override", None)


def test_default_is_smoke_and_env_selects_full(monkeypatch):
    assert runtime.mode() == "smoke"
    monkeypatch.setenv("DLCOURSE_MODE", "full")
    assert runtime.mode() == "full" and runtime.by_mode(smoke=1, full=2) == 2


def test_grading_forces_smoke(monkeypatch):
    monkeypatch.setenv("DLCOURSE_MODE", "full")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert runtime.mode() == "smoke"


def test_bad_values_are_rejected(monkeypatch):
    monkeypatch.setenv("DLCOURSE_MODE", "fast")
    with pytest.raises(ValueError, match="expected one of smoke, full"):
        runtime.mode()
    with pytest.raises(ValueError):
        runtime.set_mode("turbo")


def test_set_mode_overrides():
    runtime.set_mode("full")
    assert runtime.mode() == "full"


def test_check_version():
    import dlcourse
    assert check_version(dlcourse.__version__) == dlcourse.__version__
    with pytest.raises(RuntimeError, match="was released for dlcourse 0.0.1"):
        check_version("0.0.1")
