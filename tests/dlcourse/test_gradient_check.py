"""rel_error and the numeric gradients, checked against torch autograd; the given layers and net too."""
import numpy as np
import pytest
import torch

from dlcourse import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from dlcourse.fc_net import FullyConnectedNet
from dlcourse.layers import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss

rng = np.random.default_rng(0)


def autograd(f, *arrays):
    """Gradients of scalar torch function f at the given numpy arrays."""
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    f(*ts).backward()
    return [t.grad.numpy() for t in ts]


def test_rel_error():
    x = np.array([1.0, 2.0, 3.0])
    assert rel_error(x, x) == 0.0
    assert rel_error(x, x * (1 + 1e-6)) == pytest.approx(5e-7, rel=1e-3)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.zeros(3), np.zeros(4))


def test_eval_numerical_gradient_matches_autograd():
    A = rng.standard_normal((4, 3))
    x = rng.standard_normal(3)
    num = eval_numerical_gradient(lambda v: float(np.sum(np.tanh(A @ v) ** 2)), x.copy())
    (auto,) = autograd(lambda v: torch.sum(torch.tanh(torch.tensor(A) @ v) ** 2), x)
    assert rel_error(num, auto) < 1e-8


def test_eval_numerical_gradient_array_matches_autograd():
    x = rng.standard_normal((3, 4))
    df = rng.standard_normal((3, 4))
    num = eval_numerical_gradient_array(lambda v: np.sin(v) * v, x.copy(), df)
    (auto,) = autograd(lambda v: torch.sum((torch.sin(v) * v) * torch.tensor(df)), x)
    assert rel_error(num, auto) < 1e-8


def test_numeric_gradient_leaves_input_unchanged():
    x = rng.standard_normal((2, 3))
    before = x.copy()
    eval_numerical_gradient(lambda v: float(np.sum(v**3)), x)
    assert np.array_equal(x, before)


def test_affine_and_relu_backward_match_autograd():
    x, w, b = rng.standard_normal((5, 2, 3)), rng.standard_normal((6, 4)), rng.standard_normal(4)
    dout = rng.standard_normal((5, 4))
    out, cache = affine_forward(x, w, b)
    relu_out, relu_cache = relu_forward(out)
    dx, dw, db = affine_backward(relu_backward(dout, relu_cache), cache)
    auto = autograd(lambda X, W, B: torch.sum(torch.relu(X.reshape(5, -1) @ W + B) * torch.tensor(dout)), x, w, b)
    for mine, theirs in zip((dx, dw, db), auto):
        assert rel_error(mine, theirs) < 1e-10


def test_softmax_loss_matches_torch():
    x, y = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    loss, dx = softmax_loss(x, y)
    xt = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(xt, torch.tensor(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    assert rel_error(dx, xt.grad.numpy()) < 1e-10


@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_fc_net_gradients(reg):
    X, y = rng.standard_normal((4, 7)), rng.integers(0, 3, 4)
    model = FullyConnectedNet([5, 6], input_dim=7, num_classes=3, reg=reg, weight_scale=0.5, dtype=np.float64, seed=1)
    loss, grads = model.loss(X, y)
    for name, param in model.params.items():
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], param)
        assert rel_error(num, grads[name]) < 1e-6, name


def test_fc_net_calls_plugged_in_layers():
    calls = []

    def norm_forward(x, gamma, beta, param):
        calls.append(("norm", param["mode"]))
        return x * gamma + beta, (x, gamma)

    def norm_backward(dout, cache):
        x, gamma = cache
        return dout * gamma, (dout * x).sum(0), dout.sum(0)

    def dropout_forward(x, param):
        calls.append(("dropout", param["mode"]))
        return x, None

    model = FullyConnectedNet([4], input_dim=3, num_classes=2, norm=(norm_forward, norm_backward),
                              dropout=(dropout_forward, lambda d, c: d), dropout_param={"p": 0.5},
                              dtype=np.float64, seed=0)
    assert {"gamma1", "beta1"} <= set(model.params)
    _, grads = model.loss(rng.standard_normal((2, 3)), np.array([0, 1]))
    assert {"gamma1", "beta1"} <= set(grads)
    model.loss(rng.standard_normal((2, 3)))
    assert calls == [("norm", "train"), ("dropout", "train"), ("norm", "test"), ("dropout", "test")]


def test_forward_output_checks_the_layer_contract():
    from dlcourse.gradient_check import forward_output
    x = np.ones((2, 3))
    out, cache = forward_output((x.astype(np.float32), "cache"), x.shape, "f")
    assert out.dtype == np.float64 and cache == "cache"
    with pytest.raises(AssertionError, match=r"f must return a tuple \(out, cache\), got ndarray"):
        forward_output(x, x.shape, "f")
    with pytest.raises(AssertionError, match=r"f: out has shape \(3, 2\), expected the input's shape \(2, 3\)"):
        forward_output((x.T, None), x.shape, "f")
