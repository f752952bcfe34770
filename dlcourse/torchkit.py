"""What the PyTorch chapter gives the student: CIFAR-10 loaders, the training loop, accuracy
and the notebook's visible checks (the book's throughput benchmark and demo net are in
book/pytorch/throughput.py).

Contract of this module: every model is an ``nn.Module`` (or a function wrapped in one) that
maps a float32 batch of shape (N, 3, 32, 32), normalized by :func:`to_tensor`, to raw class
scores of shape (N, num_classes). Functions take the device to use as an argument (default:
:func:`dlcourse.runtime.device`, chosen once: CUDA, then Apple MPS, then the CPU) and move
each batch there; nothing here assumes a device or a data-set size.

Nothing here is an exercise answer: ``random_weight``, ``three_layer_convnet`` and
``ThreeLayerConvNet`` are the student's; the checks below only call them and compare with
numbers recorded once from the reference solution.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from .data import load_cifar10
from .runtime import cap_epochs, device as default_device

# per-channel mean and standard deviation of CIFAR-10's 50,000 training images (pixels in [0, 1])
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)


def to_tensor(images):
    """uint8 images (N, 32, 32, 3) -> float32 tensor (N, 3, 32, 32), normalized per channel.

    The one preprocessing of the chapter: training, evaluation and the challenge's grader use it.
    """
    x = torch.as_tensor(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div_(255)
    mean = torch.tensor(CIFAR_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def cifar10_loaders(batch_size=64, num_val=None, source="auto", root=None, augment=False, seed=0):
    """Train / val / test DataLoaders over CIFAR-10 (the vendored slice in smoke mode, all of it in full).

    Inputs:
    - batch_size: examples per batch.
    - num_val: validation images taken from the END of the training images (None: 1,000, or a
      tenth when there are fewer than 10,000).
    - source, root: see dlcourse.data.load_cifar10 ("auto": slice in smoke mode, full in full mode).
    - augment: random horizontal flips of training batches (a cheap, standard augmentation).
    - seed: seed of the training loader's shuffling (the same seed gives the same batches).

    Returns a dict of DataLoaders: "train" (shuffled), "val", "test"; each yields (x, y) with x of
    shape (B, 3, 32, 32) float32 and y of shape (B,) int64.
    """
    raw = load_cifar10(source, root)
    n = len(raw["train_labels"])
    if num_val is None:
        num_val = 1000 if n >= 10000 else n // 10
    if not 0 < num_val < n:
        raise ValueError(f"num_val={num_val}: expected between 1 and {n - 1} (this source has {n} training images)")

    def dataset(images, labels):
        return TensorDataset(to_tensor(images), torch.as_tensor(labels, dtype=torch.int64))

    train = dataset(raw["train_images"][:n - num_val], raw["train_labels"][:n - num_val])
    collate = _flip_collate if augment else None
    return {
        "train": DataLoader(train, batch_size=batch_size, shuffle=True, collate_fn=collate,
                            generator=torch.Generator().manual_seed(seed)),
        "val": DataLoader(dataset(raw["train_images"][n - num_val:], raw["train_labels"][n - num_val:]),
                          batch_size=batch_size),
        "test": DataLoader(dataset(raw["test_images"], raw["test_labels"]), batch_size=batch_size),
    }


def _flip_collate(batch):
    x = torch.stack([b[0] for b in batch])
    y = torch.stack([b[1] for b in batch])
    flip = torch.rand(len(x)) < 0.5
    x[flip] = x[flip].flip(-1)
    return x, y


def check_accuracy(loader, model, device=None):
    """Accuracy of `model` on every (x, y) batch of `loader`, in eval mode and without autograd.

    Returns a float in [0, 1]; the model is left in eval mode.
    """
    device = device or default_device()
    model.eval()
    correct = count = 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x.to(device))
            correct += (scores.argmax(1).cpu() == y).sum().item()
            count += len(y)
    return correct / max(count, 1)


def train_part(model, optimizer, loaders, epochs=1, device=None, print_every=0, amp=False, scheduler=None):
    """Train `model` with `optimizer` on loaders["train"], checking loaders["val"] after each epoch.

    Inputs:
    - model: an nn.Module (moved to `device` here); optimizer: over its parameters.
    - loaders: dict with "train" and "val" DataLoaders (see cifar10_loaders).
    - epochs: passes over the training set (capped by $DLCOURSE_EPOCHS, see dlcourse.runtime).
    - device: torch.device (default: dlcourse.runtime.device()).
    - print_every: print the loss every this many iterations (0: once per epoch).
    - amp: mixed precision (torch.autocast, float16 with a gradient scaler) when on CUDA; ignored
      elsewhere (on a CPU it is slower, and MPS autocast is young).
    - scheduler: a learning-rate scheduler stepped once after each epoch, or None.

    Returns a dict of lists: "loss" (per iteration), "val_acc" (per epoch).
    """
    device = device or default_device()
    model.to(device)
    use_amp = amp and device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    history = {"loss": [], "val_acc": []}
    epochs = cap_epochs(epochs)
    for epoch in range(epochs):
        model.train()
        for t, (x, y) in enumerate(loaders["train"]):
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
                loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            history["loss"].append(loss.item())
            if print_every and t % print_every == 0:
                print(f"epoch {epoch + 1}, iteration {t}: loss {loss.item():.4f}")
        if scheduler is not None:
            scheduler.step()
        history["val_acc"].append(check_accuracy(loaders["val"], model, device))
        print(f"epoch {epoch + 1}/{epochs}: loss {history['loss'][-1]:.4f}, val accuracy {history['val_acc'][-1]:.2%}")
    return history


class Functional(torch.nn.Module):
    """Wrap a function f(x, params) and its list of parameter tensors as an nn.Module (so that
    train_part and check_accuracy take it like any model)."""

    def __init__(self, fn, params):
        super().__init__()
        self.fn = fn
        self.params = torch.nn.ParameterList([torch.nn.Parameter(p.detach().clone()) for p in params])

    def forward(self, x):
        return self.fn(x, list(self.params))


# ---------------------------------------------------------------------------------------------
# Visible checks of the notebook. Expected numbers come from one run of the reference solution
# on the fixed inputs below (float64, so any correct formula matches to ~1e-12).

def fixed_convnet_inputs(size=8):
    """Fixed float64 inputs of the value checks: x (2, 3, size, size) and params of a 3-layer conv
    net with 5x5 and 3x3 kernels, 4 and 3 channels, 10 classes."""
    g = torch.Generator().manual_seed(231)
    shapes = [(4, 3, 5, 5), (4,), (3, 4, 3, 3), (3,), (3 * size * size, 10), (10,)]
    x = torch.randn(2, 3, size, size, generator=g, dtype=torch.float64)
    params = [0.3 * torch.randn(*s, generator=g, dtype=torch.float64) for s in shapes]
    return x, params


# the first row of the scores of the reference three_layer_convnet on fixed_convnet_inputs()
EXPECTED_SCORES_ROW0 = np.array((13.3021211834, -16.2085420206, 6.182817393, 5.0795226729, 5.2970715588,
                                 -0.6349875515, -1.4205316565, -15.1652437709, 10.1836923435, -4.5689347389))


def check_random_weight(random_weight):
    """Shape, leaf with requires_grad, mean ~0 and std ~sqrt(2 / fan_in) for a 2-D and a conv shape."""
    torch.manual_seed(0)
    for shape, fan_in in (((3000, 40), 3000), ((64, 32, 3, 3), 32 * 9)):
        w = random_weight(shape)
        assert isinstance(w, torch.Tensor), f"random_weight returned {type(w).__name__}, expected a tensor"
        assert tuple(w.shape) == shape, f"shape {tuple(w.shape)}, expected {shape}"
        assert w.requires_grad and w.is_leaf, "the weight must be a leaf tensor with requires_grad=True"
        n, std = w.numel(), math.sqrt(2 / fan_in)
        got_std, got_mean = w.detach().double().std().item(), w.detach().double().mean().item()
        print(f"shape {shape}: std {got_std:.5f} (expected {std:.5f}), mean {got_mean:+.5f}")
        assert abs(got_std / std - 1) < 6 / math.sqrt(2 * n), f"std {got_std:.5f}, expected sqrt(2 / fan_in) = {std:.5f}"
        assert abs(got_mean) < 6 * std / math.sqrt(n), f"mean {got_mean:.5f}, expected about 0"
    print("random_weight: shapes, requires_grad and statistics look right")


def check_three_layer_convnet(three_layer_convnet):
    """Output shape and the fixed-seed values of the first row of scores."""
    x, params = fixed_convnet_inputs()
    scores = three_layer_convnet(x, params)
    assert tuple(scores.shape) == (2, 10), f"scores of shape {tuple(scores.shape)}, expected (2, 10)"
    got = scores[0].detach().numpy()
    err = np.max(np.abs(got - EXPECTED_SCORES_ROW0))
    print(f"scores shape {tuple(scores.shape)}; max abs difference from the expected values: {err:.2e}")
    assert err < 1e-6, "the values differ: check the paddings (2, then 1), the ReLUs, the biases and that no softmax is applied"


def copy_into_layers(model, params):
    """Copy params = [conv_w1, conv_b1, conv_w2, conv_b2, fc_w (D, C), fc_b] into the model's two
    Conv2d layers and its Linear layer (found by type, in order). Returns the model."""
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    if len(convs) != 2 or len(linears) != 1:
        raise ValueError(f"expected 2 Conv2d layers and 1 Linear layer, found {len(convs)} and {len(linears)}")
    with torch.no_grad():
        for layer, w, b in ((convs[0], params[0], params[1]), (convs[1], params[2], params[3]),
                            (linears[0], params[4].t(), params[5])):
            if tuple(layer.weight.shape) != tuple(w.shape):
                raise ValueError(f"{layer}: weight of shape {tuple(layer.weight.shape)}, expected {tuple(w.shape)}")
            if layer.bias is None:
                raise ValueError(f"{layer} has no bias")
            layer.weight.copy_(w)
            layer.bias.copy_(b)
    return model


def check_levels_agree(three_layer_convnet, models):
    """The functional net and every model in `models` (nn.Modules for 32x32 images with 4 and 3
    channels and 10 classes) give the same scores once they hold the same parameters."""
    x, params = fixed_convnet_inputs(size=32)
    expected = three_layer_convnet(x, params).detach()
    for name, model in models.items():
        got = copy_into_layers(model.double(), params)(x).detach()
        err = (got - expected).abs().max().item()
        print(f"{name}: max abs difference from the functional net {err:.2e}")
        assert err < 1e-9, f"{name} does not compute the same function as three_layer_convnet"


