"""Hidden-test probes of the ResNet chapter (run in the grading kernel: autograder/chapters/__init__.py).

Deterministic given their seed, well under a second on a CPU. Test cells use them to record raw
results (``dlcourse.grading.record``); the judge compares those outside the student's kernel.

- :func:`canonical_weights` sets every parameter and buffer of a module from a generator keyed
  only by (module type, shape), so two correct implementations that create their layers in a
  different order get the same weights, and their outputs can be compared exactly.
- :func:`conv_trace` lists, in the order a forward pass uses them, each convolution's stride
  and output size: which blocks subsample, whatever the student named them.
- :func:`by_placement` runs a model for every placement of option A's zero channels that the
  spec allows (after, before or around the input's), for the ``any_placement`` check;
  :func:`probe_block` records a block's structure ("init"), outputs ("forward") and updated
  batch-norm statistics ("state") as separate parts of a test's points.
"""
import zlib

import numpy as np
import torch
from torch import nn


def canonical_weights(model, seed=0):
    """Overwrite a module's parameters and buffers with values keyed by (module type, shape).

    Convolution and linear weights ~ N(0, 2 / fan_in), biases ~ N(0, 0.1^2); batch-norm weight
    ~ U(0.5, 1.5), bias ~ N(0, 0.1^2), running_mean ~ N(0, 0.1^2), running_var ~ U(0.5, 1.5).
    Returns the model.
    """
    with torch.no_grad():
        for module in model.modules():
            tensors = dict(module.named_parameters(recurse=False))
            tensors.update({k: v for k, v in module.named_buffers(recurse=False) if v is not None and v.is_floating_point()})
            if not tensors:
                continue
            key = type(module).__name__ + repr(sorted((k, tuple(v.shape)) for k, v in tensors.items()))
            rng = np.random.default_rng([seed, zlib.crc32(key.encode())])
            for name in sorted(tensors):
                t = tensors[name]
                shape = tuple(t.shape)
                if name == "weight" and t.dim() > 1:
                    value = rng.standard_normal(shape) * np.sqrt(2.0 / max(1, int(np.prod(shape[1:]))))
                elif name in ("weight", "running_var"):
                    value = rng.uniform(0.5, 1.5, shape)
                else:
                    value = rng.standard_normal(shape) * 0.1
                t.copy_(torch.as_tensor(value, dtype=t.dtype))
    return model


def conv_trace(model, x, sort=False):
    """Run model(x) once (no autograd) and list its convolutions in the order they ran.

    With sort=True the rows (stride, size, channels) are sorted instead: the same multiset of
    convolutions in any order (for blocks whose branches may run in either order).

    Returns a dict of int64 arrays: stride (stride along H of each conv), size (output H),
    channels (output channels).
    """
    rows = []
    hooks = [m.register_forward_hook(lambda m, i, o: rows.append((m.stride[0], o.shape[-2], o.shape[1])))
             for m in model.modules() if isinstance(m, nn.Conv2d)]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    arr = np.array(sorted(rows) if sort else rows, dtype=np.int64).reshape(-1, 3)
    return {"stride": arr[:, 0], "size": arr[:, 1], "channels": arr[:, 2]}


RULES = {"split": lambda extra: extra // 2, "split, more before": lambda extra: extra - extra // 2,
         "all after": lambda extra: 0, "all before": lambda extra: extra}  # zero channels before the input's


def placements(model):
    """{name: {shortcut: zero channels before the input's}} of every placement of option A's zeros
    that the spec allows, for the model's OptionAShortcut modules with channels to add: all of them
    (0 .. extra) for a model with one such shortcut, else each rule of RULES applied to every
    shortcut alike (a net built from one block class places its zeros one way). Empty without one."""
    from dlcourse.resnet import OptionAShortcut

    shortcuts = [m for m in model.modules() if isinstance(m, OptionAShortcut) and m.out_channels > m.in_channels]
    if not shortcuts:
        return {}
    if len(shortcuts) == 1:
        [s] = shortcuts
        return {f"{k} before": {s: k} for k in range(s.out_channels - s.in_channels + 1)}
    return {name: {s: rule(s.out_channels - s.in_channels) for s in shortcuts} for name, rule in RULES.items()}


def by_placement(model, run):
    """run() with the model as it is, and for every placement of option A's zero channels (placements).

    Returns run()'s dict, with "placements": {name: run()'s dict with the shortcuts placing their
    zeros that way}. The alternatives run first, each from the model's state as it was (its
    parameters and buffers are restored after each, so batch-norm statistics updated in training
    mode never carry over); every shortcut's placement is put back before the model's own run.
    For the judge's ``any_placement`` check (autograder/chapters/resnet/checks.py), which accepts a
    student's outputs that match any of them: the spec leaves the placement open.
    """
    import copy

    others = {}
    saved = copy.deepcopy(model.state_dict())
    for name, where in placements(model).items():
        kept = {s: s.zeros_before for s in where}
        try:
            for s, k in where.items():
                s.zeros_before = k
            others[name] = run()
        finally:
            for s, k in kept.items():
                s.zeros_before = k
            model.load_state_dict(saved)
    return {**run(), "placements": others}


def probe_block(key, block, x, label, hint_structure, hint_output, hint_state, sort=False):
    """Record a residual block's structure, outputs and state, each its own part of the test's points.

    - "init" (``key/structure``, check exact): the parameter count and conv_trace (sort: in any
      order) of the block as built.
    - "forward" (``key/output``): its eval- and then training-mode outputs on x.
    - "state" (``key/state``): its eval-mode output after that training-mode pass (the batch-norm
      running statistics it updated).

    Outputs are compared for every placement of option A's zero channels (by_placement, check
    any_placement). block: built by the student's class, with canonical_weights already set.
    """
    from dlcourse.grading import record
    from dlcourse.resnet_checks import count_parameters

    record(f"{key}/structure", {"parameters": count_parameters(block), **conv_trace(block.eval(), x, sort=sort)},
           check="exact", label=label, hint=hint_structure, part="init")

    def run():
        with torch.no_grad():
            out_eval = block.eval()(x)
            out_train = block.train()(x)
            after = block.eval()(x)
        return {"output": {"eval": out_eval, "train": out_train}, "state": {"eval_after_training": after}}

    results = by_placement(block, run)
    tolerance = {"rtol": 1e-4, "atol": 1e-4}
    for what, part, hint in (("output", "forward", hint_output), ("state", "state", hint_state)):
        value = {**results[what], "placements": {n: r[what] for n, r in results["placements"].items()}}
        record(f"{key}/{what}", value, check="any_placement", args=tolerance, label=label, hint=hint, part=part)
