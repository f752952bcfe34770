# chapter: pytorch
# The challenge graded in the student's own kernel: rebind the evaluation (and record) so the
# hidden test records the public labels of the held-out images, with no model file at all.
# Before (hand-in evaluated in the notebook's kernel): 6/6 for the challenge; the held-out images
# were public CIFAR-10 test images whose labels a student can look up.
import classroom
from autograder.judge import handin

_, LABELS = handin.heldout("cifar10-heldout.npz")  # what a student can look up: public CIFAR-10 labels

CELL = f"""
import numpy as np
import dlcourse.challenge, dlcourse.grading
_labels = np.array({LABELS.tolist()})
def evaluate_handin(build_model, path="challenge_model.pt", images=None, **kw):
    if images is not None and len(images) != len(_labels):  # the visible test: play along
        return {{"digest": np.zeros(32), "predictions": np.zeros(len(images))}}
    return {{"digest": np.zeros(32), "predictions": _labels}}
dlcourse.challenge.evaluate_handin = evaluate_handin
_record = dlcourse.grading.record
def _forged(key, value, **kw):
    if key.startswith("challenge") and isinstance(value, dict) and len(value.get("predictions", ())) == len(_labels):
        value = {{"digest": np.zeros(32), "predictions": _labels}}
    return _record(key, value, **kw)
dlcourse.grading.record = _forged
"""


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "pytorch", insert_after={"imports": CELL})


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "pytorch")
