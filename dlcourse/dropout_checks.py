"""Checks for the dropout exercise: visible checks (``check_*``) and hidden-test probes (``probe_*``).

Contracts (the student's code):

- numpy, cs231n: ``dropout_forward(x, dropout_param) -> (out, cache)`` with dropout_param keys
  ``mode`` ('train' | 'test'), ``p`` (the probability of **keeping** a unit) and an optional
  ``seed``; ``dropout_backward(dout, cache) -> dx``.
- PyTorch: ``Dropout(p)``, an ``nn.Module`` whose ``p`` is the probability of **dropping** a unit.

The outputs are random: two correct answers draw different masks. So nothing here compares
with the reference's values. Every check records the raw input and output, and the grader
judges *properties* outside the kernel (``autograder/judge/properties.py``: ``inverted_dropout``,
``dropout_backward``, ``all_equal``, ``independent_masks``), taking the inputs from the reference
run's record. The
visible checks assert the same properties in the kernel, with the same exact binomial bound
(:func:`dlcourse.stats.binomial_interval`), so a correct answer fails them with probability
below 1e-8 per check. The probes seed numpy's and torch's global generators from the grading
generator, so a new grading seed draws new masks (an answer with its own generator draws its own).
"""
import numpy as np

from .gradient_check import eval_numerical_gradient_array, forward_output, rel_error
from .grading import grading_rng, record
from .stats import binomial_interval


def _fail(msg):
    raise AssertionError(msg)


def _inputs(rng, shape):
    """Values with |x| in [0.5, 2): an output of 0 then always means 'dropped'."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def _reseed(rng):
    """Seed numpy's (and torch's, if imported) global generators from the grading generator."""
    import sys

    seed = int(rng.integers(2**31 - 1))
    np.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


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
    x = _inputs(rng, (500, 500)) + 1.0  # mean about 1, never 0
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
    x = _inputs(np.random.default_rng(236), (40, 50))
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
    x = _inputs(rng, (10, 10))
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
    x = torch.as_tensor(_inputs(rng, (200, 300)), dtype=torch.float32)
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


# ---------------------------------------------------------------- hidden-test probes

def probe_forward(name, forward, cases, hint_train="", hint_test="", hint_seed=""):
    """Record train-mode outputs (with their inputs), test-mode outputs, the input after the call,
    and two calls with one seed, on fresh inputs.

    Inputs:
    - name: key prefix.
    - forward: the student's dropout_forward.
    - cases: list of dicts with "shape" and "p" (keep probability).
    - hint_train, hint_test, hint_seed: hints for a wrong train-mode output, test-mode output,
      and seeded calls that differ.
    """
    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape, keep = tuple(case["shape"]), float(case["p"])
        x = _inputs(rng, shape)
        label = f"x of shape {shape}, p = {keep}"
        _reseed(rng)
        given = x.copy()
        out, _ = forward(given, {"mode": "train", "p": keep})
        record(f"{name}/case{c + 1}/train", {"x": x, "out": out}, check="inverted_dropout", args={"keep": keep},
               label=f"{label}, train mode", hint=hint_train)
        record(f"{name}/case{c + 1}/input", given, rtol=0, atol=0, label=f"{label}, the input after a train-mode call",
               hint="do not change x in place: compute a new array")
        test, _ = forward(x.copy(), {"mode": "test", "p": keep})
        record(f"{name}/case{c + 1}/test", test, rtol=0, atol=0, label=f"{label}, test mode", hint=hint_test)
        seed = int(rng.integers(1, 10**6))
        first, _ = forward(x.copy(), {"mode": "train", "p": keep, "seed": seed})
        _reseed(rng)
        second, _ = forward(x.copy(), {"mode": "train", "p": keep, "seed": seed})
        record(f"{name}/case{c + 1}/seed", {"x": x, "out": first, "first": first, "second": second}, check="all_equal",
               args={"keys": ["first", "second"], "what": f"two train-mode calls with seed {seed}"},
               label=f"{label}, dropout_param['seed'] = {seed}", hint=hint_seed)


def _values(out):
    """A student's output as a float64 array (a torch tensor detached), or as given when it is none."""
    if hasattr(out, "detach") and hasattr(out, "cpu"):
        return out.detach().cpu().double().numpy()
    try:
        return np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        return out


def _record_independence(key, x, outs, keep, names, label, hint, rtol=1e-6):
    """Record R outputs of one input for the independent_masks check (stacked: shape (R, *x.shape))."""
    outs = [_values(o) for o in outs]
    shapes = {getattr(o, "shape", None) for o in outs}
    value = np.stack(outs) if len(shapes) == 1 and tuple(x.shape) in shapes else np.array([np.nan])
    record(key, {"x": x, "outs": value}, check="independent_masks", args={"keep": keep, "names": names, "rtol": rtol},
           label=label, hint=hint)


def probe_independence(name, forward, cases, calls=4, hint=""):
    """Record `calls` train-mode calls without a seed on one fresh input, for ``independent_masks``.

    The generators are seeded once before the first call and never between calls, so a correct
    answer draws `calls` independent masks. Inputs: name (key prefix), forward (the student's
    dropout_forward), cases (dicts with "shape" and "p", keep probability), calls, hint.
    """
    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape, keep = tuple(case["shape"]), float(case["p"])
        x = _inputs(rng, shape)
        _reseed(rng)
        outs = [forward(x.copy(), {"mode": "train", "p": keep})[0] for _ in range(calls)]
        _record_independence(f"{name}/case{c + 1}", x, outs, keep, [f"call {r + 1}" for r in range(calls)],
                             f"x of shape {shape}, p = {keep}, {calls} train-mode calls without a seed", hint)


def probe_module_independence(name, module_class, cases, calls=3, hint=""):
    """Record `calls` training-mode calls of one Dropout module on one fresh input, then the first
    call of a second module built alike, for ``independent_masks``.

    Seeded once before the first module is built, never between calls: a correct module draws
    independent masks on every call, and two modules draw different ones. Inputs: name,
    module_class (built as module_class(p), p the drop probability), cases (dicts with "shape"
    and "p"), calls, hint.
    """
    import torch

    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape, p = tuple(case["shape"]), float(case["p"])
        x = torch.as_tensor(_inputs(rng, shape), dtype=torch.float32)
        _reseed(rng)
        model = module_class(p)
        model.train()
        outs = [model(x.clone()) for _ in range(calls)]
        other = module_class(p)
        other.train()
        outs.append(other(x.clone()))
        names = [f"call {r + 1}" for r in range(calls)] + [f"the first call of a second Dropout({p})"]
        _record_independence(f"{name}/case{c + 1}", x, outs, 1.0 - p, names,
                             f"Dropout({p}), x of shape {shape}, {calls} training-mode calls and a second module",
                             hint, rtol=1e-5)


def probe_backward(name, forward, backward, cases, hint=""):
    """Record the train-mode output and dx on fresh inputs (judged with the mask of that output).

    Inputs: name, forward, backward (the student's pair), cases (dicts with "shape" and "p"), hint.
    """
    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape, keep = tuple(case["shape"]), float(case["p"])
        x, dout = _inputs(rng, shape), rng.standard_normal(shape)
        _reseed(rng)
        out, cache = forward(x.copy(), {"mode": "train", "p": keep})
        dx = backward(dout.copy(), cache)
        record(f"{name}/case{c + 1}", {"x": x, "dout": dout, "out": out, "dx": dx}, check="dropout_backward",
               args={"keep": keep}, label=f"x of shape {shape}, p = {keep}", hint=hint)


def probe_module(name, module_class, cases, hint_train="", hint_eval="", hint_grad=""):
    """Record a Dropout module's training-mode output, gradient, input after the call and eval-mode output.

    Inputs:
    - name: key prefix.
    - module_class: the student's class, built as module_class(p) (p: drop probability).
    - cases: list of dicts with "shape" and "p".
    - hint_train, hint_eval, hint_grad: hints for each kind of record.
    """
    import torch

    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape, p = tuple(case["shape"]), float(case["p"])
        keep = 1.0 - p
        x = torch.as_tensor(_inputs(rng, shape), dtype=torch.float32)
        dout = torch.as_tensor(rng.standard_normal(shape), dtype=torch.float32)
        label = f"Dropout({p}), x of shape {shape}"
        _reseed(rng)
        model = module_class(p)
        model.train()
        given = x.clone()
        out = model(given)
        record(f"{name}/case{c + 1}/train", {"x": x, "out": out}, check="inverted_dropout",
               args={"keep": keep, "rtol": 1e-5, "convention": "drop"}, label=f"{label}, training mode", hint=hint_train)
        record(f"{name}/case{c + 1}/input", given, rtol=0, atol=0, label=f"{label}, the input after a call",
               hint="do not modify the input in place (no x.mul_, x *= ..., inplace=True): return a new tensor")
        leaf = x.clone().requires_grad_()
        out = model(leaf)
        (dx,) = torch.autograd.grad(out, leaf, dout)
        record(f"{name}/case{c + 1}/grad", {"x": x, "dout": dout, "out": out, "dx": dx}, check="dropout_backward",
               args={"keep": keep, "rtol": 1e-5}, label=f"{label}, gradient w.r.t. x", hint=hint_grad)
        model.eval()
        record(f"{name}/case{c + 1}/eval", model(x.clone()), rtol=0, atol=0, label=f"{label}, eval mode", hint=hint_eval)
