"""Property checks of the dropout chapter (random masks), run by the judge outside the kernel
(contract: autograder/judge/properties.py; found by name through autograder/chapters/__init__.py)."""
import hashlib

import numpy as np

from autograder.judge.properties import field, registry

PROPERTIES = {}
prop = registry(PROPERTIES)


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
