"""Forbidden shortcuts are found in the student's source, outside the kernel, however imported."""
import pytest

from autograder.forbidden import find

BN = ["torch.nn.functional.batch_norm", "torch.nn.BatchNorm1d", "torch.optim"]
GIVEN = "import numpy as np\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


@pytest.mark.parametrize("code, name", [
    ("y = F.batch_norm(x, None, None, training=True)", "torch.nn.functional.batch_norm"),
    ("y = torch.nn.functional.batch_norm(x, None, None, training=True)", "torch.nn.functional.batch_norm"),
    ("from torch.nn.functional import batch_norm as bn\ny = bn(x)", "torch.nn.functional.batch_norm"),
    ("from torch.nn import functional\ny = functional.batch_norm(x)", "torch.nn.functional.batch_norm"),
    ("f = torch.nn.functional\ny = f.batch_norm(x)", "torch.nn.functional.batch_norm"),
    ("layer = nn.BatchNorm1d(3)", "torch.nn.BatchNorm1d"),
    ("y = getattr(F, 'batch_norm')(x)", "batch_norm"),
    ("import importlib\nopt = importlib.import_module('torch.optim')", "torch.optim"),
    ("from torch import optim\nopt = optim.Adam([w])", "torch.optim"),
    ("import torch.optim\n", "torch.optim"),
    ("opt = torch.optim.SGD([w], lr=1)", "torch.optim"),
    ("%time y = F.batch_norm(x)\nz = 1", "torch.nn.functional.batch_norm"),  # a magic: scanned line by line
])
def test_uses_are_found(code, name):
    hits = find([(GIVEN, False), (code, True)], BN)
    assert hits and hits[0][0] == name and hits[0][1] == 1


@pytest.mark.parametrize("code", [
    "def batchnorm(x, gamma, beta):\n    mu = x.mean(0)\n    var = x.var(0, unbiased=False)\n"
    "    return gamma * (x - mu) / torch.sqrt(var + 1e-5) + beta",
    "class BatchNorm(nn.Module):\n    '''Like F.batch_norm, written by hand.'''\n    pass",
    "optimizer_name = 'adam'\nbatch_norm_done = True",
    "F = None\ny = F",  # rebinding a name drops its alias
])
def test_honest_code_is_clean(code):
    assert find([(GIVEN, False), (code, True)], BN) == []


def test_instructor_cells_may_use_what_students_may_not():
    given = GIVEN + "reference = F.batch_norm\n"
    assert find([(given, False), ("y = 1", True)], BN) == []
