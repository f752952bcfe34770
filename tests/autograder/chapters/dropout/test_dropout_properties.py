"""The dropout chapter's property checks (autograder/chapters/dropout/checks.py: random masks
judged by their properties) and the judge running them for a dropout notebook."""
import numpy as np
import pytest

from autograder.chapters.dropout.checks import dropout_backward, independent_masks, inverted_dropout
from autograder.judge.cell import judge_cell
from dlcourse.stats import binomial_interval
from dlcourse.grading import encode


def rec(key, value, **extra):
    return {"key": key, "value": encode(value), **extra}


class Ok:
    status, ename, evalue = "ok", None, None


def mask_case(keep=0.3, n=20000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 1.0], n) * rng.uniform(0.5, 2.0, n)
    mask = rng.random(n) < keep
    dout = rng.standard_normal(n)
    return x, mask, dout


@pytest.mark.parametrize("keep", [0.3, 0.8])
def test_inverted_dropout_accepts_correct_masks_of_any_generator(keep):
    x, mask, _ = mask_case(keep)
    assert inverted_dropout({"x": x}, {"out": x * mask / keep}, keep=keep) is None
    assert inverted_dropout({"x": x}, {"out": np.where(mask, x * (1 / keep), 0.0)}, keep=keep) is None
    twice = np.random.default_rng(7).binomial(1, keep, x.size)
    assert inverted_dropout({"x": x}, {"out": x * twice / keep}, keep=keep) is None


@pytest.mark.parametrize("wrong, words", [
    (lambda x, m, k: x * m, "scale them by 1 / keep"),                                   # no scaling
    (lambda x, m, k: x * m * k, "original paper's test-time scaling"),                   # scaled like test time
    (lambda x, m, k: x * (~m) / (1 - k), "probability of keeping"),                      # p read as drop prob
    (lambda x, m, k: x, "neither 0 nor"),                                                 # no dropout at all
    (lambda x, m, k: x * 0, "0 of 20000 elements kept"),
    (lambda x, m, k: (x * m / k)[:-1], "shape"),
    (lambda x, m, k: np.where(m, x / k, np.nan), "NaN"),
])
def test_inverted_dropout_rejects_each_mistake(wrong, words):
    keep = 0.3
    x, mask, _ = mask_case(keep)
    reason = inverted_dropout({"x": x}, {"out": wrong(x, mask, keep)}, keep=keep)
    assert reason and words in reason, reason


def test_inverted_dropout_rejects_a_biased_mask_with_the_right_values():
    keep = 0.3
    x, _, _ = mask_case(keep)
    biased = np.random.default_rng(1).random(x.size) < 0.33  # 10% too many kept, values right
    reason = inverted_dropout({"x": x}, {"out": x * biased / keep}, keep=keep)
    assert reason and "kept" in reason
    fixed = np.arange(x.size) % 10 < 3  # exact fraction, deterministic pattern: values and count right
    assert inverted_dropout({"x": x}, {"out": x * fixed / keep}, keep=keep) is None  # what all_equal/seed tests are for


def test_inverted_dropout_judges_the_trusted_input_not_the_students():
    keep = 0.5
    x, mask, _ = mask_case(keep)
    fake = {"x": np.ones_like(x), "out": mask / keep}  # a record claiming another input
    assert inverted_dropout({"x": x}, fake, keep=keep)


def test_inverted_dropout_false_failures_are_rare():
    """1,000 correct masks: none fails (the bound's false-failure probability is 1e-8)."""
    rng = np.random.default_rng(3)
    keep, n = 0.3, 5000
    x = rng.uniform(0.5, 2.0, n)
    for _ in range(1000):
        assert inverted_dropout({"x": x}, {"out": x * (rng.random(n) < keep) / keep}, keep=keep) is None


def test_dropout_backward_accepts_the_mask_of_the_forward_pass_and_rejects_mistakes():
    keep = 0.3
    x, mask, dout = mask_case(keep, n=1000)
    ref = {"x": x, "dout": dout}
    out = x * mask / keep
    assert dropout_backward(ref, {"out": out, "dx": dout * mask / keep}, keep=keep) is None
    assert dropout_backward(ref, {"out": x * mask, "dx": dout * mask / keep}, keep=keep) is None  # forward's own problem
    assert "dropped" in dropout_backward(ref, {"out": out, "dx": dout / keep}, keep=keep)          # ignores the mask
    assert "divided by the keep" in dropout_backward(ref, {"out": out, "dx": dout * mask}, keep=keep)  # forgets the scale
    assert "differs" in dropout_backward(ref, {"out": out, "dx": dout * mask * keep}, keep=keep)
    other = np.random.default_rng(9).random(x.size) < keep  # a different mask than the forward's
    assert dropout_backward(ref, {"out": out, "dx": dout * other / keep}, keep=keep)
    assert "shape" in dropout_backward(ref, {"out": out, "dx": dout[:-1]}, keep=keep)


def test_judge_runs_the_dropout_checks_on_recorded_raw_outputs():
    keep = 0.8
    x, mask, _ = mask_case(keep, n=4000)
    ref = [rec("drop", {"x": x, "out": x * (np.arange(x.size) % 5 != 0) / keep}, check="inverted_dropout",
               args={"keep": keep})]
    assert judge_cell(ref, [rec("drop", {"x": x, "out": x * mask / keep})], Ok(), assignment="dropout")[0] == "passed"
    status, message, _ = judge_cell(ref, [rec("drop", {"x": x, "out": x * mask})], Ok(), assignment="dropout")
    assert status == "failed" and "inverted dropout" in message



# ---------------------------------------------------------------- independent masks



def independence_case(shape=(40, 50), seed=0):
    rng = np.random.default_rng([seed, 17])
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)


def masks_of(style, x, keep, calls, seed):
    """`calls` correct masks of x's shape, drawn the way a student might (keep- or drop-convention)."""
    import torch
    if style == "numpy rand < keep":
        np.random.seed(seed)
        return [np.random.rand(*x.shape) < keep for _ in range(calls)]
    if style == "numpy binomial":
        np.random.seed(seed)
        return [np.random.binomial(1, keep, size=x.shape).astype(bool) for _ in range(calls)]
    if style == "Generator random >= drop":
        rng = np.random.default_rng(seed)
        return [rng.random(x.shape) >= 1 - keep for _ in range(calls)]
    if style == "fresh default_rng per call":
        return [np.random.default_rng([seed, r]).random(x.shape) < keep for r in range(calls)]
    torch.manual_seed(seed)
    t = torch.as_tensor(x)
    if style == "torch.bernoulli":
        return [torch.bernoulli(torch.full_like(t, keep)).bool().numpy() for _ in range(calls)]
    assert style == "torch rand_like >= p"
    return [(torch.rand_like(t) >= 1 - keep).numpy() for _ in range(calls)]


STYLES = ["numpy rand < keep", "numpy binomial", "Generator random >= drop", "fresh default_rng per call",
          "torch.bernoulli", "torch rand_like >= p"]


def judged_masks(x, masks, keep, scale=None):
    outs = np.stack([x * m / (keep if scale is None else scale) for m in masks])
    return independent_masks({"x": x}, {"outs": outs}, keep=keep)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("shape, keep", [((40, 50), 0.6), ((6, 10, 30), 0.3), ((6, 8, 10, 10), 0.75)])
def test_independent_masks_accepts_correct_masks_of_every_generator_and_convention(style, shape, keep):
    """Each RNG style, 30 seeds each, as the hidden tests call it (4 calls on one input): none fails.
    With alpha = 1e-8 per test and 10 tests a record, a correct record fails with probability <= 1e-7."""
    x = independence_case(shape)
    for seed in range(30):
        assert judged_masks(x, masks_of(style, x, keep, 4, seed), keep) is None, (style, seed)


def test_independent_masks_false_failure_rate_is_as_stated():
    """The stated bound is exact per test: every interval the check uses leaves at most alpha outside,
    so a record's bound is the union, (R (R - 1) / 2 + 10) alpha = 1.6e-7 for R = 4; 2,000 correct
    records all pass, and at a loose alpha = 0.01 per test the failure rate stays below its bound
    and above 0 (the tests are live)."""
    from autograder.chapters.dropout.checks import _pairings
    from dlcourse.stats import ALPHA
    keep, shape, calls = 0.6, (40, 50), 4
    q = keep ** 2 + (1 - keep) ** 2
    rows, positions = shape
    sizes = [a.size * rows for _, a, _ in _pairings(positions, calls, 1)] + \
            [a.size * positions for _, a, _ in _pairings(rows, calls, 1)] + [rows * positions] * 6
    assert len(sizes) == 16 and all(binomial_interval(n, q)[2] <= ALPHA for n in sizes)
    for _, a, b in _pairings(positions, calls, 1) + _pairings(7, calls, 2):
        for c in range(calls):  # disjoint pairs within a call: each index at most once
            assert len(set(a[c]) | set(b[c])) == 2 * a.shape[1] and not set(a[c]) & set(b[c])
    x = independence_case(shape)
    rng = np.random.default_rng(5)
    assert all(judged_masks(x, [rng.random(shape) < keep for _ in range(calls)], keep) is None for _ in range(2000))
    loose = [independent_masks({"x": x}, {"outs": np.stack([x * (rng.random(shape) < keep) / keep
                                                             for _ in range(calls)])}, keep=keep, alpha=0.01)
             for _ in range(600)]
    rate = np.mean([r is not None for r in loose])
    assert 0.0 < rate <= 16 * 0.01


def reused(rng, shape, keep, calls):
    first = rng.random(shape) < keep
    return [first] * calls


def one_mask_for_every_row(rng, shape, keep, calls):
    return [np.broadcast_to(rng.random((1,) + shape[1:]) < keep, shape) for _ in range(calls)]


def one_decision_per_row(rng, shape, keep, calls):
    return [np.broadcast_to((rng.random(shape[0]) < keep).reshape((-1,) + (1,) * (len(shape) - 1)), shape)
            for _ in range(calls)]


def one_decision_per_channel(rng, shape, keep, calls):  # Dropout2d's pattern where element-wise is asked
    return [np.broadcast_to(rng.random(shape[:2] + (1,) * (len(shape) - 2)) < keep, shape) for _ in range(calls)]


def checkerboard(rng, shape, keep, calls):
    idx = np.indices(shape).sum(axis=0)
    return [idx % 2 == 0] * calls


def every_kth(rng, shape, keep, calls):
    i = np.arange(int(np.prod(shape))).reshape(shape)
    return [i % 10 < round(keep * 10)] * calls


def stripes_like_the_attack(rng, shape, keep, calls):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    return [(np.floor((i + 1) * keep) > np.floor(i * keep)).reshape(shape)] * calls


def reseeded_with_a_constant(rng, shape, keep, calls):
    return [np.random.default_rng(0).random(shape) < keep for _ in range(calls)]


def two_masks_alternating_over_rows(rng, shape, keep, calls):
    return [np.resize(rng.random((2,) + shape[1:]) < keep, shape) for _ in range(calls)]


def shifted_each_call(rng, shape, keep, calls):  # a fixed random pattern rolled by one element per call
    base = rng.random(shape) < keep
    return [np.roll(base, r) for r in range(calls)]


def last_call_repeats_the_first(rng, shape, keep, calls):
    masks = [rng.random(shape) < keep for _ in range(calls - 1)]
    return masks + [masks[0]]


@pytest.mark.parametrize("wrong, words", [
    (reused, "masks of call 1 and call 2 agree"),
    (one_mask_for_every_row, "rows of a batch"),
    (one_decision_per_row, "elements of a row"),
    (checkerboard, "agree"),
    (every_kth, "agree"),
    (stripes_like_the_attack, "agree"),
    (reseeded_with_a_constant, "draw a new mask on every call"),
    (two_masks_alternating_over_rows, "rows of a batch"),
    (last_call_repeats_the_first, "masks of call 1 and call 4 agree"),
])
@pytest.mark.parametrize("shape, keep", [((40, 50), 0.6), ((6, 8, 10, 10), 0.25)])
def test_independent_masks_rejects_every_kind_of_dependence(wrong, words, shape, keep):
    x = independence_case(shape)
    for seed in range(5):
        reason = judged_masks(x, wrong(np.random.default_rng(seed), shape, keep, 4), keep)
        assert reason and words in reason, (wrong.__name__, reason)


def test_independent_masks_rejects_one_decision_per_channel():
    shape, keep = (6, 8, 10, 10), 0.75
    x = independence_case(shape)
    for seed in range(5):
        reason = judged_masks(x, one_decision_per_channel(np.random.default_rng(seed), shape, keep, 4), keep)
        assert reason and "elements of a row" in reason, reason


def test_independent_masks_does_not_catch_a_pseudo_random_pattern_rolled_per_call():
    # the limit the docstring and the threat model state: a fixed random-looking mask rolled by one
    # element per call agrees between calls as a random mask's neighbours do, i.e. as independent
    # draws would; every statistic here is that of a correct answer
    x = independence_case((40, 50))
    assert judged_masks(x, shifted_each_call(np.random.default_rng(1), (40, 50), 0.6, 4), 0.6) is None


def test_independent_masks_still_fails_the_earlier_wrong_answers():
    keep = 0.6
    x = independence_case((40, 50))
    masks = masks_of("numpy rand < keep", x, keep, 4, 0)
    assert "neither 0 nor" in judged_masks(x, masks, keep, scale=1.0)                     # no scaling
    assert "neither 0 nor" in judged_masks(x, masks, keep, scale=1 / keep)               # test-time scaling
    assert "neither 0 nor" in independent_masks({"x": x}, {"outs": np.stack([x] * 4)}, keep=keep)  # no dropout
    assert "shape" in independent_masks({"x": x}, {"outs": np.stack([x * m / keep for m in masks])[:, :-1]}, keep=keep)
    assert "two or more" in independent_masks({"x": x}, {"outs": (x * masks[0] / keep)[None]}, keep=keep)
    assert "NaN" in independent_masks({"x": x}, {"outs": np.full((4,) + x.shape, np.nan)}, keep=keep)
    with pytest.raises(TypeError):  # a value the student's code could not turn into numbers: the judge says so
        independent_masks({"x": x}, {"outs": "could not convert"}, keep=keep)


def test_independent_masks_judges_the_trusted_input_and_names_the_calls():
    keep = 0.5
    x = independence_case((40, 50))
    mask = np.random.default_rng(2).random(x.shape) < keep
    # the student's record claims an input of its own: ignored, judged against the reference's x
    fake = {"x": np.ones_like(x), "outs": np.stack([mask / keep] * 3)}
    assert independent_masks({"x": x}, fake, keep=keep)
    names = ["call 1", "call 2", "a second module"]
    outs = np.stack([x * (np.random.default_rng(r).random(x.shape) < keep) / keep for r in (3, 4)] + [x * mask / keep])
    outs[2] = outs[0]
    reason = independent_masks({"x": x}, {"outs": outs}, keep=keep, names=names)
    assert "call 1 and a second module" in reason


def test_judge_runs_independent_masks_and_gives_the_hint():
    keep = 0.6
    x = independence_case((40, 50))
    masks = masks_of("Generator random >= drop", x, keep, 3, 1)
    ref = [rec("drop/independence", {"x": x, "outs": np.stack([x * m / keep for m in masks])}, check="independent_masks",
               args={"keep": keep}, hint="draw a new mask on every call")]
    good = masks_of("torch.bernoulli", x, keep, 3, 2)
    assert judge_cell(ref, [rec("drop/independence", {"x": x, "outs": np.stack([x * m / keep for m in good])})],
                      Ok(), assignment="dropout")[0] == "passed"
    status, message, _ = judge_cell(ref, [rec("drop/independence", {"x": x, "outs": np.stack([x * good[0] / keep] * 3)})],
                                    Ok(), assignment="dropout")
    assert status == "failed" and "call 1 and call 2" in message and "Hint: draw a new mask" in message
