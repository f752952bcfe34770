"""The normalization chapter's library: the visible checks of the exercise, which must pass a
correct implementation (the book's torch-backed layers, book/normalization/torch_layers.py,
tested in tests/book/test_torch_layers.py) and fail the usual mistakes."""

import numpy as np
import pytest
import torch

from dlcourse import norm_checks
from torch_layers import batchnorm_backward, batchnorm_forward, layernorm_backward, layernorm_forward


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
