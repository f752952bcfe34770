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
``tests/autograder/judge/test_properties.py`` that accept correct outputs and reject each kind of
wrong one.
"""

import hashlib

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



@prop("heldout_accuracy")
def heldout_accuracy(ref, got, *, levels, count=None, **_):
    """Accuracy of a handed-in classifier's predictions on held-out views it was given unlabelled.

    Built by autograder/judge/handin.py, which judges the hand-in in a fresh sandbox: ``ref`` is
    {"labels": (N,) true classes of the views} (the grader's own data, never in a kernel); ``got``
    is the sandboxed evaluation's record (dlcourse.challenge.evaluate_handin): {"predictions":
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


# ---------------------------------------------------------------- random masks (dropout)

def _scaled_or_zero(x, out, scale, rtol):
    """(kept, dropped, neither) boolean masks: out == x * scale within rtol, out == 0 exactly.

    Inputs x of exactly 0 are neither kept nor dropped (they cannot tell); tests draw x away from 0."""
    target = x * scale
    kept = (np.abs(out - target) <= rtol * np.abs(target)) & (x != 0)
    dropped = (out == 0) & (x != 0)
    return kept, dropped, ~(kept | dropped) & (x != 0)


def _diagnose(x, out, keep, rtol, conventions):
    """A reason for outputs that are neither 0 nor x / keep: which known mistake they look like."""
    nonzero = (out != 0) & (x != 0)
    if not nonzero.any():
        return "every output is 0"
    ratio = out[nonzero] / x[nonzero]
    for factor, what in ((1.0, "the kept values equal the input: scale them by 1 / keep probability at train time "
                               "(inverted dropout)"),
                         (1.0 / (1.0 - keep) if keep < 1 else None, conventions),
                         (keep, "the kept values are multiplied by the keep probability: that is the original paper's "
                                "test-time scaling; inverted dropout divides by it at train time"),
                         (1.0 - keep, conventions)):
        if factor is not None and np.all(np.abs(ratio - factor) <= rtol * factor):
            return what
    return None


@prop("inverted_dropout")
def inverted_dropout(ref, got, *, keep, rtol=1e-6, alpha=None, convention="keep", **_):
    """Inverted dropout in training mode: a random mask, judged by its properties.

    Record: {"x": the input (from the reference run: trusted), "out": the student's output}.
    args: keep (probability of keeping an element, from the instructor's test), rtol (float
    tolerance of the scaled values), alpha (false-failure probability of the kept-fraction
    test; default dlcourse.stats.ALPHA = 1e-8), convention ("keep" or "drop": how the exercise
    names p, for the message).

    Passes when the output has the input's shape; every element is exactly 0 or x / keep
    (within rtol); and the number of kept elements k of n lies in the exact binomial interval
    [lo, hi] that a Binomial(n, keep) count leaves with probability at most alpha
    (dlcourse.stats.binomial_interval). A correct implementation fails with that probability
    and no other way; no scaling, test-time scaling, the other convention for p (for keep !=
    0.5) and a mask that drops nothing or everything fail.
    """
    from dlcourse.stats import ALPHA, binomial_interval

    x, out = field(ref, "x"), field(got, "out")
    if out.shape != x.shape:
        return f"output shape {out.shape}, expected the input's {x.shape}"
    if not np.all(np.isfinite(out)):
        return "contains NaN or inf"
    p_name = "p" if convention == "keep" else "(1 - p)"
    other = ("p is the probability of keeping a unit here (cs231n's convention), not of dropping it"
             if convention == "keep" else
             "p is the probability of dropping a unit here (PyTorch's convention), not of keeping it")
    kept, dropped, neither = _scaled_or_zero(x, out, 1.0 / keep, rtol)
    if neither.any():
        reason = _diagnose(x, out, keep, rtol, other)
        head = f"{int(neither.sum())} of {x.size} outputs are neither 0 nor x / {p_name} = x / {keep:g}"
        return f"{head}: {reason}" if reason else head
    n, k = int(kept.sum() + dropped.sum()), int(kept.sum())
    lo, hi, _ = binomial_interval(n, keep, ALPHA if alpha is None else float(alpha))
    if not lo <= k <= hi:
        why = other if abs(k / n - (1 - keep)) < abs(k / n - keep) else "the mask does not keep each unit with that probability"
        return (f"{k} of {n} elements kept ({k / n:.1%}), expected {keep:.0%} "
                f"(a correct mask keeps between {lo} and {hi}): {why}")
    return None


@prop("dropout_backward")
def dropout_backward(ref, got, *, keep, rtol=1e-6, **_):
    """The backward pass of inverted dropout, for the mask the student's forward pass drew.

    Record: {"x", "dout": the input and upstream gradient (from the reference run: trusted),
    "out": the student's forward output, "dx": the student's gradient}. args: keep, rtol.

    The mask is where the student's out is not 0 (x is drawn away from 0). Passes when dx is
    exactly 0 wherever the forward pass dropped, and dout / keep (within rtol) wherever it kept.
    The forward pass's own values are the inverted_dropout check's business, not this one's.
    """
    x, dout, out, dx = field(ref, "x"), field(ref, "dout"), field(got, "out"), field(got, "dx")
    for name, arr in (("out", out), ("dx", dx)):
        if arr.shape != x.shape:
            return f"{name} shape {arr.shape}, expected the input's {x.shape}"
    if not np.all(np.isfinite(dx)):
        return "dx contains NaN or inf"
    kept = out != 0
    leaked = int(np.sum(dx[~kept] != 0))
    if leaked:
        return (f"dx is not 0 at {leaked} of {int((~kept).sum())} dropped elements: "
                "a dropped unit passes no gradient back (multiply by the forward pass's mask)")
    target = dout[kept] / keep
    wrong = np.abs(dx[kept] - target) > rtol * np.abs(target)
    if wrong.any():
        ratio = dx[kept][wrong] / dout[kept][wrong]
        if np.allclose(ratio, 1.0, rtol=rtol):
            return ("dx equals dout at the kept elements: the forward pass divided by the keep probability, "
                    "so the backward pass must too")
        return f"dx differs from dout / {keep:g} at {int(wrong.sum())} of {int(kept.sum())} kept elements"
    return None


OFFSETS = 4  # pairs at distances 1..OFFSETS along an axis: periodic patterns of period <= OFFSETS fail


def _pairings(n, calls, seed):
    """Disjoint pairs of indices 0..n-1, as (name, a, b) with a, b of shape (calls, pairs): for
    each distance k = 1..OFFSETS (< n), i paired with i + k (i in the even blocks of k), the same
    in every call; then a random perfect matching, a new one in every call, drawn from `seed` (a
    trusted value). Within one call no index is in two pairs of one test."""
    tests = []
    for k in range(1, min(OFFSETS, n - 1) + 1):
        first = np.array([i for i in range(n - k) if (i // k) % 2 == 0])
        name = "next to each other" if k == 1 else f"{k} apart"
        tests.append((name, np.tile(first, (calls, 1)), np.tile(first + k, (calls, 1))))
    rng = np.random.default_rng(seed)
    order = np.stack([rng.permutation(n)[: n // 2 * 2] for _ in range(calls)])
    tests.append(("randomly paired", order[:, 0::2], order[:, 1::2]))
    return tests


@prop("independent_masks")
def independent_masks(ref, got, *, keep, rtol=1e-6, alpha=None, names=None, **_):
    """Several train-mode calls on one input draw independent masks of independent elements.

    Record: {"x": the input (from the reference run: trusted), "outs": the student's outputs of
    R >= 2 calls on that same input, stacked: shape (R, *x.shape)}; axis 0 of x is the batch
    (rows), the other axes the positions of a row. args: keep (probability of keeping an
    element), rtol, alpha (false-failure probability of each test; default dlcourse.stats.ALPHA
    = 1e-8), names (R words for the calls, for the messages).

    Every output must be 0 or x / keep (within rtol); mask = where the output is not 0. Two
    independent Bernoulli(keep) elements agree (both kept or both dropped) with probability
    q = keep² + (1 - keep)², so each of these agreement counts is exactly Binomial(count, q) for
    a correct answer, and each must lie in dlcourse.stats.binomial_interval(count, q, alpha):

    - positions (if a row has two or more elements; a row flattened): positions 1, 2, 3 and 4
      apart, and paired at random (a new matching in every call), every row, every call (up to
      5 tests): one decision per row or per channel, stripes, checkerboards, every-k-th and
      other short periods fail;
    - rows (if x has two or more): the same pairings of the rows, every position, every call
      (up to 5 tests): one mask shared by the batch, rows that repeat or alternate fail;
    - calls: for every pair of calls, the two masks over all elements (R (R - 1) / 2 tests): a
      mask drawn once and reused, a fixed pattern, a generator re-seeded with a constant fail.

    Within one call the pairs of a test are disjoint, and calls are independent, so the
    agreements counted by one test are independent: each test fails a correct answer with
    probability at most alpha, a record with at most (R (R - 1) / 2 + 10) alpha (union bound;
    1.6e-7 for R = 4 at the default alpha). The dropout exercise judges 4 such records (64 tests,
    5.7e-7 exactly) and asserts 2 agreement tests in its visible checks; with its 11 kept-fraction
    checks a correct submission loses points with probability at most 7.0e-7 per grading (the
    authoring guide's table). Not caught: a pseudo-random mask computed from the
    input, a call counter or a generator of its own, and long periods (a period P > 4 is caught
    only through the random pairs, whose excess agreement is about (1 - q) / P).
    """
    from dlcourse.stats import ALPHA, binomial_interval

    x, outs = field(ref, "x"), field(got, "outs")
    if outs.ndim < 1 or outs.shape[1:] != x.shape or outs.shape[0] < 2:
        return f"outputs of shape {outs.shape}, expected two or more calls' outputs of the input's shape {x.shape}"
    calls = outs.shape[0]
    names = list(names) if names and len(names) == calls else [f"call {r + 1}" for r in range(calls)]
    if not np.all(np.isfinite(outs)):
        return "contains NaN or inf"
    masks = []
    for r in range(calls):
        kept, _, neither = _scaled_or_zero(x, outs[r], 1.0 / keep, rtol)
        if neither.any():
            return f"{names[r]}: {int(neither.sum())} of {x.size} outputs are neither 0 nor x / {keep:g}"
        masks.append(kept)
    masks = np.stack(masks).reshape(calls, x.shape[0] if x.ndim else 1, -1)
    q = keep ** 2 + (1 - keep) ** 2
    alpha = ALPHA if alpha is None else float(alpha)

    def judged(agree, kind, what, fix):
        """None, or (how far from q in standard deviations, kind, reason) for a count outside its interval."""
        n, k = agree.size, int(agree.sum())
        lo, hi, _ = binomial_interval(n, q, alpha)
        if lo <= k <= hi:
            return None
        return (abs(k - n * q) / np.sqrt(n * q * (1 - q)), kind,
                f"{what} agree (both kept or both dropped) on {k} of {n} elements ({k / n:.1%}); independent "
                f"draws agree on about {q:.1%} (between {lo} and {hi}): {fix}")

    seed = int.from_bytes(hashlib.sha256(np.ascontiguousarray(x).tobytes()).digest()[:8], "little")
    rows, positions = masks.shape[1], masks.shape[2]
    by_call = np.arange(calls)[:, None]
    failed = []
    if positions >= 2:
        for how, a, b in _pairings(positions, calls, seed + 1):
            agree = masks[by_call, :, a] == masks[by_call, :, b]
            failed.append(judged(agree, "elements of a row", f"elements of a row {how}",
                                 "draw every element's decision independently (no pattern, no decision shared by a row)"))
    if rows >= 2:
        for how, a, b in _pairings(rows, calls, seed):
            agree = masks[by_call, a, :] == masks[by_call, b, :]
            failed.append(judged(agree, "rows", f"rows of a batch {how}",
                                 "draw one decision per element (a mask of x's full shape), not one mask shared by the rows"))
    for r in range(calls):
        for s in range(r + 1, calls):
            failed.append(judged(masks[r] == masks[s], "calls", f"the masks of {names[r]} and {names[s]}",
                                 "draw a new mask on every call (do not keep it, do not re-seed with a constant)"))
    failed = [f for f in failed if f]
    if not failed:
        return None
    # dependence along one axis also spreads the counts along the others: name the most extreme,
    # then which kinds of test fail (a fixed pattern fails all three)
    failed.sort(key=lambda f: -f[0])
    reason = failed[0][2]
    if len(failed) == 1:
        return reason
    kinds = ", ".join(dict.fromkeys(f"between {f[1]}" for f in failed))
    return f"{reason} ({len(failed) - 1} more of these tests fail; dependence found {kinds})"


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
