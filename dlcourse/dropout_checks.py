"""Visible checks of the dropout exercise (``check_*``); its hidden-test probes are in
autograder/chapters/dropout/probes.py (never shipped to students), which shares nonzero_inputs.

Contracts (the student's code):

- numpy, cs231n: ``dropout_forward(x, dropout_param) -> (out, cache)`` with dropout_param keys
  ``mode`` ('train' | 'test'), ``p`` (the probability of **keeping** a unit) and an optional
  ``seed``; ``dropout_backward(dout, cache) -> dx``.
- PyTorch: ``Dropout(p)``, an ``nn.Module`` whose ``p`` is the probability of **dropping** a unit.

The outputs are random: two correct answers draw different masks. So nothing here compares
with the reference's values. Every check records the raw input and output, and the grader
judges *properties* outside the kernel (``autograder/chapters/dropout/checks.py``:
``inverted_dropout``, ``dropout_backward``, ``independent_masks``; the generic ``all_equal``),
taking the inputs from the reference run's record. The visible checks assert the same properties
in the kernel, with the same exact binomial bound (:func:`dlcourse.stats.binomial_interval`), so a
correct answer fails them with probability below 1e-8 per check.
"""
import numpy as np

from .gradient_check import eval_numerical_gradient_array, forward_output, rel_error
from .grading import record
from .stats import binomial_interval


def _fail(msg):
    raise AssertionError(msg)


def nonzero_inputs(rng, shape):
    """Values with |x| in [0.5, 2): an output of 0 then always means 'dropped'."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def _call(forward, x, param, what):
    return forward_output(forward(x, param), x.shape, what)


def assert_inverted_dropout(x, out, keep, what, p_name="p"):
    """Assert every element of out is 0 or x / keep and the kept count is plausible; return the kept fraction."""
    x, out = np.asarray(x, dtype=np.float64), np.asarray(out, dtype=np.float64)
    kept = np.isclose(out, x / keep, rtol=1e-5, atol=0) & (out != 0)
    dropped = out == 0
    if not np.all(kept | dropped):
        bad = int(np.sum(~(kept | dropped)))
        _fail(f"{what}: {bad} of {x.size} outputs are neither 0 nor x / {p_name} (= x / {keep:g}); "
              "inverted dropout scales the kept units at train time")
    k, n = int(kept.sum()), x.size
    lo, hi, _ = binomial_interval(n, keep)
    if not lo <= k <= hi:
        _fail(f"{what}: kept {k} of {n} units ({k / n:.1%}), expected about {keep:.0%} "
              f"(between {lo} and {hi} for a correct mask)")
    return k / n


def assert_independent(first, second, keep, what):
    """Assert two masks (where the outputs are not 0) agree only as independent draws would.

    Both kept or both dropped happens with probability q = keep² + (1 - keep)² per element for
    independent masks; the count must lie in the exact binomial interval for q."""
    a, b = np.asarray(first) != 0, np.asarray(second) != 0
    q = keep ** 2 + (1 - keep) ** 2
    k, n = int(np.sum(a == b)), a.size
    lo, hi, _ = binomial_interval(n, q)
    if not lo <= k <= hi:
        _fail(f"{what}: the two masks agree on {k} of {n} units ({k / n:.1%}), independent masks agree on "
              f"about {q:.1%} (between {lo} and {hi}): draw a new mask of the input's full shape on every call, "
              "one independent decision per unit")
    return k / n


def check_forward(dropout_forward, keeps=(0.25, 0.4, 0.7)):
    """Train mode keeps about p of the units and scales them by 1 / p; test mode is the identity.

    Inputs:
    - dropout_forward: the student's function.
    - keeps: keep probabilities p to try on x of shape (500, 500).

    Prints, for each p, the mean of the input and of the train- and test-mode outputs (close in
    expectation: that is what the scaling is for) and the fraction of units kept.
    Returns {p: fraction kept}.
    """
    rng = np.random.default_rng(231)
    x = nonzero_inputs(rng, (500, 500)) + 1.0  # mean about 1, never 0
    x[x == 0] = 1.0
    fractions = {}
    for keep in keeps:
        original = x.copy()
        out, _ = _call(dropout_forward, x, {"mode": "train", "p": keep}, f"dropout_forward (train, p={keep})")
        test, _ = _call(dropout_forward, x, {"mode": "test", "p": keep}, f"dropout_forward (test, p={keep})")
        record(f"forward/visible/p{keep}/train", {"x": original, "out": out}, check="inverted_dropout",
               args={"keep": keep}, label=f"the visible check, p = {keep}",
               hint="train mode: mask = (random numbers < p), out = x * mask / p")
        record(f"forward/visible/p{keep}/test", test, rtol=0, atol=0, label=f"the visible check, test mode, p = {keep}",
               hint="test mode returns x unchanged (the scaling already happened at train time)")
        print(f"p = {keep}: mean of input {x.mean():.4f}, train-mode output {out.mean():.4f}, "
              f"test-mode output {test.mean():.4f}; kept {np.mean(out != 0):.4f}")
        if not np.array_equal(x, original):
            _fail("dropout_forward changed its input x in place: compute a new array")
        if not np.array_equal(test, x):
            _fail(f"test mode must return x unchanged (p = {keep})")
        fractions[keep] = assert_inverted_dropout(x, out, keep, f"train mode, p = {keep}")
    return fractions


def check_seed(dropout_forward, keep=0.6):
    """The same seed gives the same mask; two calls without a seed draw independent masks."""
    x = nonzero_inputs(np.random.default_rng(236), (40, 50))
    a, _ = _call(dropout_forward, x, {"mode": "train", "p": keep, "seed": 123}, "dropout_forward (seed=123)")
    b, _ = _call(dropout_forward, x, {"mode": "train", "p": keep, "seed": 123}, "dropout_forward (seed=123)")
    record("seed/visible", {"first": a, "second": b}, check="all_equal",
           args={"keys": ["first", "second"], "what": "two calls with dropout_param['seed'] = 123"},
           label="the visible seed check", hint="when dropout_param has a 'seed', seed the generator with it before drawing")
    print(f"same seed: {np.array_equal(a, b)} (masks equal)")
    if not np.array_equal(a, b):
        _fail("two calls with the same dropout_param['seed'] gave different outputs")
    c, _ = _call(dropout_forward, x, {"mode": "train", "p": keep}, "dropout_forward (no seed)")
    d, _ = _call(dropout_forward, x, {"mode": "train", "p": keep}, "dropout_forward (no seed)")
    agree = assert_independent(c, d, keep, "two calls of dropout_forward without a seed")
    print(f"no seed: {agree:.2f} of the units agree between two calls (about "
          f"{keep**2 + (1 - keep)**2:.2f} for independent masks)")


def check_backward(dropout_forward, dropout_backward, keep=0.8, tol=1e-6):
    """Numerical gradient check of dx with a fixed seed (so every call draws the same mask)."""
    rng = np.random.default_rng(237)
    x = nonzero_inputs(rng, (10, 10))
    dout = rng.standard_normal((10, 10))
    param = {"mode": "train", "p": keep, "seed": 123}
    out, cache = _call(dropout_forward, x, dict(param), "dropout_forward")
    dx = np.asarray(dropout_backward(dout, cache), dtype=np.float64)
    if dx.shape != x.shape:
        _fail(f"dropout_backward: dx has shape {dx.shape}, expected {x.shape}")
    numeric = eval_numerical_gradient_array(lambda v: dropout_forward(v, dict(param))[0], x.copy(), dout)
    record("backward/visible", {"x": x, "dout": dout, "out": out, "dx": dx}, check="dropout_backward",
           args={"keep": keep}, label="the visible gradient check",
           hint="dx = dout * mask / p, with the forward pass's mask (keep it in the cache)")
    err = rel_error(dx, numeric)
    print(f"dx relative error: {err:.2e}")
    assert err < tol, f"dx differs from the numerical gradient (relative error {err:.2e} >= {tol:g})"
    return err


def check_module(module_class, p=0.3):
    """The PyTorch module: train mode drops about p and scales by 1 / (1 - p); eval mode is the
    identity; the input is not changed; gradients flow through the kept units only."""
    import torch

    keep = 1.0 - p
    torch.manual_seed(238)
    model = module_class(p)
    if not isinstance(model, torch.nn.Module):
        _fail("Dropout must be a subclass of nn.Module")
    rng = np.random.default_rng(238)  # inputs drawn before the module draws anything: the same in every run
    x = torch.as_tensor(nonzero_inputs(rng, (200, 300)), dtype=torch.float32)
    dout = torch.as_tensor(rng.standard_normal((200, 300)), dtype=torch.float32)
    original = x.clone()
    model.train()
    out = model(x)
    if not torch.equal(x, original):
        _fail("Dropout changed its input in place: return a new tensor")
    x_grad = original.clone().requires_grad_()
    out_grad = model(x_grad)
    (dx,) = torch.autograd.grad(out_grad, x_grad, dout)
    model.eval()
    evaluated = model(x)
    record("module/visible/train", {"x": original, "out": out}, check="inverted_dropout",
           args={"keep": keep, "rtol": 1e-5, "convention": "drop"}, label=f"the visible check, Dropout({p}) in training mode",
           hint="p is the probability of dropping: keep with probability 1 - p, scale by 1 / (1 - p)")
    record("module/visible/grad", {"x": original, "dout": dout, "out": out_grad, "dx": dx}, check="dropout_backward",
           args={"keep": keep, "rtol": 1e-5}, label=f"the visible check, gradient of Dropout({p})",
           hint="build the output from tensor operations on x so that autograd sees the mask and the scaling")
    record("module/visible/eval", evaluated, rtol=0, atol=0, label=f"the visible check, Dropout({p}) in eval mode",
           hint="in eval mode (self.training is False) return the input unchanged")
    fraction = assert_inverted_dropout(original.numpy(), out.detach().numpy(), keep, f"Dropout({p}) in training mode",
                                       p_name="(1 - p)")
    print(f"Dropout({p}), training mode: kept {fraction:.4f} (expected about {keep:.2f}); "
          f"mean of input {x.mean():.4f}, of output {out.mean():.4f}")
    if not torch.equal(evaluated, x):
        _fail("in eval mode Dropout must return its input unchanged")
    mask = (out_grad != 0).detach()
    expected = torch.where(mask, dout / keep, torch.zeros_like(dout))
    if not torch.allclose(dx, expected, rtol=1e-5, atol=0):
        _fail("the gradient w.r.t. x is not dout / (1 - p) on the kept units and 0 elsewhere")
    print("eval mode: identity; gradient: dout / (1 - p) on the kept units, 0 on the dropped ones")
    agree = assert_independent(out.detach().numpy(), out_grad.detach().numpy(), keep,
                               f"two training-mode calls of one Dropout({p}) on the same input")
    print(f"two calls: {agree:.2f} of the units agree (about {keep**2 + p**2:.2f} for independent masks)")
    return fraction
