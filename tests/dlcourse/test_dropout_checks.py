"""The dropout exercise's visible checks (dlcourse.dropout_checks): they accept correct answers
drawn with different generators and reject each kind of wrong one; and FullyConnectedNet's
dropout hook."""
import numpy as np
import pytest
import torch

from dlcourse.dropout_checks import check_backward, check_forward, check_module, check_seed
from dlcourse.fc_net import FullyConnectedNet
from dlcourse.gradient_check import eval_numerical_gradient, rel_error


def make_forward(draw="rand", scale=True, keep_is_drop=False, test_drops=False, in_place=False, seeded=True):
    def dropout_forward(x, param):
        p, mode = param["p"], param["mode"]
        keep = 1 - p if keep_is_drop else p
        if seeded and "seed" in param:
            np.random.seed(param["seed"])
        if mode == "train" or test_drops:
            if draw == "binomial":
                mask = np.random.binomial(1, keep, x.shape).astype(float)
            elif draw == "fixed":
                mask = (np.random.default_rng(0).random(x.shape) < keep).astype(float)
            else:
                mask = (np.random.rand(*x.shape) < keep).astype(float)
            mask = mask / keep if scale else mask
            if in_place:
                x *= mask
                return x, (param, mask)
            return x * mask, (param, mask)
        return x, (param, None)
    return dropout_forward


def backward(dout, cache):
    param, mask = cache
    return dout * mask if param["mode"] == "train" else dout


@pytest.mark.parametrize("draw", ["rand", "binomial"])
def test_check_forward_accepts_correct_masks(draw, capsys):
    fractions = check_forward(make_forward(draw))
    assert set(fractions) == {0.25, 0.4, 0.7}
    assert all(abs(f - p) < 0.01 for p, f in fractions.items())
    assert "train-mode output" in capsys.readouterr().out


@pytest.mark.parametrize("kind, words", [
    ({"scale": False}, "neither 0 nor x / p"),
    ({"keep_is_drop": True}, "neither 0 nor x / p"),
    ({"test_drops": True}, "test mode must return x unchanged"),
    ({"in_place": True}, "in place"),
])
def test_check_forward_rejects_each_mistake(kind, words):
    with pytest.raises(AssertionError, match=words):
        check_forward(make_forward(**kind))


def test_check_seed_wants_reproducible_and_fresh_masks():
    check_seed(make_forward())
    with pytest.raises(AssertionError, match="same dropout_param"):
        check_seed(make_forward(seeded=False))
    with pytest.raises(AssertionError, match="without a seed: the two masks agree on 2000 of 2000"):
        check_seed(make_forward(draw="fixed", seeded=False))


def test_check_backward_uses_numeric_gradients():
    assert check_backward(make_forward(), backward) < 1e-6

    def forgets_scale(dout, cache):
        return dout * (cache[1] != 0)

    with pytest.raises(AssertionError, match="numerical gradient"):
        check_backward(make_forward(), forgets_scale)


class Good(torch.nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        return x * (torch.rand_like(x) >= self.p) / (1 - self.p)


class PAsKeep(Good):
    def forward(self, x):
        return x * (torch.rand_like(x) < self.p) / self.p if self.training else x


class AlwaysDrops(Good):
    def forward(self, x):
        return x * (torch.rand_like(x) >= self.p) / (1 - self.p)


class ReusesItsMask(Good):
    def forward(self, x):
        if not self.training:
            return x
        if getattr(self, "mask", None) is None:
            self.mask = torch.rand_like(x) >= self.p
        return x * self.mask / (1 - self.p)


class InPlace(Good):
    def forward(self, x):
        if not self.training:
            return x
        return x.mul_((torch.rand_like(x) >= self.p).float()).div_(1 - self.p)


def test_check_module_accepts_a_correct_module():
    assert abs(check_module(Good) - 0.7) < 0.01


@pytest.mark.parametrize("module, words", [(PAsKeep, "neither 0 nor"), (AlwaysDrops, "eval mode"),
                                           (InPlace, "in place"), (ReusesItsMask, "agree on 60000 of 60000")])
def test_check_module_rejects_each_mistake(module, words):
    with pytest.raises(AssertionError, match=words):
        check_module(module)


def test_fc_net_draws_a_new_mask_per_call_unless_dropout_param_has_a_seed():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 5)), np.array([0, 1, 2, 0, 1, 2])
    model = FullyConnectedNet([30, 30], input_dim=5, num_classes=3, dropout=(make_forward(), backward),
                              dropout_param={"p": 0.5}, dtype=np.float64, seed=0, weight_scale=0.5)
    assert model.loss(X, y)[0] != model.loss(X, y)[0]  # the weights' seed does not fix the masks
    assert np.array_equal(model.loss(X), model.loss(X))  # test mode: no dropout
    model.dropout_param["seed"] = 3
    loss, grads = model.loss(X, y)
    assert model.loss(X, y)[0] == loss
    for name in ("W1", "W2", "b1"):
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-6)
        assert rel_error(numeric, grads[name]) < 1e-4, name  # a mask-blind backward is off by O(1)
