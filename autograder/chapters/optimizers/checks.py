"""Property checks of the optimizers chapter, run by the judge outside the kernel (contract:
autograder/judge/properties.py; found by name through autograder/chapters/__init__.py).

``torch_adamw`` judges the exercise's ``adamw`` against PyTorch's own ``torch.optim.AdamW`` (the
oracle), recomputed here from the trusted inputs the reference run recorded
(``probe_update_rule(..., oracle="torch_adamw")`` in autograder/chapters/optimizers/probes.py).
"""
import numpy as np

from autograder.judge.properties import field, registry, within

PROPERTIES = {}
prop = registry(PROPERTIES)

# The exercise's spec of adamw (solutions/optimizers/optimizers.ipynb): cs231n's Adam keys plus
# weight_decay, with PyTorch's defaults.
ADAMW_DEFAULTS = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weight_decay": 1e-2, "t": 0}


def torch_adamw_steps(w0, dws, config=None, m0=None, v0=None):
    """w after each of len(dws) steps of ``torch.optim.AdamW`` (float64) from w0, as a (k, *shape) array.

    Inputs:
    - w0: the first weights; dws: the gradients of the steps, stacked (k, *w0.shape).
    - config: the exercise's scalar config keys (learning_rate, beta1, beta2, epsilon,
      weight_decay, t: the steps already taken); missing ones get the spec's defaults.
    - m0, v0: the first and second moments to start from (default zeros): torch's exp_avg, exp_avg_sq.
    """
    import torch

    cfg = {**ADAMW_DEFAULTS, **(config or {})}
    p = torch.nn.Parameter(torch.tensor(np.asarray(w0, dtype=np.float64)))
    opt = torch.optim.AdamW([p], lr=cfg["learning_rate"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["epsilon"],
                            weight_decay=cfg["weight_decay"], foreach=False)
    if m0 is not None or v0 is not None or cfg["t"]:
        zeros = np.zeros_like(np.asarray(w0, dtype=np.float64))
        opt.state[p] = {"step": torch.tensor(float(cfg["t"])),
                        "exp_avg": torch.tensor(np.asarray(zeros if m0 is None else m0, dtype=np.float64)),
                        "exp_avg_sq": torch.tensor(np.asarray(zeros if v0 is None else v0, dtype=np.float64))}
    out = []
    for dw in np.asarray(dws, dtype=np.float64):
        p.grad = torch.tensor(dw)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.stack(out)


@prop("torch_adamw")
def torch_adamw(ref, got, *, config=None, rtol=1e-6, atol=1e-6, **_):
    """A step of the exercise's adamw equals torch.optim.AdamW's from the same start.

    Record: {"next_w", "w0", "dws" (k, *shape): the gradients of steps 1..k, "initial_m",
    "initial_v" (when the case starts from given moments)}; inputs from ``ref``, only "next_w"
    from ``got``. args: config (the case's scalar config entries, None for config=None), rtol,
    atol (accepted when |got - oracle| <= atol + rtol * (|got| + |oracle|) elementwise).
    """
    dws = field(ref, "dws")
    expected = torch_adamw_steps(field(ref, "w0"), dws, config,
                                 ref.get("initial_m"), ref.get("initial_v"))[-1]
    next_w = field(got, "next_w")
    if next_w.shape != expected.shape:
        return f"next_w has shape {next_w.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(next_w)):
        return "next_w contains NaN or inf"
    if not within(expected, next_w, rtol, atol):
        err = float(np.max(np.abs(next_w - expected) / np.maximum(np.abs(next_w) + np.abs(expected), 1e-300)))
        return f"next_w differs from PyTorch's AdamW (relative error {err:.1e}) after {len(dws)} step(s)"
    return None
