"""The CIFAR-10 challenge's hand-in: a saved model file graded without retraining.

Contract: the student hands in the notebook and, next to it, ``challenge_model.pt`` (HANDIN_NAME):
the ``state_dict`` of the model that ``build_challenge_model()`` (a function in their notebook)
returns untrained, saved with :func:`save_model`, at most HANDIN_LIMIT_MB. The model maps a
batch normalized by :func:`dlcourse.torchkit.to_tensor`, (N, 3, 32, 32) float32, to class
scores (N, 10); anything else (its own preprocessing, test-time tricks) lives inside it.

Grading (autograder/judge/handin.py; the notebook's ``metadata.dlcourse.handin``): never in the
student's own notebook run. The grader starts a fresh sandboxed kernel, runs the notebook's code
up to ``build_challenge_model`` there, and its trusted cell (autograder/chapters/pytorch/handin.py,
grading code students never get) calls :func:`evaluate_handin`, which loads the file on
the CPU with ``torch.load(weights_only=True)`` (a file that would run code when unpickled is
refused, never run) and predicts, within TIME_LIMIT_S, views of held-out images (real CIFAR-10
test images that ship nowhere students see, shifted, flipped and jittered with the run's secret
seed) handed to that kernel without labels. The grader computes the accuracy and awards points
by the thresholds in the instructor notebook (the chapter's ``heldout_accuracy`` check,
autograder/chapters/pytorch/checks.py). When something is wrong the record carries a
problem code instead (PROBLEMS), which the judge turns into a message and 0 points for the
challenge only. In the notebook, the visible test calls evaluate_handin on the vendored slice's
labelled test images.

Importing this module does not import torch (the judge reads PROBLEMS).
"""
import time
from pathlib import Path

import numpy as np

HANDIN_NAME = "challenge_model.pt"
HANDIN_LIMIT_MB = 20
TIME_LIMIT_S = 15.0

# problem code -> message (the judge shows it; the kernel prints it with details)
PROBLEMS = {
    1: f"no {HANDIN_NAME} was handed in next to the notebook (or the grader refused it: see the notes)",
    2: f"{HANDIN_NAME} is larger than the limit of {HANDIN_LIMIT_MB} MB",
    3: f"{HANDIN_NAME} is not a file saved by torch.save (corrupt or truncated?)",
    4: (f"{HANDIN_NAME} holds more than tensors (pickled objects or code): refused without loading it. "
        "Save model.state_dict(), not the model"),
    5: f"{HANDIN_NAME} does not hold a state_dict (a dict of tensors): save model.state_dict()",
    6: f"{HANDIN_NAME} does not fit build_challenge_model(): its parameter names or shapes differ",
    7: "build_challenge_model() is missing or raised an error",
    8: "the model's output on the images is not a (N, 10) array of finite scores, or it raised an error",
    9: f"evaluating the model took longer than the limit of {TIME_LIMIT_S:g} s on one CPU core",
}


class HandinError(Exception):
    """A hand-in that cannot be evaluated; .code is a key of PROBLEMS."""

    def __init__(self, code, detail=""):
        self.code = code
        super().__init__(PROBLEMS[code] + (f" ({detail})" if detail else ""))


def save_model(model, path):
    """Save model.state_dict() (on the CPU) to `path`, check that it reloads safely and fits the
    size limit; print where it went. Returns the Path."""
    import torch

    path = Path(path).resolve()
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, path)
    size_mb = path.stat().st_size / 2**20
    load_state_dict(path)  # raises HandinError with the reason when the grader would refuse it
    print(f"saved {path} ({size_mb:.2f} MB of {HANDIN_LIMIT_MB} MB allowed): hand it in next to the notebook")
    return path


def load_state_dict(path, limit_mb=HANDIN_LIMIT_MB):
    """The state_dict in `path`, loaded on the CPU without running code; raises HandinError."""
    import pickle

    import torch

    path = Path(path)
    if not path.is_file():
        raise HandinError(1, str(path))
    size = path.stat().st_size  # before reading a byte of it
    if size > limit_mb * 2**20:
        raise HandinError(2, f"{size / 2**20:.0f} MB")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:  # weights_only refused a global: the file would run code
        raise HandinError(4, str(exc).splitlines()[0][:200]) from None
    except Exception as exc:
        raise HandinError(3, f"{type(exc).__name__}: {str(exc)[:200]}") from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise HandinError(5, type(state).__name__)
    return state


def evaluate_handin(build_model, path=HANDIN_NAME, *, images, time_limit=TIME_LIMIT_S, batch_size=100):
    """Predict `images` with the handed-in model; raises only NotImplementedError (build_model not
    written yet).

    Inputs:
    - build_model: the student's build_challenge_model (returns the untrained nn.Module).
    - path: the hand-in (Jupyter and the grader both run a notebook in its own folder, so the
      default name means "next to the notebook").
    - images: uint8 (N, 32, 32, 3) to predict (the grader's held-out views; in the notebook the
      slice's test images).
    - time_limit: seconds for the whole evaluation.

    Returns a dict to record(): either "predictions" (N,) class indices, or "problem" (a PROBLEMS
    code; the reason is printed).
    """
    try:
        predictions = _predict(build_model, path, images, time_limit, batch_size)
    except HandinError as exc:
        print(f"challenge: {exc}")
        return {"problem": np.array([exc.code])}
    print(f"challenge: predicted {len(predictions)} images")
    return {"predictions": predictions}


def _predict(build_model, path, images, time_limit, batch_size):
    import torch

    from .torchkit import to_tensor

    start = time.monotonic()
    try:
        model = build_model()
    except NotImplementedError:
        raise  # not written yet: reported like every other unanswered exercise
    except Exception as exc:
        raise HandinError(7, f"{type(exc).__name__}: {str(exc)[:200]}") from None
    state = load_state_dict(path)
    try:
        model.load_state_dict(state, strict=True)
    except Exception as exc:
        raise HandinError(6, str(exc).replace("\n", " ")[:300]) from None
    model = model.cpu().float().eval()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    out = []
    try:
        with torch.no_grad():
            for i in range(0, len(images), batch_size):
                scores = model(to_tensor(images[i:i + batch_size]))
                if not isinstance(scores, torch.Tensor) or scores.shape != (min(batch_size, len(images) - i), 10) \
                        or not torch.isfinite(scores).all():
                    raise HandinError(8, f"got {getattr(scores, 'shape', type(scores).__name__)}")
                out.append(scores.argmax(1))
                if time.monotonic() - start > time_limit:
                    raise HandinError(9)
    except HandinError:
        raise
    except Exception as exc:
        raise HandinError(8, f"{type(exc).__name__}: {str(exc)[:200]}") from None
    finally:
        torch.set_num_threads(threads)
    return torch.cat(out).numpy()

