"""The ResNet chapter's hidden-test probes (autograder/chapters/resnet/probes.py)."""
import torch
from torch import nn

from autograder.chapters.resnet.probes import canonical_weights


def test_canonical_weights_ignore_creation_order():
    a = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Conv2d(4, 6, 1))
    b = nn.Sequential(nn.Conv2d(4, 6, 1), nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    canonical_weights(a, 7), canonical_weights(b, 7)
    assert torch.equal(a[0].weight, b[1].weight) and torch.equal(a[2].weight, b[0].weight)
    assert torch.equal(a[1].running_var, b[2].running_var) and (a[1].running_var > 0).all()
