"""Property checks of the PyTorch chapter, run by the judge outside the kernel (contract:
autograder/judge/properties.py; found by name through autograder/chapters/__init__.py)."""
import numpy as np

from autograder.judge.properties import field, registry, thresholds

PROPERTIES = {}
prop = registry(PROPERTIES)


@prop("heldout_accuracy")
def heldout_accuracy(ref, got, *, levels, count=None, **_):
    """Accuracy of a handed-in classifier's predictions on held-out views it was given unlabelled.

    Built by autograder/judge/handin.py, which judges the hand-in in a fresh sandbox: ``ref`` is
    {"labels": (N,) true classes of the views} (the grader's own data, never in a kernel); ``got``
    is the sandboxed evaluation's record (handin.py, through dlcourse.challenge.evaluate_handin): {"predictions":
    (N,) class indices} or {"problem": [code]} (a dlcourse.challenge.PROBLEMS code).
    args: levels ([[accuracy, fraction], ...], as in `thresholds`); count (N, for the message).
    """
    from dlcourse.challenge import PROBLEMS

    truth = field(ref, "labels").astype(np.int64)
    if isinstance(got, dict) and "problem" in got and "predictions" not in got:
        code = int(field(got, "problem").reshape(-1)[0])
        return PROBLEMS.get(code, f"problem {code}")
    predictions = field(got, "predictions")
    if predictions.shape != truth.shape:
        return f"{predictions.size} predictions, expected one per held-out image ({truth.size})"
    accuracy = float(np.mean(predictions == truth))
    return thresholds(None, np.array([accuracy]), levels=levels,
                      name=f"accuracy on {count or truth.size} held-out CIFAR-10 test images (random views)")
