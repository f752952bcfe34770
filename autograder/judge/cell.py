"""Judge outside the student's kernel: compare its records with the reference run's.

A test cell passes when every record the reference solution produced in that cell was also
produced by the student's run, in the same cell, and matches: within the reference's rtol/atol,
or, when the reference record names a property check (a generic one of
autograder/judge/properties.py, else one of the notebook's chapter: autograder/judge/chapter.py),
by that check run here on the student's raw values and the reference's trusted inputs.
Messages say which input and what to check (the hint written with the test); they never
contain the hidden test's source or the reference values.
"""
import base64
import math
import re

import numpy as np

from dlcourse.gradient_check import rel_error

from ..errors import GradingError
from . import chapter, properties


MAX_NESTING = 4  # dicts of arrays inside a record (encode produces 1 or 2 levels)
CHUNK = 1 << 22  # base64 characters decoded at a time (a multiple of 4)


def _array(shape, text):
    """The float64 array of `shape` whose bytes `text` (base64) holds, decoded in chunks straight into
    the array: its size is checked first, and no copy of the whole (bytes, then array) is ever made."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64 text")
    count = math.prod(shape)
    if len(text) != 4 * math.ceil(8 * count / 3):
        raise ValueError("the data does not have the size of the shape")
    arr = np.empty(count, dtype=np.float64)
    raw = arr.view(np.uint8)
    at = 0
    for start in range(0, len(text), CHUNK):
        part = base64.b64decode(text[start:start + CHUNK], validate=True)
        if at + len(part) > raw.size:
            raise ValueError("the data does not have the size of the shape")
        raw[at:at + len(part)] = np.frombuffer(part, dtype=np.uint8)
        at += len(part)
    if at != raw.size:
        raise ValueError("the data does not have the size of the shape")
    return arr.reshape(shape)


def decode(value, _level=0):
    """Inverse of dlcourse.grading.encode, defensively: anything malformed becomes an error string."""
    if not isinstance(value, dict):
        return "malformed record"
    if "dict" in value and isinstance(value["dict"], dict):
        if _level >= MAX_NESTING:
            return "malformed record (nested too deeply)"
        return {str(k): decode(v, _level + 1) for k, v in value["dict"].items()}
    if "error" in value:
        return str(value["error"])[:200]
    try:
        return _array(tuple(int(n) for n in value["shape"]), value["f64"])
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
    if isinstance(got, dict):
        return f"{path}: expected one array, got several"
    if isinstance(expected, str):
        return f"{path}: the reference itself failed ({expected})"
    if got.shape != expected.shape:
        return f"{path}: shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return f"{path}: contains NaN or inf"
    return None


def judge_cell(reference_records, student_records, outcome, assignment=None):
    """(status, message, fraction) for one autograded test cell.

    assignment: the notebook's assignment, whose chapter's property checks its records may name
    (None: the generic checks only).

    Partial credit: records are grouped by their reference record's ``part`` (records without
    one form the default part ""); a part earns ``weight / sum of the cell's weights`` times its
    fraction (the lowest of its records': 0 for a wrong one, a property check's partial fraction).
    A test cell split at its hidden-tests marker (run.execute) arrives as one outcome whose
    ``stages`` hold the visible and the hidden part's: a missing record is blamed on the stage
    that should have made it; a visible stage that fails is said first and costs nothing of its own
    (the kernel can silence the visible checks: only the records, judged here, earn points), the
    hidden records are still judged, so the message always carries their hints.

    status: passed, partial, failed, error (no points, and some part of the cell raised or never
    ran), timeout (likewise, a part ran out of time); fraction: the share of the cell's points
    earned (1 when passed, 0 when failed, error or timeout).
    """
    stages = getattr(outcome, "stages", None) or {}
    if outcome is not None and outcome.status == "timeout" and not stages:
        return "timeout", outcome.evalue or "time limit reached", 0.0
    if not reference_records:
        # nothing to compare: fall back on whether the cell ran (authors: make every test record())
        if outcome is not None and outcome.status == "ok":
            return "passed", "", 1.0
        return ("timeout" if outcome is not None and outcome.status == "timeout" else "error"), _error(outcome), 0.0
    got = {}
    for rec in student_records:
        if isinstance(rec, dict) and isinstance(rec.get("key"), str):
            got.setdefault(rec["key"], rec)  # the first record of a key counts
    parts = {}  # part -> {"weight", "fraction", "messages", "zero"}
    broken = []  # the outcomes (the cell's, or a stage's) that cost points by raising or not finishing

    def part_of(name, weight=1.0):
        return parts.setdefault(name, {"weight": weight, "fraction": 1.0, "messages": [], "zero": False})

    def lose(part, share, message):
        if part["zero"]:
            return  # the part's first wrong result is its message
        if share == 0.0:
            part["zero"], part["messages"] = True, [message]
        elif message not in part["messages"]:
            part["messages"].append(message)
        part["fraction"] = min(part["fraction"], share)

    visible, hidden = stages.get("visible"), stages.get("hidden")
    # both stages stopped by one error (an answer not written, a name never defined): said once, as for one cell
    same = (visible is not None and hidden is not None and visible.status != "ok" and hidden.status != "ok"
            and _error(visible) == _error(hidden))
    said_first = []
    if visible is not None and visible.status != "ok":
        # Its message comes first and the records' own messages (hints) follow; it earns and costs
        # nothing itself: the visible checks run in the student's kernel, which can silence them,
        # so only the records, judged here, give points (were a failing visible stage to cost a
        # part, silencing it would earn that part: one of the attacks in tests/autograder/attacks/).
        if not same:
            said_first.append(f"the visible checks did not pass: {_error(visible)}")
        broken.append(visible)
    for ref in reference_records:
        part = part_of(str(ref.get("part") or ""), _weight(ref.get("weight")))
        mine = got.get(ref["key"])
        if mine is None:
            made_by = stages.get(ref.get("stage")) or outcome
            if made_by is None or made_by.status != "ok":
                broken.append(made_by)
                lose(part, 0.0, f"the hidden tests did not run to the end: {_error(made_by)}"
                     if ref.get("stage") == "hidden" and made_by is not outcome and not same else _error(made_by))
            else:
                lose(part, 0.0, "the test did not get a result from your code (did a cell swallow an error?)")
            continue
        expected, value = decode(ref["value"]), decode(mine.get("value"))
        share, reason = _verdict(ref, expected, value, assignment)
        if reason is None:
            continue
        label = f" for {ref['label']}" if ref.get("label") else ""
        hint = f" Hint: {ref['hint']}." if ref.get("hint") and share < 1.0 else ""
        lose(part, share, f"{ref['key'].split('/')[0]}: {'wrong result' if share == 0 else 'part marks'}{label} ({reason}).{hint}")
    total = sum(p["weight"] for p in parts.values()) or 1.0
    fraction = sum(p["weight"] * p["fraction"] for p in parts.values()) / total
    fraction = 1.0 if fraction >= 1.0 - 1e-12 else round(fraction, 6)
    if fraction >= 1.0:
        return "passed", " ".join(said_first), 1.0
    named = len(parts) > 1
    messages = list(said_first)
    for name, p in parts.items():
        for message in p["messages"]:
            if named:  # which part lost what: "[init: 1/3 of the points, lost] ..."
                lost = "lost" if p["fraction"] == 0 else f"{p['fraction']:.0%} of it earned"
                message = f"[{name or 'visible checks'}: {p['weight'] / total:.0%} of the points, {lost}] {message}"
            if message not in messages:
                messages.append(message)
    message = " ".join(messages)
    if fraction > 0:
        return "partial", message, fraction
    if any(o is not None and o.status == "timeout" for o in broken):
        return "timeout", message, 0.0
    if broken:
        return "error", message, 0.0
    return "failed", message, 0.0


def _weight(value):
    """A part's weight from the reference's record: a positive finite number, else 1."""
    try:
        weight = float(value)
    except (TypeError, ValueError):
        return 1.0
    return weight if math.isfinite(weight) and weight > 0 else 1.0


def _verdict(ref, expected, value, assignment):
    """(fraction, reason or None) for one record: equality with the reference, or a property check."""
    name = ref.get("check")
    if not name:
        reason = compare(expected, value)
        if reason is None:
            if properties.within(expected, value, float(ref.get("rtol", 1e-6)), float(ref.get("atol", 0.0))):
                return 1.0, None
            reason = f"relative error {_max_rel_error(expected, value):.1e}"
        return 0.0, reason
    try:
        check = chapter.find(name, assignment)
    except GradingError as exc:  # the reference run refuses such a notebook first (grade.submission)
        return 0.0, str(exc)
    if isinstance(value, str):
        return 0.0, value
    args = ref.get("args") if isinstance(ref.get("args"), dict) else {}
    try:
        result = check(expected, value, **args)
    except Exception as exc:  # malformed student values: shapes, missing arrays, wrong types
        return 0.0, f"could not be checked: {str(exc)[:200] or exc.__class__.__name__}"
    if result is None:
        return 1.0, None
    if isinstance(result, tuple):
        share, reason = result
        share = min(max(float(share), 0.0), 1.0)
        return share, (None if share >= 1.0 else str(reason))
    return 0.0, str(result)


def _max_rel_error(expected, got):
    if isinstance(expected, dict):
        return max((_max_rel_error(v, got[k]) for k, v in expected.items()), default=0.0)
    if not np.all(np.isfinite(got)):
        return float("inf")
    return rel_error(expected, got)


DEPENDENT = ("NameError", "UnboundLocalError", "ImportError", "ModuleNotFoundError")
_MISSING = re.compile(r"(?:name|import name) '([A-Za-z_]\w*)'")
_CELL_FILE = re.compile(r"\(<ipython-input-[^>]*>, (line \d+)\)")


def first_cause(outcome, failures):
    """The failure of an earlier cell of the student's that a test's error comes from, or None.

    A test that fails with a NameError or an ImportError after one of the student's cells failed
    most likely fails because of it (a SyntaxError leaves the function undefined). failures:
    [(label, source, outcome)] of the student's cells that failed before the test, in order; the
    earliest whose source names the missing name is the cause, else the earliest of all."""
    if outcome is None or outcome.status != "error" or outcome.ename not in DEPENDENT or not failures:
        return None
    missing = _MISSING.search(outcome.evalue or "")
    named = [f for f in failures if missing and re.search(rf"\b{re.escape(missing.group(1))}\b", f[1])]
    label, _, failed = (named or failures)[0]
    return f"your cell {label} did not {'run' if failed.status == 'error' else 'finish'}: {_error(failed)}"


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
        evalue = _CELL_FILE.sub(r"(\1)", outcome.evalue or "")  # "(<ipython-input-1-e70f...>, line 2)": "(line 2)"
        evalue = evalue if len(evalue) <= 300 else evalue[:300] + "..."
        return f"{outcome.ename}: {evalue}" if evalue else outcome.ename
    return "the test cell failed"
