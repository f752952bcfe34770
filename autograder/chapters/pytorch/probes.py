"""Hidden-test probes of the PyTorch chapter (run in the grading kernel: autograder/chapters/__init__.py).

They record raw outputs; the judge outside the kernel decides (``normal_sample`` for random
initializations, equality for scores). The student's layers are filled with
dlcourse.torchkit.copy_into_layers, which the visible check_levels_agree uses too.
"""
import math

import numpy as np
import torch

from dlcourse.torchkit import copy_into_layers


def weight_record(w):
    """A tensor with the two flags the judge's normal_sample check reads."""
    return {"w": w.detach(), "requires_grad": float(w.requires_grad), "leaf": float(w.is_leaf)}


def hidden_convnet_case(rng, n=3, in_channel=3, size=8, kernels=(5, 3), num_classes=10):
    """float64 x (n, in_channel, size, size) and params for a three-layer conv net, from `rng`
    (channels drawn from 3..6, values standard normal scaled by 1/sqrt(fan_in))."""
    c1, c2 = (int(c) for c in rng.integers(3, 7, size=2))
    shapes = [(c1, in_channel, kernels[0], kernels[0]), (c1,), (c2, c1, kernels[1], kernels[1]), (c2,),
              (c2 * size * size, num_classes), (num_classes,)]
    x = torch.as_tensor(rng.standard_normal((n, in_channel, size, size)))
    return x, [_scaled_normal(rng, shape) for shape in shapes]


def _scaled_normal(rng, shape):
    """float64 N(0, 1 / fan_in) values (fan_in of a (Din, Dout) or conv weight; 4 for a bias)."""
    fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:])) if len(shape) == 4 else 4
    return torch.as_tensor(rng.standard_normal(shape) / np.sqrt(fan_in))


def probe_convnet_module(name, build, rng, record):
    """Hidden test of a three-layer conv net built by `build(in_channel, channel_1, channel_2,
    num_classes)` (an nn.Module class or a function returning an nn.Sequential).

    Records: the initial weights of both convs and the linear layer (normal_sample, std
    sqrt(2 / fan_in)), the initial biases (exact zeros), and the scores on a hidden batch once
    the layers hold hidden parameters (same layer sizes; 5x5 and 3x3 kernels; float64).
    """
    import torch.nn as nn

    c1, c2, classes = 40, int(rng.integers(12, 20)), int(rng.integers(5, 12))
    torch.manual_seed(int(rng.integers(2**31)))
    model = build(3, c1, c2, classes)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if len(convs) != 2 or len(linears) != 1:
        raise ValueError(f"expected 2 Conv2d layers and 1 Linear layer, found {len(convs)} and {len(linears)}")
    size = 32
    for i, layer in enumerate(convs + linears):
        fan_in = layer.weight[0].numel()
        record(f"{name}/init/layer{i + 1}", weight_record(layer.weight), check="normal_sample",
               args={"std": math.sqrt(2 / fan_in)}, label=f"initial weight of layer {i + 1} ({layer})",
               hint="nn.init.kaiming_normal_: std = sqrt(2 / fan_in); check the kernel sizes (5x5, then 3x3)")
        record(f"{name}/init/bias{i + 1}", {"bias": layer.bias if layer.bias is not None else torch.ones(1)},
               check="exact", label=f"initial bias of layer {i + 1}", hint="biases start at zero (nn.init.zeros_)")
    x = torch.as_tensor(rng.standard_normal((2, 3, size, size)))
    shapes = [(c1, 3, 5, 5), (c1,), (c2, c1, 3, 3), (c2,), (c2 * size * size, classes), (classes,)]
    params = [_scaled_normal(rng, s) for s in shapes]
    copy_into_layers(model.double(), params)
    record(f"{name}/scores", {"scores": model(x)}, rtol=1e-6, atol=1e-9,
           label=f"scores of a (2, 3, {size}, {size}) batch with fixed parameters",
           hint="conv 5x5 padding 2 -> ReLU -> conv 3x3 padding 1 -> ReLU -> flatten -> linear; raw scores, no softmax")
