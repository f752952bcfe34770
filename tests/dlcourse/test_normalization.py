"""The normalization chapter's library: the torch-backed reference layers (used by the book's
figures) against PyTorch and numeric gradients, and the visible checks of the exercise, which
must pass a correct implementation and fail the usual mistakes."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse import norm_checks
from dlcourse.fc_net import FullyConnectedNet
from dlcourse.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from dlcourse.normalization import (BATCHNORM, LAYERNORM, batchnorm_backward, batchnorm_forward, layernorm_backward,
                                    layernorm_forward)


def _inputs(shape, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[1]
    return 3 * rng.standard_normal(shape) + 2, rng.standard_normal(c), rng.standard_normal(c), rng.standard_normal(shape)


def _torch_grads(fn, x, gamma, beta, dout):
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    out = fn(xt, gt, bt)
    return (out.detach().numpy(), *(g.numpy() for g in torch.autograd.grad(out, (xt, gt, bt), torch.tensor(dout))))


@pytest.mark.parametrize("shape", [(7, 5), (2, 9), (32, 3)])
def test_batchnorm_matches_torch_batch_norm_and_autograd(shape):
    x, gamma, beta, dout = _inputs(shape)
    out, cache = batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": 1e-3})
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    ref = _torch_grads(lambda a, g, b: F.batch_norm(a, None, None, g, b, training=True, eps=1e-3), x, gamma, beta, dout)
    for got, want in zip((out, dx, dgamma, dbeta), ref):
        assert rel_error(got, want) < 1e-6
    # and against the definition, written out here
    xhat = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    assert rel_error(out, gamma * xhat + beta) < 1e-6
    assert rel_error(dgamma, (dout * xhat).sum(0)) < 1e-6


def test_batchnorm_backward_matches_numeric_gradient():
    x, gamma, beta, dout = _inputs((5, 4), seed=1)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    f = lambda v: batchnorm_forward(v, gamma, beta, {"mode": "train"})[0]  # noqa: E731
    assert rel_error(dx, eval_numerical_gradient_array(f, x.copy(), dout)) < 1e-6
    assert rel_error(dgamma, eval_numerical_gradient_array(lambda g: batchnorm_forward(x, g, beta, {"mode": "train"})[0],
                                                            gamma.copy(), dout)) < 1e-6
    assert rel_error(dbeta, dout.sum(0)) < 1e-6


def test_running_statistics_follow_the_exercise_convention():
    rng = np.random.default_rng(2)
    d, momentum = 4, 0.7
    bn_param = {"mode": "train", "momentum": momentum}
    torch_mean, torch_var = torch.zeros(d, dtype=torch.float64), torch.zeros(d, dtype=torch.float64)
    gamma, beta = np.ones(d), np.zeros(d)
    for _ in range(3):
        x = rng.standard_normal((6, d)) * 2 + 1
        batchnorm_forward(x, gamma, beta, bn_param)
        # PyTorch: momentum weights the *new* value and the running variance is unbiased
        F.batch_norm(torch.tensor(x), torch_mean, torch_var, training=True, momentum=1 - momentum)  # in place
    # the exercise's convention, written out: same means as PyTorch, biased variances
    rng = np.random.default_rng(2)
    mean, var = np.zeros(d), np.zeros(d)
    for _ in range(3):
        x = rng.standard_normal((6, d)) * 2 + 1
        mean = momentum * mean + (1 - momentum) * x.mean(0)
        var = momentum * var + (1 - momentum) * x.var(0)
    assert rel_error(bn_param["running_mean"], mean) < 1e-12
    assert rel_error(bn_param["running_mean"], torch_mean.numpy()) < 1e-12
    assert rel_error(bn_param["running_var"], var) < 1e-12
    assert np.all(torch_var.numpy() > var)  # PyTorch's unbiased running variance is larger
    # test mode: the running statistics, unchanged
    x = rng.standard_normal((3, d))
    out, _ = batchnorm_forward(x, gamma, beta, dict(bn_param, mode="test"))
    want = F.batch_norm(torch.tensor(x), torch.tensor(mean), torch.tensor(var), training=False).numpy()
    assert rel_error(out, want) < 1e-6


@pytest.mark.parametrize("shape", [(4, 6), (1, 5), (9, 2)])
def test_layernorm_matches_torch_layer_norm_and_autograd(shape):
    x, gamma, beta, dout = _inputs(shape, seed=3)
    out, cache = layernorm_forward(x, gamma, beta, {"eps": 1e-4, "mode": "test"})
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    ln = torch.nn.LayerNorm(shape[1], eps=1e-4).double()
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(gamma))
        ln.bias.copy_(torch.tensor(beta))
    xt = torch.tensor(x, requires_grad=True)
    ref = ln(xt)
    rdx, rdg, rdb = torch.autograd.grad(ref, (xt, ln.weight, ln.bias), torch.tensor(dout))
    for got, want in zip((out, dx, dgamma, dbeta), (ref, rdx, rdg, rdb)):
        assert rel_error(got, want.detach().numpy()) < 1e-6


def test_bad_input_gets_a_clear_message():
    with pytest.raises(ValueError, match=r"shape \(N, D\)"):
        batchnorm_forward(np.zeros((2, 3, 4)), np.ones(3), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match="gamma and beta"):
        layernorm_forward(np.zeros((2, 3)), np.ones(4), np.zeros(4), {})
    with pytest.raises(ValueError, match="'train' or 'test'"):
        batchnorm_forward(np.zeros((2, 3)), np.ones(3), np.zeros(3), {"mode": "eval"})


@pytest.mark.parametrize("norm", [BATCHNORM, LAYERNORM], ids=["batchnorm", "layernorm"])
def test_fully_connected_net_with_the_reference_layers_has_correct_gradients(norm):
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((5, 6)), rng.integers(0, 3, size=5)
    model = FullyConnectedNet([7, 4], input_dim=6, num_classes=3, norm=norm, weight_scale=0.5, dtype=np.float64, seed=0)
    loss, grads = model.loss(X, y)
    for name in ("W1", "gamma1", "beta2", "W3"):
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name])
        assert rel_error(grads[name], numeric) < 1e-6, name


# ---- the visible checks: pass correct code, fail the usual mistakes


def _spatial(forward_2d):
    def forward(x, gamma, beta, bn_param):
        n, c, h, w = x.shape
        out, cache = forward_2d(x.transpose(0, 2, 3, 1).reshape(-1, c), gamma, beta, bn_param)
        return out.reshape(n, h, w, c).transpose(0, 3, 1, 2), cache

    def backward(dout, cache):
        n, c, h, w = dout.shape
        dx, dg, db = batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, c), cache)
        return dx.reshape(n, h, w, c).transpose(0, 3, 1, 2), dg, db

    return forward, backward


class GoodModule(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gamma = torch.nn.Parameter(torch.ones(c))
        self.beta = torch.nn.Parameter(torch.zeros(c))

    def forward(self, x):
        var, mean = torch.var_mean(x, dim=(0, 2), correction=0, keepdim=True)
        return self.gamma[:, None] * (x - mean) / torch.sqrt(var + 1e-5) + self.beta[:, None]


class UnbiasedModule(GoodModule):
    def forward(self, x):
        var, mean = torch.var_mean(x, dim=(0, 2), keepdim=True)
        return self.gamma[:, None] * (x - mean) / torch.sqrt(var + 1e-5) + self.beta[:, None]


def test_visible_checks_pass_correct_code():
    spatial_forward, spatial_backward = _spatial(batchnorm_forward)
    assert max(norm_checks.check_train_stats(batchnorm_forward, "batchnorm").values()) < 1e-4
    assert max(norm_checks.check_train_stats(layernorm_forward, "layernorm").values()) < 1e-4
    assert max(norm_checks.check_train_stats(spatial_forward, "spatial").values()) < 1e-4
    norm_checks.check_test_mode(batchnorm_forward)
    norm_checks.check_test_mode(spatial_forward, spatial=True)
    assert max(norm_checks.check_gradients(batchnorm_forward, batchnorm_backward).values()) < 1e-7
    assert max(norm_checks.check_gradients(layernorm_forward, layernorm_backward, "layernorm").values()) < 1e-7
    assert max(norm_checks.check_gradients(spatial_forward, spatial_backward, "spatial").values()) < 1e-7
    norm_checks.check_backward_alt(batchnorm_forward, batchnorm_backward, batchnorm_backward, repeats=2)
    assert max(norm_checks.check_module(GoodModule).values()) < 1e-6


def _unbiased(x, gamma, beta, bn_param):
    n = x.shape[0]
    out, cache = batchnorm_forward(x, gamma, beta, bn_param)
    return beta + (out - beta) * np.sqrt((n - 1) / n), cache  # normalized by the unbiased std


def _not_written_back(x, gamma, beta, bn_param):
    return batchnorm_forward(x, gamma, beta, dict(bn_param))


def _test_uses_batch(x, gamma, beta, bn_param):
    return batchnorm_forward(x, gamma, beta, dict(bn_param, mode="train"))


def _layernorm_over_batch(x, gamma, beta, ln_param):
    out, cache = batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": ln_param.get("eps", 1e-5)})
    return out, cache


def _scaled_backward(dout, cache):
    dx, dg, db = batchnorm_backward(dout, cache)
    return dx * 1.01, dg, db


def _constant_statistics_backward(dout, cache):
    dx, dg, db = batchnorm_backward(dout, cache)
    return dx - dx.mean(0) + dout.mean(0), dg, db  # wrong mean term


@pytest.mark.parametrize("check", [
    lambda: norm_checks.check_train_stats(_unbiased, "batchnorm"),
    lambda: norm_checks.check_train_stats(_layernorm_over_batch, "layernorm"),
    lambda: norm_checks.check_train_stats(
        lambda x, g, b, p: (lambda o, c: (o.reshape(x.shape), c))(*batchnorm_forward(x.reshape(-1, x.shape[1]), g, b, p)),
        "spatial"),
    lambda: norm_checks.check_test_mode(_not_written_back),
    lambda: norm_checks.check_test_mode(_test_uses_batch),
    lambda: norm_checks.check_gradients(batchnorm_forward, _scaled_backward),
    lambda: norm_checks.check_gradients(batchnorm_forward, _constant_statistics_backward),
    lambda: norm_checks.check_backward_alt(batchnorm_forward, batchnorm_backward, _scaled_backward, repeats=1),
    lambda: norm_checks.check_module(UnbiasedModule),
], ids=["unbiased", "layernorm-over-batch", "spatial-no-transpose", "not-written-back", "test-uses-batch",
        "scaled-backward", "wrong-mean-term", "alt-off", "module-unbiased"])
def test_visible_checks_fail_wrong_code(check):
    with pytest.raises(AssertionError):
        check()


def test_alt_check_does_not_blame_a_correct_alt_for_a_wrong_graph_backward(capsys):
    norm_checks.check_backward_alt(batchnorm_forward, _scaled_backward, batchnorm_backward, repeats=1)
    assert "it is batchnorm_backward that is off" in capsys.readouterr().out
