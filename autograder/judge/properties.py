"""Property checks: how the judge decides a record that is not "equal to the reference's value".

This module holds the generic checks (equality-like, thresholds, random samples); a chapter's own
checks live in autograder/chapters/<assignment>/checks.py, in its own ``PROPERTIES`` dict made
with :func:`registry`. A record's check is looked up here first, then in its notebook's chapter
(autograder/judge/chapter.py). Contract, for every check here and in a chapter's checks.py:

    check(ref, got, **args) -> None | "reason" | (fraction, "reason")

- ``ref``: the decoded record of the *reference* run for the same key: float64 arrays, or a
  dict of them. The reference run saw exactly the student's hidden inputs (same seed), so a
  test that records its inputs next to its outputs hands the judge *trusted* inputs: take
  inputs from ``ref``, never from ``got``.
- ``got``: the decoded record of the student's run (same structure, not trusted: validate it).
- ``args``: JSON values from the reference run's record (the instructor notebook), never
  from the student's.
- Returns None when the property holds (full points), a reason string when it does not (no
  points), or ``(fraction, reason)`` for partial points (``fraction`` in [0, 1]; the reason is
  shown whenever fraction < 1).

A check may raise on malformed input; the judge turns that into a failure with a clear message.
Register a check with ``@prop("name")``; test cells name it: ``record(key, value, check="name",
args={...})`` (see :func:`dlcourse.grading.record`). Each check has unit tests (the generic ones
in ``tests/autograder/judge/test_properties.py``, a chapter's in
``tests/autograder/chapters/<assignment>/test_checks.py``) that accept correct outputs and reject
each kind of wrong one.
"""
import numpy as np

from dlcourse.grading import DTYPES

PROPERTIES = {}


def registry(table):
    """A decorator ``@prop("name")`` that registers a check in the dict `table` (a chapter's
    checks.py makes its own: ``PROPERTIES = {}; prop = registry(PROPERTIES)``)."""
    def prop(name):
        def register(fn):
            if name in table:
                raise ValueError(f"property check {name!r} is defined twice")
            table[name] = fn
            return fn
        return register
    return prop


prop = registry(PROPERTIES)  # the generic checks


def field(value, key):
    """value[key] as a float64 array; a clear KeyError/TypeError when the record has no such array."""
    if not isinstance(value, dict):
        raise TypeError("expected several named arrays")
    if key not in value:
        raise KeyError(f"'{key}' missing")
    arr = value[key]
    if isinstance(arr, str):  # a value the student's code could not turn into numbers
        raise TypeError(f"'{key}': {arr}")
    return arr


def within(expected, got, rtol, atol):
    """Whether got matches expected elementwise, |got - expected| <= atol + rtol * (|got| + |expected|)
    (decoded records: arrays, or dicts of them with the same keys and shapes)."""
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(k in got and within(v, got[k], rtol, atol) for k, v in expected.items())
    if isinstance(got, (str, dict)) or got.shape != expected.shape:
        return False
    return bool(np.all(np.abs(got - expected) <= atol + rtol * (np.abs(got) + np.abs(expected))))


@prop("exact")
def exact(ref, got, **_):
    """Equal to the reference exactly, shapes included (integers: counts, shapes, indices)."""
    if isinstance(ref, dict):
        for key in ref:
            reason = exact(field(ref, key), field(got, key))
            if reason:
                return f"{key}: {reason}"
        return None
    if isinstance(got, str):
        raise TypeError(got)
    if got.shape != ref.shape:
        return f"shape {got.shape}, expected {ref.shape}"
    if not np.array_equal(got, ref):
        wrong = int(np.sum(got != ref))
        if ref.size == 1:
            return f"got {got.reshape(-1)[0]:g}, expected a different value"
        return f"{wrong} of {ref.size} entries differ"
    return None


@prop("thresholds")
def thresholds(ref, got, *, key=None, levels=(), name="score", higher_is_better=True, **_):
    """Partial points by thresholds on one recorded number (e.g. an accuracy the judge computed).

    args:
    - key: which array of a dict record (None: the record itself); must hold one number.
    - levels: [[threshold, fraction], ...]: the best fraction whose threshold the value reaches.
    - name: what the number is, for the message.
    """
    value = field(got, key) if key else got
    if isinstance(value, str):
        raise TypeError(value)
    if value.size != 1 or not np.isfinite(value).all():
        return f"{name}: expected one finite number"
    x = float(value.reshape(-1)[0])
    best = 0.0
    for threshold, fraction in levels:
        reached = x >= threshold if higher_is_better else x <= threshold
        if reached:
            best = max(best, float(fraction))
    table = ", ".join(f"{'≥' if higher_is_better else '≤'} {t:g}: {f:g}" for t, f in levels)
    if best >= 1.0:
        return None
    return best, f"{name} {x:.4g} earns {best:g} of the points ({table})"


@prop("normal_sample")
def normal_sample(ref, got, *, std, sigmas=6.0, **_):
    """A random tensor drawn i.i.d. from N(0, std²) (e.g. a Kaiming-initialized weight).

    Record: {"w": the sample, "requires_grad": 1 or 0, "leaf": 1 or 0}. args: std (the expected
    standard deviation, computed by the instructor's test), sigmas (tolerance in standard errors).

    Passes when the shape is the reference's, the tensor is a leaf that requires grad, and its
    mean, standard deviation and kurtosis are within `sigmas` standard errors of a normal
    distribution's (0, std, 3): a fan-out std, a uniform draw or a constant tensor fail.
    """
    w = field(got, "w")
    if w.shape != field(ref, "w").shape:
        return f"shape {w.shape}, expected {field(ref, 'w').shape}"
    if not np.all(np.isfinite(w)):
        return "contains NaN or inf"
    if float(field(got, "leaf").reshape(-1)[0]) != 1.0 or float(field(got, "requires_grad").reshape(-1)[0]) != 1.0:
        return "the weight must be a leaf tensor with requires_grad=True (set it after scaling, or scale inside torch.no_grad())"
    n = w.size
    mean, sd = float(w.mean()), float(w.std())
    if abs(sd / std - 1) > sigmas / np.sqrt(2 * n):
        return f"standard deviation {sd:.4g}, expected {std:.4g}"
    if abs(mean) > sigmas * std / np.sqrt(n):
        return f"mean {mean:.3g}, expected about 0"
    kurtosis = float(np.mean((w - mean) ** 4) / sd ** 4)
    if abs(kurtosis - 3) > sigmas * np.sqrt(24 / n):
        return f"kurtosis {kurtosis:.3g}: not normally distributed (a normal's is 3)"
    return None



@prop("all_equal")
def all_equal(ref, got, *, keys, what="the arrays", **_):
    """Several recorded arrays must be exactly equal to each other (e.g. two calls with one seed).

    Record: {key: array, ...} for every key in args["keys"]. args: keys (two or more names),
    what (the words for the message). Nothing is compared with the reference's values: two
    correct implementations may draw different masks for the same seed.
    """
    arrays = [field(got, k) for k in keys]
    first = arrays[0]
    for key, arr in zip(keys[1:], arrays[1:]):
        if arr.shape != first.shape:
            return f"{key}: shape {arr.shape}, {keys[0]}: {first.shape}"
        if not np.array_equal(arr, first):
            return f"{what} differ ({int(np.sum(arr != first))} of {arr.size} elements)"
    return None


def _type_name(code, what):
    code = int(code)
    if what == "dtype":
        return DTYPES[code] if 0 <= code < len(DTYPES) else ("no tensor" if code == -2 else "another dtype")
    return "cpu" if code == 0 else f"cuda:{code - 1}" if code > 0 else "another device"


@prop("keeps_type")
def keeps_type(ref, got, *, what="the output", **_):
    """A layer's output keeps its input's dtype and device (a float32 net stays float32, a GPU one on the GPU).

    Record: {"input": dlcourse.grading.tensor_type(x), "output": tensor_type(out)} (ref's input:
    the trusted one; got's output: the student's). args: what (the words for the message).
    Passes when the output's dtype and device codes equal the input's.
    """
    given, made = field(ref, "input"), field(got, "output")
    for key in ("dtype", "device"):
        want, have = field(given, key).reshape(-1)[0], field(made, key).reshape(-1)[0]
        if want != have:
            verb = "is" if key == "dtype" else "is on"
            return (f"{what} {verb} {_type_name(have, key)} for a {_type_name(want, key)} input: keep the input's {key} "
                    f"(make new tensors with torch.*_like(x) or dtype=x.dtype, device=x.device)")
    return None
