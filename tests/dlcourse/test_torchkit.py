"""dlcourse.torchkit: loaders, the training loop and the notebook's visible checks
(they pass the reference solution and fail the variants' real mistakes)."""
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from autograder.notebook import grade_id, read
from dlcourse import torchkit
from throughput import demo_convnet  # the book's small conv net (book/pytorch/throughput.py) as a model to train

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ROOT / "tests" / "autograder" / "variants" / "pytorch"


def scope():
    return {"np": np, "math": math, "torch": torch, "nn": nn, "F": F}


@pytest.fixture(scope="module")
def reference():
    """The reference answers, executed from the instructor notebook's answer cells."""
    names = scope()
    for cell in read(ROOT / "solutions" / "pytorch" / "pytorch.ipynb").cells:
        if grade_id(cell) in ("random_weight", "three_layer_convnet", "module", "sequential"):
            exec(cell.source, names)
    return names


def variant(name):
    names = scope()
    exec((VARIANTS / f"{name}.py").read_text(), names)
    return names


def test_to_tensor_normalizes_channels_first():
    images = np.zeros((2, 32, 32, 3), dtype=np.uint8)
    images[..., 0] = 255
    x = torchkit.to_tensor(images)
    assert x.shape == (2, 3, 32, 32) and x.dtype == torch.float32
    assert torch.allclose(x[:, 0], torch.tensor((1 - torchkit.CIFAR_MEAN[0]) / torchkit.CIFAR_STD[0]))
    assert torch.allclose(x[:, 1], torch.tensor(-torchkit.CIFAR_MEAN[1] / torchkit.CIFAR_STD[1]))


def test_loaders_split_the_slice_and_repeat_for_a_seed():
    loaders = torchkit.cifar10_loaders(batch_size=50, seed=3)
    assert {k: len(v.dataset) for k, v in loaders.items()} == {"train": 1800, "val": 200, "test": 500}
    x, y = next(iter(loaders["train"]))
    assert x.shape == (50, 3, 32, 32) and y.dtype == torch.int64
    again = next(iter(torchkit.cifar10_loaders(batch_size=50, seed=3)["train"]))
    assert torch.equal(y, again[1])
    with pytest.raises(ValueError, match="num_val"):
        torchkit.cifar10_loaders(num_val=0)


def test_train_part_learns_and_check_accuracy_counts(reference):
    torch.manual_seed(0)
    loaders = torchkit.cifar10_loaders(batch_size=100)
    model = demo_convnet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = torchkit.train_part(model, optimizer, loaders, epochs=2, device=torch.device("cpu"), scheduler=scheduler)
    assert len(history["loss"]) == 2 * 18 and len(history["val_acc"]) == 2
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0125)
    assert np.mean(history["loss"][-5:]) < np.mean(history["loss"][:5])
    assert 0 <= torchkit.check_accuracy(loaders["val"], model, torch.device("cpu")) <= 1 and not model.training


def test_visible_checks_pass_the_reference(reference):
    torchkit.check_random_weight(reference["random_weight"])
    torchkit.check_three_layer_convnet(reference["three_layer_convnet"])
    torchkit.check_levels_agree(reference["three_layer_convnet"], {
        "module": reference["ThreeLayerConvNet"](3, 4, 3, 10), "sequential": reference["sequential_convnet"](3, 4, 3, 10)})


@pytest.mark.parametrize("name, fn", [("wrong-weight-fan-out", "random_weight"),
                                      ("wrong-weight-no-requires-grad", "random_weight")])
def test_visible_random_weight_check_fails_real_mistakes(name, fn):
    with pytest.raises(AssertionError):
        torchkit.check_random_weight(variant(name)[fn])


@pytest.mark.parametrize("name", ["wrong-convnet-missing-relu", "wrong-convnet-missing-bias",
                                  "wrong-convnet-softmax-output", "wrong-convnet-padding-swapped"])
def test_visible_value_check_fails_real_mistakes(name):
    with pytest.raises(AssertionError):
        torchkit.check_three_layer_convnet(variant(name)["three_layer_convnet"])


def test_levels_check_fails_a_module_that_differs(reference):
    wrong = variant("wrong-module-missing-relu")["ThreeLayerConvNet"](3, 4, 3, 10)
    with pytest.raises(AssertionError, match="does not compute the same function"):
        torchkit.check_levels_agree(reference["three_layer_convnet"], {"module": wrong})
    no_bias = variant("wrong-sequential-no-bias")["sequential_convnet"](3, 4, 3, 10)
    with pytest.raises(ValueError, match="has no bias"):
        torchkit.check_levels_agree(reference["three_layer_convnet"], {"sequential": no_bias})
