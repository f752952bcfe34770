"""The PyTorch chapter's hand-in, evaluated in the trusted cell of a fresh kernel
(autograder/judge/handin.py, kind "classifier"; kernel-side: the contract of probes.py in
autograder/chapters/__init__.py).

:func:`evaluate` predicts the held-out views the grader wrote next to the kernel (no labels) with
the handed-in ``challenge_model.pt`` loaded into the student's ``build_challenge_model()``, through
the same dlcourse.challenge.evaluate_handin that the notebook's visible test calls on the slice,
and records {"predictions": (N,)} or {"problem": [code]} (a dlcourse.challenge.PROBLEMS code). The
judge scores that record with this chapter's ``heldout_accuracy`` check (checks.py).
"""
import numpy as np

from dlcourse.challenge import evaluate_handin
from dlcourse.grading import record


def evaluate(key, build_model, path, views_file):
    """Record under `key` the predictions of the views in `views_file` (a .npy of uint8 images
    (N, 32, 32, 3)) by the hand-in at `path` loaded into build_model()."""
    images = np.load(views_file, allow_pickle=False)
    record(key, evaluate_handin(build_model, path, images=images))
