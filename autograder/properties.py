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
from pathlib import Path

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


@prop("crop_and_flip")
def crop_and_flip(ref, got, *, pad=4, flip_p=0.5, **_):
    """Random-crop augmentation: each output image is a crop of its zero-padded input, maybe mirrored.

    Record: {"inputs": (N, H, W, C) images (from the reference run: trusted), "outputs": the
    student's (N, H, W, C) result}. args: pad (zero pixels added on every side), flip_p (the
    probability of a left-right flip).

    Passes when every output equals the (H, W) window at some offset (dy, dx) in 0..2*pad of the
    zero-padded input, flipped left-right or not; the fraction flipped is within 4 standard
    deviations of flip_p; and dy and dx each take every value 0..2*pad with a mean within 4
    standard deviations of pad (so an unpadded crop, a vertical flip, a fixed or a biased offset fail).
    """
    inputs, outputs = field(ref, "inputs"), field(got, "outputs")
    if outputs.shape != inputs.shape:
        return f"output shape {outputs.shape}, expected the input's {inputs.shape}"
    n, h, w = inputs.shape[:3]
    padded = np.pad(inputs, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    k = 2 * pad + 1
    offsets = np.full((n, 3), -1)
    for dy in range(k):
        for dx in range(k):
            window = padded[:, dy:dy + h, dx:dx + w]
            for flipped, candidate in ((0, window), (1, window[:, :, ::-1])):
                hit = (offsets[:, 0] < 0) & np.all((candidate == outputs).reshape(n, -1), axis=1)
                offsets[hit] = (dy, dx, flipped)
    unmatched = int(np.sum(offsets[:, 0] < 0))
    if unmatched:
        return (f"{unmatched} of {n} outputs are no {h}x{w} crop of the input padded with {pad} zeros "
                "on every side (flipped left-right or not)")
    sd = np.sqrt(flip_p * (1 - flip_p) / n)
    flipped = offsets[:, 2].mean()
    if abs(flipped - flip_p) > 4 * sd:
        return f"{flipped:.1%} of the images are flipped left-right, expected about {flip_p:.0%}"
    sd_offset = np.sqrt((k * k - 1) / 12 / n)
    for axis, name in ((0, "vertical"), (1, "horizontal")):
        values = offsets[:, axis]
        missing = sorted(set(range(k)) - set(values.tolist()))
        if missing:
            return f"{name} crop offsets never take the values {missing} (expected every value 0..{2 * pad})"
        if abs(values.mean() - pad) > 4 * sd_offset:
            return f"{name} crop offsets average {values.mean():.2f}, expected about {pad} (uniform on 0..{2 * pad})"
    return None


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


DATA = Path(__file__).with_name("data")


@prop("heldout_accuracy")
def heldout_accuracy(ref, got, *, labels, levels, **_):
    """Accuracy of handed-in predictions on held-out images whose labels the kernel never sees.

    Record (see dlcourse.challenge.evaluate_handin): {"digest": sha256 of the images (32 numbers),
    "predictions": (N,) class indices} or {"digest", "problem": [code]}.
    args: labels (a file name in autograder/data: an .npz with "labels" and "images_sha256"),
    levels ([[accuracy, fraction], ...], as in `thresholds`).

    The digest is taken from the reference record (trusted) and must be the labels file's: the
    notebook evaluated the images the labels describe.
    """
    from dlcourse.challenge import PROBLEMS

    if "/" in labels or "\\" in labels or labels.startswith("."):
        raise ValueError(f"labels {labels!r}: expected a file name in autograder/data")
    with np.load(DATA / labels) as f:
        truth, digest = f["labels"].astype(np.int64), str(f["images_sha256"])
    ref_digest = bytes(field(ref, "digest").astype(np.uint8)).hex()
    if ref_digest != digest:
        raise ValueError("grading misconfigured: the notebook's held-out images are not the ones "
                         f"autograder/data/{labels} labels (tell the instructor)")
    if isinstance(got, dict) and "problem" in got and "predictions" not in got:
        code = int(field(got, "problem").reshape(-1)[0])
        return PROBLEMS.get(code, f"problem {code}")
    predictions = field(got, "predictions")
    if predictions.shape != truth.shape:
        return f"{predictions.size} predictions, expected one per held-out image ({truth.size})"
    accuracy = float(np.mean(predictions == truth))
    return thresholds(None, np.array([accuracy]), levels=levels,
                      name=f"accuracy on {truth.size} held-out CIFAR-10 test images")
