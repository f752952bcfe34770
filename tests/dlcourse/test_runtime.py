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


def test_the_epoch_cap_caps_every_loop_and_refuses_nonsense(monkeypatch):
    from dlcourse import runtime
    monkeypatch.delenv("DLCOURSE_EPOCHS", raising=False)
    assert runtime.epoch_cap() is None and runtime.cap_epochs(164) == 164
    monkeypatch.setenv("DLCOURSE_MODE", "full")
    assert runtime.train_epochs(smoke=1, full=164) == 164
    monkeypatch.setenv("DLCOURSE_EPOCHS", "2")
    assert runtime.train_epochs(smoke=1, full=164) == 2 and runtime.cap_epochs(1) == 1
    for bad in ("0", "-1", "two", "1.5"):
        monkeypatch.setenv("DLCOURSE_EPOCHS", bad)
        with pytest.raises(ValueError, match="DLCOURSE_EPOCHS"):
            runtime.cap_epochs(3)


def test_the_library_loops_obey_the_epoch_cap(monkeypatch):
    import numpy as np

    from dlcourse.fc_net import FullyConnectedNet
    from dlcourse.solver import Solver
    rng = np.random.default_rng(0)
    data = {"X_train": rng.standard_normal((20, 3, 2, 2)), "y_train": rng.integers(0, 3, 20),
            "X_val": rng.standard_normal((10, 3, 2, 2)), "y_val": rng.integers(0, 3, 10)}
    monkeypatch.setenv("DLCOURSE_EPOCHS", "2")
    solver = Solver(FullyConnectedNet([4], input_dim=12, num_classes=3, seed=0), data, num_epochs=9,
                    batch_size=10, verbose=False).train()
    assert len(solver.loss_history) == 2 * 2  # 2 epochs of 2 iterations, not 9
