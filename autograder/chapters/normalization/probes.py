"""Hidden-test probes of the normalization chapter (run in the grading kernel: autograder/chapters/__init__.py).

Same family contract as dlcourse/norm_checks.py (the visible checks): ``forward(x, gamma, beta,
param) -> (out, cache)``, ``backward(dout, cache) -> (dx, dgamma, dbeta)``. The probes only
record, on inputs drawn from :func:`dlcourse.grading.grading_rng`; the judge compares the
records with the reference solution's.
"""
import numpy as np

from dlcourse.grading import grading_rng, record, tensor_type


def _inputs(rng, shape, c):
    x = rng.uniform(-3, 8) + rng.uniform(0.5, 4) * rng.standard_normal(shape)
    return x, rng.uniform(0.5, 2, c) * rng.choice([-1, 1], c), rng.standard_normal(c)


def probe_forward_backward(name, forward, backward, cases, hint_forward="", hint_backward="", backward_only=False):
    """Record out (unless backward_only) and dx, dgamma, dbeta of a forward/backward pair on fresh inputs.

    Inputs:
    - name: key prefix.
    - forward, backward: the student's pair.
    - cases: list of dicts with "shape" ((N, D) or (N, C, H, W); C = shape[1]) and "param"
      (the param dict, e.g. {"mode": "train", "eps": 1e-3}; copied for every call).
    - hint_forward, hint_backward: hints shown when the output or the gradients are wrong.
    - backward_only: record only the gradients (a test of the backward pass).
    """
    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape = tuple(case["shape"])
        x, gamma, beta = _inputs(rng, shape, shape[1])
        dout = rng.standard_normal(shape)
        label = f"x of shape {shape}, param {case['param']}"
        out, cache = forward(x.copy(), gamma.copy(), beta.copy(), dict(case["param"]))
        if not backward_only:
            record(f"{name}/case{c + 1}/out", out, label=label, hint=hint_forward, rtol=1e-6, atol=1e-8)
        if backward is not None:
            dx, dgamma, dbeta = backward(dout.copy(), cache)
            record(f"{name}/case{c + 1}/grads", {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}, label=label,
                   hint=hint_backward, rtol=1e-6, atol=1e-8)


def probe_running_stats(name, forward, cases, hint_running="", hint_test=""):
    """Several train-mode calls, then test mode: record the running statistics and the test output.

    Inputs:
    - name: key prefix.
    - forward: the student's batchnorm_forward or spatial_batchnorm_forward.
    - cases: list of dicts with "shape", "calls" (train-mode calls before testing) and "param"
      (extra bn_param entries, e.g. momentum or eps; running statistics given as "random" are
      drawn here).
    - hint_running, hint_test: hints for wrong running statistics and a wrong test-mode output.

    Two parts of the test's points (record's part): "running" (the statistics after each
    train-mode call) and "test" (the test-mode output, with the statistics after it).
    """
    for c, case in enumerate(cases):
        rng = grading_rng(name, c)
        shape = tuple(case["shape"])
        ch = shape[1]
        bn_param = {"mode": "train"}
        for key, val in case["param"].items():
            bn_param[key] = rng.uniform(0.5, 2, ch) if val == "random" else val
        _, gamma, beta = _inputs(rng, shape, ch)
        label = f"x of shape {shape}, bn_param with {sorted(case['param'])}"
        for step in range(1, case["calls"] + 1):
            x = _inputs(rng, shape, ch)[0]
            forward(x, gamma, beta, bn_param)
            record(f"{name}/case{c + 1}/call{step}",
                   {"running_mean": bn_param.get("running_mean", np.nan), "running_var": bn_param.get("running_var", np.nan)},
                   label=f"{label}, after train-mode call {step}", hint=hint_running, rtol=1e-6, atol=1e-8,
                   part="running")
        bn_param["mode"] = "test"
        x = _inputs(rng, (max(1, shape[0] // 2), *shape[1:]), ch)[0]
        out, _ = forward(x, gamma, beta, bn_param)
        record(f"{name}/case{c + 1}/test", {"out": out, "running_mean": bn_param.get("running_mean", np.nan),
                                            "running_var": bn_param.get("running_var", np.nan)},
               label=f"{label}, test mode after {case['calls']} train-mode calls", hint=hint_test, rtol=1e-6, atol=1e-8,
               part="test")


def probe_module(name, module_class, shapes, hint=""):
    """Record a BatchNorm module's parameters, output and gradients w.r.t. input, gamma and beta,
    and the dtype and device of a float32 module's output.

    Parts of the test's points (record's part and weight): "init" (the parameters right after
    construction; weight 1), "forward" (output and gradients, in float64; weight 2), "type" (a
    float32 module on a float32 input gives float32, generic ``keeps_type``; weight 0.5).

    Inputs:
    - name: key prefix.
    - module_class: the student's class, built as module_class(C) and converted to float64.
    - shapes: list of input shapes (N, C, L).
    - hint: shown when a record is wrong.
    """
    import torch

    for c, shape in enumerate(shapes):
        rng = grading_rng(name, c)
        ch = shape[1]
        model = module_class(ch).double()
        params = dict(model.named_parameters())
        record(f"{name}/case{c + 1}/init", {k: params[k] if k in params else np.nan for k in ("gamma", "beta")},
               label=f"BatchNorm({ch}) right after construction",
               hint="gamma (ones) and beta (zeros) must be nn.Parameter of shape (C,), registered on the module",
               rtol=0, atol=0, part="init")
        x0, gamma, beta = _inputs(rng, shape, ch)
        dout = torch.as_tensor(rng.standard_normal(shape))
        with torch.no_grad():
            model.gamma.copy_(torch.as_tensor(gamma))
            model.beta.copy_(torch.as_tensor(beta))
        x = torch.as_tensor(x0).requires_grad_()
        out = model(x)
        dx, dg, db = torch.autograd.grad(out, (x, model.gamma, model.beta), dout)
        record(f"{name}/case{c + 1}/forward", {"out": out, "dx": dx, "dgamma": dg, "dbeta": db},
               label=f"x of shape {tuple(shape)}", hint=hint, rtol=1e-6, atol=1e-8, part="forward", weight=2.0)
        x32 = torch.as_tensor(x0, dtype=torch.float32)
        with torch.no_grad():
            out32 = module_class(ch)(x32)
        record(f"{name}/case{c + 1}/type", {"input": tensor_type(x32), "output": tensor_type(out32)}, check="keeps_type",
               label=f"BatchNorm({ch}) as built (float32), float32 x of shape {tuple(shape)}",
               hint="compute in the input's dtype: no np.float64 constants or torch.tensor(..., dtype=torch.float64) "
                    "in forward; eps as a Python float", part="type", weight=0.5)
