"""The Solver: histories, best parameters, and update rules plugged in as functions."""
import numpy as np
import pytest

from dlcourse.fc_net import FullyConnectedNet
from dlcourse.optim import sgd
from dlcourse.solver import Solver


def toy_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 10))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return {"X_train": X[:150], "y_train": y[:150], "X_val": X[150:], "y_val": y[150:]}


def test_sgd_default_and_contract():
    w, dw = np.ones(3), np.full(3, 2.0)
    next_w, config = sgd(w, dw)
    assert np.allclose(next_w, 1 - 1e-2 * 2) and config["learning_rate"] == 1e-2


def test_training_learns_and_keeps_best_params():
    model = FullyConnectedNet([20], input_dim=10, num_classes=2, weight_scale=0.1, dtype=np.float64, seed=0)
    solver = Solver(model, toy_data(), update_rule="sgd", optim_config={"learning_rate": 0.5},
                    num_epochs=10, batch_size=25, verbose=False).train()
    assert len(solver.loss_history) == 10 * 6
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 11
    assert solver.loss_history[-1] < solver.loss_history[0]
    assert solver.best_val_acc == max(solver.val_acc_history) > 0.8
    assert solver.check_accuracy(solver.X_val, solver.y_val) == pytest.approx(solver.best_val_acc)


def test_callable_rule_gets_each_parameter_its_returned_config():
    seen = []

    def counting_rule(w, dw, config):
        count = config.get("count", 0) + 1
        seen.append(count)
        return w - 0.01 * dw, {**config, "count": count}

    model = FullyConnectedNet([5], input_dim=10, num_classes=2, dtype=np.float64, seed=0)
    solver = Solver(model, toy_data(), update_rule=counting_rule, num_epochs=1, batch_size=50, verbose=False)
    solver.train()
    assert {c["count"] for c in solver.optim_configs.values()} == {3}
    assert seen.count(1) == len(model.params)


def test_unknown_rule_name_is_a_clear_error():
    model = FullyConnectedNet([5], input_dim=10, num_classes=2, seed=0)
    with pytest.raises(ValueError, match="no such rule; pass your own function"):
        Solver(model, toy_data(), update_rule="adamw")


def test_progress_goes_to_stdout_only(capsys):
    model = FullyConnectedNet([5], input_dim=10, num_classes=2, seed=0)
    Solver(model, toy_data(), num_epochs=1, batch_size=50, print_every=1).train()
    out, err = capsys.readouterr()
    assert "(Epoch 1 / 1)" in out and "iteration 3/3" in out and err == ""
