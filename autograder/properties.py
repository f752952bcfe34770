"""Property checks: how the judge decides a record that is not "equal to the reference's value".

Contract, for every check in this module:

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
args={...})`` (see :func:`dlcourse.grading.record`). Each check has unit tests in
``tests/autograder/test_properties.py`` that accept correct outputs and reject each kind of
wrong one.
"""
import numpy as np

PROPERTIES = {}


def prop(name):
    """Register a property check under `name`."""
    def register(fn):
        if name in PROPERTIES:
            raise ValueError(f"property check {name!r} is defined twice")
        PROPERTIES[name] = fn
        return fn
    return register


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
