"""Plain-versus-residual study nets for the ResNet chapter's figures (the book's code, not the
student library's: the page beside this file imports it, and ``bench_resnet.py`` beside it).

Contract: :class:`StudyNet` is one configurable CIFAR network: a 3x3 stem, three stages of
``units`` two-convolution units (widths ``width``, 2·width, 4·width; the first unit of the
second and third stage halves the resolution), global average pooling and a linear classifier.
Switches: ``residual`` (add an option-A shortcut around every unit) and ``batch_norm`` (a
batch norm after every convolution). With residual=True, batch_norm=True and width 16 it has
the layout and the parameter count of He et al.'s CIFAR ResNet-(6·units+2); it is written as
one flat module (lists of layers, a loop in ``forward``), not in the exercise's
block/stack/nn.Sequential form. It is not in ``dlcourse`` (students never get it with the
library), and the exercise's tests refuse submissions that import it by its old name
``dlcourse.study`` too.

:func:`train_study` trains such nets briefly on a CPU and records per-epoch curves.
"""
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlcourse.resnet import OptionAShortcut


class StudyNet(nn.Module):
    """Inputs: units (units per stage), residual, batch_norm, width, num_classes.

    forward(x): (N, 3, 32, 32) -> logits (N, num_classes).
    """

    def __init__(self, units, residual=True, batch_norm=True, width=16, num_classes=10):
        super().__init__()
        self.residual = residual
        widths = [width] + [w for w in (width, 2 * width, 4 * width) for _ in range(2 * units)]
        strides = [1] + [2 if (stage > 0 and u == 0 and k == 0) else 1
                         for stage in range(3) for u in range(units) for k in range(2)]
        ins = [3] + widths[:-1]
        self.convs = nn.ModuleList(nn.Conv2d(i, o, 3, stride=s, padding=1, bias=not batch_norm)
                                   for i, o, s in zip(ins, widths, strides))
        self.norms = nn.ModuleList(nn.BatchNorm2d(o) if batch_norm else nn.Identity() for o in widths)
        self.skips = nn.ModuleList(OptionAShortcut(ins[j], widths[j + 1], strides[j]) for j in range(1, len(widths), 2))
        self.head = nn.Linear(widths[-1], num_classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.norms[0](self.convs[0](x)))
        for u, skip in enumerate(self.skips):
            j = 1 + 2 * u
            h = F.relu(self.norms[j](self.convs[j](x)))
            h = self.norms[j + 1](self.convs[j + 1](h))
            x = F.relu(h + skip(x) if self.residual else h)
        return self.head(x.mean(dim=(2, 3)))

    def depth(self):
        """Weighted layers: convolutions plus the classifier (6 * units + 2)."""
        return len(self.convs) + 1


def _batches(x, y, batch_size, generator=None):
    order = torch.randperm(len(y), generator=generator) if generator is not None else torch.arange(len(y))
    for start in range(0, len(y), batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]


def _prepare(images):
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32).permute(0, 3, 1, 2) / 255.0
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    std = x.std(dim=(0, 2, 3), keepdim=True)
    return (x - mean) / std


def train_study(model, data, epochs, lr=0.05, batch_size=64, seed=0, flip=True):
    """Train `model` with SGD (momentum 0.9, weight decay 1e-4) on data's train images; evaluate on its test images.

    Inputs:
    - data: dict as from dlcourse.data.load_cifar10 (uint8 images, (N, 32, 32, 3)).
    - epochs, lr, batch_size, seed: the run; flip: random horizontal flips of each batch.

    Returns a dict of per-epoch lists: train_loss (running mean over the epoch), train_acc,
    test_acc; and seconds (wall time of the run).
    """
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x_train, y_train = _prepare(data["train_images"]), torch.as_tensor(np.asarray(data["train_labels"]), dtype=torch.int64)
    x_test, y_test = _prepare(data["test_images"]), torch.as_tensor(np.asarray(data["test_labels"]), dtype=torch.int64)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    start = time.monotonic()
    for _ in range(epochs):
        model.train()
        loss_sum, correct = 0.0, 0
        for xb, yb in _batches(x_train, y_train, batch_size, g):
            if flip:
                mask = torch.rand(len(yb), generator=g) < 0.5
                xb = torch.where(mask[:, None, None, None], xb.flip(3), xb)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
        model.eval()
        with torch.no_grad():
            test_correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in _batches(x_test, y_test, 500))
        history["train_loss"].append(loss_sum / len(y_train))
        history["train_acc"].append(correct / len(y_train))
        history["test_acc"].append(test_correct / len(y_test))
    history["seconds"] = time.monotonic() - start
    return history
