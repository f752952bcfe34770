"""Grading probes: the student's code computes, a trusted process judges.

Test cells call ``record(key, value)`` with what the student's code produced. While a notebook
is being graded (``DLCOURSE_RECORD_FD`` is set by the grader), each record is written as one
line of plain JSON to that file descriptor; the grader compares it, *outside* the student's
kernel, with the record of the same key from the reference solution run on the same inputs.
Outside grading, ``record`` does nothing, so test cells run the same everywhere.

Nothing a student's kernel does to numpy, builtins or this module can raise a grade: a record
only counts when its values match the reference's, which the student's kernel never sees.

Hidden-test inputs come from ``grading_rng(name, case)``: seeded by ``DLCOURSE_GRADING_SEED``,
which the grader sets (and the student never sees); 0 outside grading.
"""
import base64
import json
import os
import zlib

import numpy as np

RECORD_FD_ENV = "DLCOURSE_RECORD_FD"
SEED_ENV = "DLCOURSE_GRADING_SEED"


def grading():
    """True while the autograder runs this notebook."""
    return bool(os.environ.get(RECORD_FD_ENV))


def encode(value):
    """Plain-JSON form of a number, array, or dict/list of them (arrays as float64 bytes)."""
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v) for k, v in value.items()}}
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor (possibly on a GPU, with grad)
        value = value.detach().cpu().double().numpy()
    try:
        arr = np.array(value, dtype=np.float64, copy=True)
    except Exception as exc:  # a value that is no number at all
        return {"error": f"not numeric ({type(value).__name__}: {exc})"}
    arr = np.ascontiguousarray(arr.view(np.ndarray))
    return {"shape": list(arr.shape), "f64": base64.b64encode(arr.tobytes()).decode("ascii")}


def record(key, value, *, label="", hint="", rtol=1e-6, atol=0.0, check=None, args=None, part="", weight=1.0):
    """Hand one result to the grader.

    Inputs:
    - key: a name unique within the notebook (e.g. "adam/hidden/case2/step3").
    - value: a number, an array (numpy or torch), or a dict of them.
    - label: words that say which input this was (shown to the student on failure).
    - hint: what to check when this record is wrong (shown to the student on failure).
    - rtol, atol: with check=None, accepted when |got - ref| <= atol + rtol * (|got| + |ref|)
      elementwise.
    - check: None to compare with the reference's value of the same key; or the name of a
      property check (generic: ``autograder/judge/properties.py``; the notebook's chapter's:
      ``autograder/chapters/<assignment>/checks.py``), called outside the kernel as
      ``check(ref, got, **args)`` (for random outputs, thresholds, structure). Record the inputs
      too: the judge takes them from the reference run (same seed, same inputs), never from
      the student's record.
    - args: JSON-serialisable arguments of the property check.
    - part, weight: partial credit. The records of one test cell that name the same `part`
      (e.g. "forward", "init", "state") are judged together: the part earns its share of the
      cell's points, ``weight / sum of the weights of the cell's parts``, when all its records
      pass (a property check's partial fraction counts); records without a part, and the
      visible checks, form the cell's default part "" (weight 1). The cell's points stay its
      nbgrader points.

    Only the reference run's label, hint, tolerances, check and args count: the grader ignores
    what a student's kernel sends for them.
    """
    fd = os.environ.get(RECORD_FD_ENV)
    if not fd:
        return
    line = json.dumps({"key": str(key), "value": encode(value), "label": label, "hint": hint, "rtol": rtol, "atol": atol,
                       "check": check, "args": args or {}, "part": str(part), "weight": float(weight)})
    data = (line + "\n").encode()
    while data:
        data = data[os.write(int(fd), data):]


DTYPES = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128", "uint8", "int8", "int16", "int32",
          "int64", "bool")  # codes of tensor_type: the index in this tuple (-1: another dtype)


def tensor_type(value):
    """{"dtype": code, "device": code} of a tensor or array, for the judge's ``keeps_type`` check.

    dtype: the index of its dtype's name in DTYPES (-1 for another, -2 for a value that is neither
    a tensor nor an array); device: 0 for the CPU (and numpy arrays), 1 + the index of a CUDA
    device, -1 for another device.
    """
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return {"dtype": -2, "device": -1}
    name = str(dtype).replace("torch.", "")
    device = getattr(value, "device", None)
    if device is None or str(device) == "cpu":
        where = 0
    elif getattr(device, "type", None) == "cuda":
        where = 1 + (device.index or 0)
    else:
        where = -1
    return {"dtype": DTYPES.index(name) if name in DTYPES else -1, "device": where}


def grading_rng(name, case):
    """A generator for hidden-test inputs of test `name`, case number `case`."""
    seed = int(os.environ.get(SEED_ENV, "0"))
    return np.random.default_rng([seed, zlib.crc32(name.encode()), case])
