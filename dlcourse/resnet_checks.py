"""Test instruments of the ResNet exercise's visible tests (its hidden tests use them too):
parameter counts, scripted models and data. The hidden tests' own probes (canonical weights,
convolution traces) are in autograder/chapters/resnet/probes.py, never shipped to students.

Contract: every helper here is deterministic given its seed, runs in well under a second on a
CPU, and never trains for real.

- :class:`ScriptedModel` + :class:`CountingOptimizer`: a "training run" whose validation
  accuracy per epoch follows a script, and whose weights say which epoch they come from (for
  early stopping and best-weight restoring).
- :class:`ModeSpy`: a small net that remembers whether it ran in train mode or with autograd on.
- :func:`write_cifar_batch`: a file in CIFAR-10's official python pickle format.
"""
import pickle

import numpy as np
import torch
from torch import nn


def count_parameters(model):
    """Number of trainable scalars."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


class ScriptedModel(nn.Module):
    """A two-class "model" whose accuracy after `e` optimizer steps is ``script[e - 1]``.

    Its one parameter, ``step``, counts the optimizer steps taken (see CountingOptimizer), so the
    weights tell which epoch they come from. Inputs x of shape (B, 1) hold example indices
    0..n-1 of a set of n examples, all labelled 1; the model gets the first round(acc * n) right.
    """

    def __init__(self, script, n):
        super().__init__()
        self.script, self.n = list(script), n
        self.step = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        e = int(round(self.step.item()))
        acc = self.script[min(max(e - 1, 0), len(self.script) - 1)] if e > 0 else 0.0
        right = x[:, 0] < round(acc * self.n)
        logits = torch.stack([torch.where(right, -3.0, 3.0), torch.where(right, 3.0, -3.0)], 1)
        return logits + 0.0 * self.step


class CountingOptimizer(torch.optim.Optimizer):
    """An optimizer whose step adds 1 to every parameter, in place (so stale references see it)."""

    def __init__(self, params, lr=1.0):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(1.0)


def index_batches(n, batch_size):
    """A DataLoader over (index, label 1) pairs for ScriptedModel, in order."""
    data = torch.utils.data.TensorDataset(torch.arange(n, dtype=torch.float32)[:, None], torch.ones(n, dtype=torch.int64))
    return torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=False)


class ModeSpy(nn.Module):
    """Linear -> BatchNorm1d; counts forward calls made in train mode and with autograd enabled."""

    def __init__(self, in_features, classes):
        super().__init__()
        self.linear = nn.Linear(in_features, classes)
        self.norm = nn.BatchNorm1d(classes)
        self.register_buffer("train_calls", torch.zeros((), dtype=torch.int64))
        self.register_buffer("grad_calls", torch.zeros((), dtype=torch.int64))

    def forward(self, x):
        self.train_calls += int(self.training)
        self.grad_calls += int(torch.is_grad_enabled())
        return self.norm(self.linear(x))


def _no_memo_pickle(value):
    """Protocol-2 pickle opcodes of value without memo and without PROTO/STOP (to splice)."""
    import io
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=2)
    p.fast = True
    p.dump(value)
    data = buf.getvalue()
    assert data[:2] == b"\x80\x02" and data[-1:] == b"."
    return data[2:-1]


def write_cifar_batch(path, images, labels, batch_label="training batch 1 of 5"):
    """Write images in CIFAR-10's official python format (what `cifar-10-batches-py/data_batch_1` holds).

    A Python 2 pickle of a dict with byte-string keys: b"batch_label", b"labels" (list of ints),
    b"data" (uint8 array (N, 3072): the red plane row by row, then green, then blue),
    b"filenames". Read it with ``pickle.load(f, encoding="bytes")`` (keys are bytes) or
    ``encoding="latin1"`` (keys are str).

    Inputs:
    - images: uint8 (N, 32, 32, 3); labels: ints (N,).
    """
    images = np.asarray(images, dtype=np.uint8)
    data = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    items = [("batch_label", batch_label.encode()), ("labels", [int(v) for v in labels]), ("data", data),
             ("filenames", [f"image_{i:05d}.png".encode() for i in range(len(images))])]
    out = bytearray(b"\x80\x02}(")  # PROTO 2, EMPTY_DICT, MARK
    for key, value in items:
        k = key.encode()
        out += b"U" + bytes([len(k)]) + k  # SHORT_BINSTRING: a Python 2 str
        if isinstance(value, bytes):
            out += b"U" + bytes([len(value)]) + value
        else:
            out += _no_memo_pickle(value)
    out += b"u."  # SETITEMS, STOP
    with open(path, "wb") as f:
        f.write(bytes(out))
