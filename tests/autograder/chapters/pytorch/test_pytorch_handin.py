"""The PyTorch chapter's hand-in evaluation as the trusted cell runs it (autograder/chapters/pytorch/handin.py):
predictions of the views, or a problem code, recorded under the judge's key."""
import json
import os

import numpy as np
import torch

from autograder.chapters.pytorch.handin import evaluate
from dlcourse import grading
from dlcourse.challenge import save_model


def build():
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 10))


def _records(monkeypatch, *args):
    r, w = os.pipe()
    monkeypatch.setenv(grading.RECORD_FD_ENV, str(w))
    evaluate(*args)
    os.close(w)
    with os.fdopen(r) as f:
        return [json.loads(line) for line in f]


def test_evaluate_records_the_predictions_of_the_views(tmp_path, monkeypatch):
    from autograder.judge.cell import decode
    torch.manual_seed(0)
    model = build()
    save_model(model, tmp_path / "m.pt")
    views = np.random.default_rng(0).integers(0, 256, size=(7, 32, 32, 3), dtype=np.uint8)
    np.save(tmp_path / "views.npy", views)
    (rec,) = _records(monkeypatch, "challenge/heldout", build, tmp_path / "m.pt", tmp_path / "views.npy")
    assert rec["key"] == "challenge/heldout"
    from dlcourse.torchkit import to_tensor
    with torch.no_grad():
        expected = model.eval()(to_tensor(views)).argmax(1).numpy()
    np.testing.assert_array_equal(decode(rec["value"])["predictions"], expected)


def test_evaluate_records_a_problem_code_for_a_missing_file(tmp_path, monkeypatch):
    from autograder.judge.cell import decode
    np.save(tmp_path / "views.npy", np.zeros((2, 32, 32, 3), dtype=np.uint8))
    (rec,) = _records(monkeypatch, "k", build, tmp_path / "absent.pt", tmp_path / "views.npy")
    assert decode(rec["value"])["problem"].tolist() == [1.0]
