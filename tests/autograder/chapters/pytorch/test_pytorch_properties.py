"""The PyTorch chapter's property checks (autograder/chapters/pytorch/checks.py)."""
import numpy as np
import pytest


def _heldout():
    from autograder.judge.handin import heldout
    return heldout("cifar10-heldout.npz")[1]


LEVELS = [[0.7, 1.0], [0.6, 0.75], [0.5, 0.5], [0.4, 0.25]]


def test_heldout_accuracy_awards_the_level_the_predictions_reach():
    from autograder.chapters.pytorch.checks import heldout_accuracy
    labels = _heldout()
    ref = {"labels": labels.astype(np.float64)}  # built by the grader (autograder/judge/handin.py)
    args = {"levels": LEVELS, "count": len(labels)}

    def predictions(accuracy):
        p = labels.copy()
        wrong = int(round((1 - accuracy) * len(p)))
        p[:wrong] = (p[:wrong] + 1) % 10
        return {"digest": np.zeros(32), "predictions": p.astype(np.float64)}
    assert heldout_accuracy(ref, predictions(0.72), **args) is None
    assert heldout_accuracy(ref, predictions(0.65), **args)[0] == 0.75
    assert heldout_accuracy(ref, predictions(0.45), **args)[0] == 0.25
    assert heldout_accuracy(ref, predictions(0.10), **args)[0] == 0.0
    short = {"predictions": labels[:10].astype(np.float64)}
    assert "expected one per held-out image" in heldout_accuracy(ref, short, **args)
    assert "larger than the limit" in heldout_accuracy(ref, {"problem": np.array([2.0])}, **args)
    assert "no challenge_model.pt" in heldout_accuracy(ref, {"problem": np.array([1.0])}, **args)
    with pytest.raises(KeyError):
        heldout_accuracy({"predictions": labels}, predictions(0.72), **args)  # labels only from the grader
