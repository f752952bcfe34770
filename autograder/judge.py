"""Judge outside the student's kernel: compare its records with the reference run's.

A test cell passes when every record the reference solution produced in that cell was also
produced by the student's run, in the same cell, with values within the reference's rtol.
Messages say which input and what to check (the hint written with the test); they never
contain the hidden test's source or the reference values.
"""
import base64

import numpy as np

from dlcourse.gradient_check import rel_error


def decode(value):
    """Inverse of dlcourse.grading.encode, defensively: anything malformed becomes an error string."""
    if not isinstance(value, dict):
        return "malformed record"
    if "dict" in value and isinstance(value["dict"], dict):
        return {str(k): decode(v) for k, v in value["dict"].items()}
    if "error" in value:
        return str(value["error"])[:200]
    try:
        shape = tuple(int(n) for n in value["shape"])
        data = base64.b64decode(value["f64"], validate=True)
        arr = np.frombuffer(data, dtype=np.float64)
        return arr.reshape(shape).copy()
    except Exception:
        return "malformed record"


def compare(expected, got, path="value"):
    """None when got matches expected (decoded records), else a short reason."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{path}: expected several arrays"
        for key, exp in expected.items():
            if key not in got:
                return f"{key}: missing"
            reason = compare(exp, got[key], key)
            if reason:
                return reason
        return None
    if isinstance(got, str):
        return f"{path}: {got}"
    if isinstance(expected, str):
        return f"{path}: the reference itself failed ({expected})"
    if got.shape != expected.shape:
        return f"{path}: shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return f"{path}: contains NaN or inf"
    return None


def judge_cell(reference_records, student_records, outcome):
    """(status, message) for one autograded test cell. status: passed, failed, error, timeout."""
    if outcome is not None and outcome.status == "timeout":
        return "timeout", outcome.evalue or "time limit reached"
    if not reference_records:
        # nothing to compare: fall back on whether the cell ran (authors: make every test record())
        if outcome is not None and outcome.status == "ok":
            return "passed", ""
        return "error", _error(outcome)
    got = {}
    for rec in student_records:
        got.setdefault(rec.get("key"), rec)  # the first record of a key counts
    for ref in reference_records:
        mine = got.get(ref["key"])
        if mine is None:
            if outcome is not None and outcome.status != "ok":
                return "error", _error(outcome)
            return "failed", "the test did not get a result from your code (did a cell swallow an error?)"
        expected, value = decode(ref["value"]), decode(mine.get("value"))
        reason = compare(expected, value)
        if reason is None:
            if _within(expected, value, float(ref.get("rtol", 1e-6)), float(ref.get("atol", 0.0))):
                continue
            reason = f"relative error {_max_rel_error(expected, value):.1e}"
        label = f" for {ref['label']}" if ref.get("label") else ""
        hint = f" Hint: {ref['hint']}." if ref.get("hint") else ""
        return "failed", f"{ref['key'].split('/')[0]}: wrong result{label} ({reason}).{hint}"
    return "passed", ""


def _within(expected, got, rtol, atol):
    if isinstance(expected, dict):
        return all(_within(v, got[k], rtol, atol) for k, v in expected.items())
    return bool(np.all(np.abs(got - expected) <= atol + rtol * (np.abs(got) + np.abs(expected))))


def _max_rel_error(expected, got):
    if isinstance(expected, dict):
        return max((_max_rel_error(v, got[k]) for k, v in expected.items()), default=0.0)
    if not np.all(np.isfinite(got)):
        return float("inf")
    return rel_error(expected, got)


def _error(outcome):
    if outcome is None:
        return "the test cell did not run"
    if outcome.status == "crashed":
        return outcome.evalue
    if outcome.status == "skipped":
        return "not run"
    if outcome.ename == "NotImplementedError" and not outcome.evalue:
        return "NotImplementedError: the answer is not written yet"
    if outcome.ename:
        # the student's own exception: shown short (it is also the one channel a submission could
        # use to echo text it read at run time, such as the hidden tests' source)
        evalue = outcome.evalue if len(outcome.evalue or "") <= 300 else outcome.evalue[:300] + "..."
        return f"{outcome.ename}: {evalue}" if evalue else outcome.ename
    return "the test cell failed"
