"""The normalization chapter's hidden-test probes (autograder/chapters/normalization/probes.py)."""
import json
import os

import torch

from autograder.chapters.normalization import probes
from dlcourse import grading
from torch_layers import batchnorm_backward, batchnorm_forward  # book/normalization/torch_layers.py


class TorchBatchNorm(torch.nn.Module):
    """A correct answer of the exercise's BatchNorm(C) (gamma, beta registered), through F.batch_norm."""

    def __init__(self, c):
        super().__init__()
        self.gamma, self.beta = torch.nn.Parameter(torch.ones(c)), torch.nn.Parameter(torch.zeros(c))

    def forward(self, x):
        return torch.nn.functional.batch_norm(x, None, None, self.gamma, self.beta, training=True, eps=1e-5)


def test_probes_record_outputs_gradients_and_running_statistics(monkeypatch):
    r, w = os.pipe()
    monkeypatch.setenv(grading.RECORD_FD_ENV, str(w))
    probes.probe_forward_backward("bn", batchnorm_forward, batchnorm_backward,
                                  cases=[{"shape": (3, 4), "param": {"mode": "train"}}])
    probes.probe_running_stats("run", batchnorm_forward, cases=[{"shape": (3, 2), "calls": 2, "param": {}}])
    probes.probe_module("mod", TorchBatchNorm, shapes=[(2, 3, 4)])
    os.close(w)
    with os.fdopen(r) as f:
        lines = [json.loads(line) for line in f]
    keys = [line["key"] for line in lines]
    assert keys == ["bn/case1/out", "bn/case1/grads", "run/case1/call1", "run/case1/call2", "run/case1/test",
                    "mod/case1/init", "mod/case1/forward", "mod/case1/type"]
    # partial points: the running statistics and the test mode, the module's init, forward and dtype apart
    assert [(line["part"], line["weight"]) for line in lines] == [
        ("", 1.0), ("", 1.0), ("running", 1.0), ("running", 1.0), ("test", 1.0), ("init", 1.0), ("forward", 2.0),
        ("type", 0.5)]
    assert lines[-1]["check"] == "keeps_type"
