"""Hidden-test probes of the ResNet chapter (run in the grading kernel: autograder/chapters/__init__.py).

Deterministic given their seed, well under a second on a CPU. Test cells use them to record raw
results (``dlcourse.grading.record``); the judge compares those outside the student's kernel.

- :func:`canonical_weights` sets every parameter and buffer of a module from a generator keyed
  only by (module type, shape), so two correct implementations that create their layers in a
  different order get the same weights, and their outputs can be compared exactly.
- :func:`conv_trace` lists, in the order a forward pass uses them, each convolution's stride
  and output size: which blocks subsample, whatever the student named them.
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
