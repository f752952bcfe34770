"""Visible checks of the normalization exercise (``check_*``); its hidden-test probes are in
autograder/chapters/normalization/probes.py (never shipped to students).

Family contract (the student's functions, cs231n semantics):

- ``forward(x, gamma, beta, param) -> (out, cache)``, ``backward(dout, cache) -> (dx, dgamma, dbeta)``;
  x of shape (N, D) (vanilla and layer norm) or (N, C, H, W) (spatial batch norm);
- ``param``: batch norm's ``bn_param`` (mode, eps, momentum, running_mean, running_var) or
  layer norm's ``ln_param`` (eps).

Every check prints what it measured, asserts it within a tolerance, and hands the raw outputs
to the grader (:func:`dlcourse.grading.record`), which compares them with the reference
solution's.
The oracles here are numeric gradients and PyTorch (``F.batch_norm``), never a numpy solution.
"""
import time

import numpy as np

from .gradient_check import eval_numerical_gradient_array, forward_output, rel_error
from .grading import record


def _stats(out, axes):
    return out.mean(axis=axes), out.std(axis=axes)


def _fail(msg):
    raise AssertionError(msg)


def _forward(forward, x, gamma, beta, param, what):
    return forward_output(forward(x, gamma, beta, param), x.shape, what)


def _backward(backward, dout, cache, shapes, what):
    result = backward(dout, cache)
    if not (isinstance(result, tuple) and len(result) == 3):
        _fail(f"{what} must return a tuple (dx, dgamma, dbeta)")
    grads = [np.asarray(g, dtype=np.float64) for g in result]
    for name, g, shape in zip(("dx", "dgamma", "dbeta"), grads, shapes):
        if g.shape != shape:
            _fail(f"{what}: {name} has shape {g.shape}, expected {shape}")
    return grads


# ---------------------------------------------------------------- visible checks

def check_train_stats(forward, kind="batchnorm", tol=1e-4):
    """Train-mode outputs: per-feature (batch norm) or per-example (layer norm) statistics.

    Inputs:
    - forward: the student's batchnorm_forward, layernorm_forward or spatial_batchnorm_forward.
    - kind: "batchnorm" (x of shape (200, 3)), "layernorm" (x of shape (4, 300)) or
      "spatial" (x of shape (20, 3, 6, 5)).
    - tol: largest accepted deviation of a mean from beta and of a std from gamma.

    With gamma = 1 and beta = 0 the normalized statistics are 0 and 1; with other gamma and
    beta, batch norm's per-feature means are beta and stds are |gamma|. Returns the errors.
    """
    rng = np.random.default_rng(231)
    if kind == "batchnorm":
        x = 12 + 5 * rng.standard_normal((200, 3)) @ rng.standard_normal((3, 3))
        axes, gamma, beta = 0, np.array([1.0, 2.0, 3.0]), np.array([11.0, 12.0, 13.0])
    elif kind == "spatial":
        x = 4 * rng.standard_normal((20, 3, 6, 5)) + 10
        axes, gamma, beta = (0, 2, 3), np.array([3.0, 4.0, 5.0]), np.array([6.0, 7.0, 8.0])
    elif kind == "layernorm":
        x = 12 + 5 * rng.standard_normal((4, 300)) * rng.uniform(0.5, 2, size=(4, 1))
        axes, gamma, beta = 1, None, None
    else:
        raise ValueError(f"check_train_stats: kind must be batchnorm, layernorm or spatial, got {kind!r}")
    c = x.shape[1]
    errors, outs = {}, {}
    cases = [("gamma=1, beta=0", np.ones(c), np.zeros(c))]
    if gamma is not None:
        cases.append(("given gamma, beta", gamma, beta))
    for label, g, b in cases:
        param = {"mode": "train"}
        out, _ = _forward(forward, x, g, b, param, f"{kind} forward")
        mean, std = _stats(out, axes)
        want_mean, want_std = (b, np.abs(g)) if kind != "layernorm" else (np.zeros_like(mean), np.ones_like(std))
        errors[label] = max(np.max(np.abs(mean - want_mean)), np.max(np.abs(std - want_std)))
        outs[label] = out
        print(f"{kind}, {label}: means {np.round(mean, 4)}, stds {np.round(std, 4)}" if mean.size <= 4
              else f"{kind}, {label}: means in [{mean.min():.4f}, {mean.max():.4f}], stds in [{std.min():.4f}, {std.max():.4f}]")
    record(f"{kind}/visible/train_stats", {k.replace(" ", ""): v for k, v in outs.items()},
           label="the visible train-mode check's inputs", hint="normalize with the batch mean and the biased variance, then scale by gamma and shift by beta",
           rtol=1e-6, atol=1e-8)
    for label, err in errors.items():
        axis_words = "per example" if kind == "layernorm" else "per feature"
        assert err < tol, f"{kind} ({label}): {axis_words} means/stds are off by {err:.2e} (>= {tol:g})"
    return errors


def check_test_mode(forward, spatial=False, calls=50):
    """Test mode after `calls` train-mode calls: the running statistics normalize a new batch.

    Inputs:
    - forward: the student's batchnorm_forward (or spatial_batchnorm_forward with spatial=True).
    - spatial: x of shape (N, C, H, W) instead of (N, D).
    - calls: number of training batches.

    Checks that train mode writes running_mean/running_var into bn_param, that test mode
    leaves them unchanged and does not use the test batch's statistics, and that the
    test-time output has means near 0 and stds near 1 (data from the same distribution).
    """
    rng = np.random.default_rng(232)
    d = 3
    shape = (10, d, 4, 4) if spatial else (200, d)
    axes = (0, 2, 3) if spatial else 0
    loc, scale = np.array([-3.0, 0.5, 7.0]), np.array([0.5, 2.0, 4.0])
    bcast = (1, d, 1, 1) if spatial else (1, d)

    def batch(n=None):
        s = shape if n is None else (n, *shape[1:])
        return loc.reshape(bcast) + scale.reshape(bcast) * rng.standard_normal(s)

    bn_param = {"mode": "train"}
    gamma, beta = np.ones(d), np.zeros(d)
    for _ in range(calls):
        forward(batch(), gamma, beta, bn_param)
    for key in ("running_mean", "running_var"):
        if key not in bn_param:
            _fail(f"train mode must write bn_param['{key}'] back (it is missing after {calls} calls)")
    stored = {k: np.array(bn_param[k], dtype=np.float64) for k in ("running_mean", "running_var")}
    bn_param["mode"] = "test"
    xt = batch()
    out, _ = _forward(forward, xt, gamma, beta, bn_param, "forward (test mode)")
    mean, std = _stats(out, axes)
    # a batch with a very different mean: test mode must not re-centre it
    shifted, _ = _forward(forward, batch(5) + 100.0, gamma, beta, bn_param, "forward (test mode)")
    print(f"after {calls} training calls: running_mean {np.round(stored['running_mean'], 3)}, "
          f"running_var {np.round(stored['running_var'], 3)}")
    print(f"test mode on a new batch: means {np.round(mean, 3)}, stds {np.round(std, 3)}")
    record(("spatial" if spatial else "batchnorm") + "/visible/test_mode",
           {"running_mean": stored["running_mean"], "running_var": stored["running_var"], "out": out},
           label="the visible test-mode check", hint="test mode normalizes with running_mean and running_var and does not update them",
           rtol=1e-6, atol=1e-8)
    for k, v in stored.items():
        if not np.allclose(np.asarray(bn_param[k], dtype=np.float64), v):
            _fail(f"test mode changed bn_param['{k}']: only train mode updates the running statistics")
    assert np.all(np.abs(mean) < 0.2) and np.all(np.abs(std - 1) < 0.2), \
        "test-mode output of a batch from the training distribution should have means near 0 and stds near 1"
    assert np.all(shifted.mean(axis=axes) > 10), \
        "test mode re-centred a shifted batch: it must use the running statistics, not the batch's own"
    return mean, std


def check_gradients(forward, backward, kind="batchnorm", tol=1e-7, hand_in=True):
    """Numerical gradient check of dx, dgamma and dbeta (float64, centred differences).

    Inputs:
    - forward, backward: the student's pair.
    - kind: "batchnorm" or "layernorm" (x of shape (5, 6)), or "spatial" (x of shape (2, 3, 2, 3)).
    - tol: largest accepted relative error.
    - hand_in: record the gradients for the grader (False when used inside another check).

    Returns the relative errors of dx, dgamma, dbeta.
    """
    # well-conditioned inputs (seed and shape chosen so): the max-over-elements relative error
    # of centred differences stays near 1e-9 for a correct backward pass; with an element of dx
    # near zero it can reach 1e-7 whatever the implementation
    rng = np.random.default_rng(1 if kind == "spatial" else 233)
    shape = (2, 3, 2, 3) if kind == "spatial" else (5, 6)
    c = shape[1]
    x = rng.standard_normal(shape) if kind == "spatial" else 2 * rng.standard_normal(shape) + 3
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
    dout = rng.standard_normal(shape)
    param = {"mode": "train"}

    def fx(v):
        return forward(v, gamma, beta, dict(param))[0]

    def fg(v):
        return forward(x, v, beta, dict(param))[0]

    def fb(v):
        return forward(x, gamma, v, dict(param))[0]

    numeric = [eval_numerical_gradient_array(f, v.copy(), dout) for f, v in ((fx, x), (fg, gamma), (fb, beta))]
    _, cache = _forward(forward, x, gamma, beta, dict(param), f"{kind} forward")
    grads = _backward(backward, dout, cache, (shape, (c,), (c,)), f"{kind} backward")
    if hand_in:
        record(f"{kind}/visible/gradients", dict(zip(("dx", "dgamma", "dbeta"), grads)),
               label="the visible gradient check's inputs", hint="compare each step of your backward pass with the forward graph",
               rtol=1e-6, atol=1e-9)
    errors = {}
    for name, g, n in zip(("dx", "dgamma", "dbeta"), grads, numeric):
        errors[name] = rel_error(n, g)
        print(f"{kind} {name} relative error: {errors[name]:.2e}")
    for name, err in errors.items():
        assert err < tol, f"{kind}: {name} differs from the numerical gradient (relative error {err:.2e} >= {tol:g})"
    return errors


def check_backward_alt(forward, backward, backward_alt, tol=1e-7, repeats=10):
    """The simplified backward against the graph one, and their speed.

    Inputs:
    - forward, backward, backward_alt: the student's batchnorm_forward and both backward passes.
    - tol: largest accepted relative error between the two.
    - repeats: timing repetitions (best of) on x of shape (128, 512).

    When the two differ, backward_alt alone is checked against numerical gradients (and the
    check fails only if it is off there).

    Returns (errors, seconds of backward, seconds of backward_alt).
    """
    rng = np.random.default_rng(234)
    n, d = 128, 512
    x = 5 * rng.standard_normal((n, d)) + 3
    gamma, beta, dout = rng.standard_normal(d), rng.standard_normal(d), rng.standard_normal((n, d))
    _, cache = _forward(forward, x, gamma, beta, {"mode": "train"}, "batchnorm_forward")
    shapes = ((n, d), (d,), (d,))
    graph = _backward(backward, dout, cache, shapes, "batchnorm_backward")
    alt = _backward(backward_alt, dout, cache, shapes, "batchnorm_backward_alt")
    times = []
    for fn in (backward, backward_alt):
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            fn(dout, cache)
            best = min(best, time.perf_counter() - start)
        times.append(best)
    errors = {name: rel_error(a, b) for name, a, b in zip(("dx", "dgamma", "dbeta"), graph, alt)}
    record("batchnorm_alt/visible", dict(zip(("dx", "dgamma", "dbeta"), alt)), label="the visible check's inputs",
           hint="the simplified formula must give the same gradients as the graph", rtol=1e-6, atol=1e-9)
    print("relative errors, alt vs graph: " + ", ".join(f"{k} {v:.2e}" for k, v in errors.items()))
    print(f"graph backward {times[0] * 1e3:.3f} ms, simplified {times[1] * 1e3:.3f} ms "
          f"(speed-up x{times[0] / max(times[1], 1e-12):.1f}, best of {repeats})")
    if max(errors.values()) >= tol:
        # which one is off? the numerical gradient decides, so a wrong graph version does not
        # cost the simplified one its points (that is test_batchnorm_backward's job)
        alt_errors = check_gradients(forward, backward_alt, "batchnorm", tol=tol, hand_in=False)
        print(f"batchnorm_backward_alt agrees with the numerical gradient ({max(alt_errors.values()):.2e}): "
              "it is batchnorm_backward that is off")
    return errors, times[0], times[1]


def check_module(module_class, tol=1e-6):
    """The student's nn.Module BatchNorm against torch.nn.functional.batch_norm in training mode.

    Inputs:
    - module_class: the class; built as module_class(num_features).
    - tol: largest accepted relative error of the output and the gradients.

    Compares the output on x of shape (8, 4, 6) and the gradients w.r.t. x, gamma and beta.
    """
    import torch
    import torch.nn.functional as F

    torch.manual_seed(235)
    c = 4
    model = module_class(c).double()
    _module_shape_checks(model, c)
    with torch.no_grad():
        model.gamma.copy_(torch.randn(c, dtype=torch.float64))
        model.beta.copy_(torch.randn(c, dtype=torch.float64))
    x = (3 * torch.randn(8, c, 6, dtype=torch.float64) + 2).requires_grad_()
    dout = torch.randn(8, c, 6, dtype=torch.float64)
    out = model(x)
    if tuple(out.shape) != tuple(x.shape):
        _fail(f"BatchNorm: output has shape {tuple(out.shape)}, expected {tuple(x.shape)}")
    dx, dg, db = torch.autograd.grad(out, (x, model.gamma, model.beta), dout)
    x2 = x.detach().clone().requires_grad_()
    g2 = model.gamma.detach().clone().requires_grad_()
    b2 = model.beta.detach().clone().requires_grad_()
    ref = F.batch_norm(x2, None, None, g2, b2, training=True, eps=1e-5)
    rdx, rdg, rdb = torch.autograd.grad(ref, (x2, g2, b2), dout)
    errors = {name: rel_error(a.detach().numpy(), b.detach().numpy())
              for name, a, b in (("out", out, ref), ("dx", dx, rdx), ("dgamma", dg, rdg), ("dbeta", db, rdb))}
    record("module/visible", {"out": out, "dx": dx, "dgamma": dg, "dbeta": db}, label="the visible check's inputs",
           hint="statistics over dims 0 and 2, biased variance, sqrt(var + 1e-5)", rtol=1e-6, atol=1e-9)
    print("BatchNorm vs F.batch_norm: " + ", ".join(f"{k} {v:.2e}" for k, v in errors.items()))
    for name, err in errors.items():
        assert err < tol, f"BatchNorm: {name} differs from torch.nn.functional.batch_norm (relative error {err:.2e})"
    return errors


def _module_shape_checks(model, c):
    import torch

    for name, want in (("gamma", 1.0), ("beta", 0.0)):
        p = getattr(model, name, None)
        if not isinstance(p, torch.nn.Parameter):
            _fail(f"BatchNorm: self.{name} must be an nn.Parameter")
        if tuple(p.shape) != (c,):
            _fail(f"BatchNorm: self.{name} must have shape ({c},), got {tuple(p.shape)}")
        if not torch.all(p == want):
            _fail(f"BatchNorm: self.{name} must start as {'ones' if want else 'zeros'}")
