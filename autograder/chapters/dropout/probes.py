"""Hidden-test probes of the dropout chapter (run in the grading kernel: autograder/chapters/__init__.py).

Same contracts as dlcourse/dropout_checks.py (the visible checks). The outputs are random, so the
probes record the raw input and output and the judge decides by property
(autograder/chapters/dropout/checks.py: ``inverted_dropout``, ``dropout_backward``,
``independent_masks``; the generic ``all_equal``), taking the inputs from the reference run's record.
The probes seed numpy's and torch's global generators from the grading generator, so a new
grading seed draws new masks (an answer with its own generator draws its own).
"""
import numpy as np

from dlcourse.dropout_checks import nonzero_inputs
from dlcourse.grading import grading_rng, record, tensor_type


def _reseed(rng):
    """Seed numpy's (and torch's, if imported) global generators from the grading generator."""
    import sys

    seed = int(rng.integers(2**31 - 1))
    np.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)



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
        x = nonzero_inputs(rng, shape)
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


def _record_independence(key, x, outs, keep, names, label, hint, rtol=1e-6, **part):
    """Record R outputs of one input for the independent_masks check (stacked: shape (R, *x.shape));
    part: record()'s part and weight, if any."""
    outs = [_values(o) for o in outs]
    shapes = {getattr(o, "shape", None) for o in outs}
    value = np.stack(outs) if len(shapes) == 1 and tuple(x.shape) in shapes else np.array([np.nan])
    record(key, {"x": x, "outs": value}, check="independent_masks", args={"keep": keep, "names": names, "rtol": rtol},
           label=label, hint=hint, **part)


def probe_independence(name, forward, cases, calls=4, hint=""):
    """Record `calls` train-mode calls without a seed on one fresh input, for ``independent_masks``.

    The generators are seeded once before the first call and never between calls, so a correct
    answer draws `calls` independent masks. Inputs: name (key prefix), forward (the student's
    dropout_forward), cases (dicts with "shape" and "p", keep probability), calls, hint.
    """
    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape, keep = tuple(case["shape"]), float(case["p"])
        x = nonzero_inputs(rng, shape)
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
        x = torch.as_tensor(nonzero_inputs(rng, shape), dtype=torch.float32)
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
                             hint, rtol=1e-5, part="train")


def probe_backward(name, forward, backward, cases, hint=""):
    """Record the train-mode output and dx on fresh inputs (judged with the mask of that output).

    Inputs: name, forward, backward (the student's pair), cases (dicts with "shape" and "p"), hint.
    """
    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape, keep = tuple(case["shape"]), float(case["p"])
        x, dout = nonzero_inputs(rng, shape), rng.standard_normal(shape)
        _reseed(rng)
        out, cache = forward(x.copy(), {"mode": "train", "p": keep})
        dx = backward(dout.copy(), cache)
        record(f"{name}/case{c + 1}", {"x": x, "dout": dout, "out": out, "dx": dx}, check="dropout_backward",
               args={"keep": keep}, label=f"x of shape {shape}, p = {keep}", hint=hint)


def probe_module(name, module_class, cases, hint_train="", hint_eval="", hint_grad=""):
    """Record a Dropout module's training-mode output, gradient, input after the call, eval-mode
    output and the output's dtype and device.

    Each is its own part of the test's points (record's part and weight): "train" (the output,
    the input left unchanged; weight 1), "grad" (1), "eval" (0.5), "type" (0.5: a float32 input
    gives a float32 output on its device, judged by the generic ``keeps_type``), so a module
    right but for one of these loses that part's share only.

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
        x = torch.as_tensor(nonzero_inputs(rng, shape), dtype=torch.float32)
        dout = torch.as_tensor(rng.standard_normal(shape), dtype=torch.float32)
        label = f"Dropout({p}), x of shape {shape}"
        _reseed(rng)
        model = module_class(p)
        model.train()
        given = x.clone()
        out = model(given)
        record(f"{name}/case{c + 1}/train", {"x": x, "out": out}, check="inverted_dropout",
               args={"keep": keep, "rtol": 1e-5, "convention": "drop"}, label=f"{label}, training mode", hint=hint_train,
               part="train")
        record(f"{name}/case{c + 1}/input", given, rtol=0, atol=0, label=f"{label}, the input after a call",
               hint="do not modify the input in place (no x.mul_, x *= ..., inplace=True): return a new tensor",
               part="train")
        record(f"{name}/case{c + 1}/type", {"input": tensor_type(x), "output": tensor_type(out)}, check="keeps_type",
               args={"what": "the training-mode output"}, label=f"{label}, float32 input",
               hint="build the mask and the scaling from x (torch.rand_like(x), torch.rand(x.shape, device=x.device) "
                    "< keep, then .to(x.dtype)): a float64 mask turns a float32 net's activations into float64",
               part="type", weight=0.5)
        leaf = x.clone().requires_grad_()
        out = model(leaf)
        (dx,) = torch.autograd.grad(out, leaf, dout)
        record(f"{name}/case{c + 1}/grad", {"x": x, "dout": dout, "out": out, "dx": dx}, check="dropout_backward",
               args={"keep": keep, "rtol": 1e-5}, label=f"{label}, gradient w.r.t. x", hint=hint_grad, part="grad")
        model.eval()
        record(f"{name}/case{c + 1}/eval", model(x.clone()), rtol=0, atol=0, label=f"{label}, eval mode", hint=hint_eval,
               part="eval", weight=0.5)
