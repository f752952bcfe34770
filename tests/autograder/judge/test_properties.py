"""Property checks (autograder/judge/properties.py) and the judge's use of them: each check accepts
correct outputs and rejects each kind of wrong one; malformed student values fail cleanly."""
from pathlib import Path

import numpy as np
import pytest

from autograder.judge.cell import judge_cell
from autograder.judge.properties import PROPERTIES, exact, thresholds
from dlcourse.grading import encode


def rec(key, value, **extra):
    return {"key": key, "value": encode(value), **extra}


def test_exact_accepts_equal_and_rejects_off_by_one_or_shape():
    ref = {"params": np.array(272474.0), "strides": np.array([1, 2, 2])}
    assert exact(ref, {"params": np.array(272474.0), "strides": np.array([1.0, 2.0, 2.0])}) is None
    assert "differ" in exact(ref, {"params": np.array(272474.0), "strides": np.array([1, 1, 2])})
    assert "params" in exact(ref, {"params": np.array(272475.0), "strides": np.array([1, 2, 2])})
    assert "shape" in exact(ref, {"params": np.array(272474.0), "strides": np.array([1, 2])})


def test_thresholds_gives_the_best_level_reached():
    levels = [[0.7, 1.0], [0.6, 0.5], [0.5, 0.25]]
    assert thresholds(None, np.array(0.71), levels=levels, name="accuracy") is None
    assert thresholds(None, np.array(0.65), levels=levels)[0] == 0.5
    assert thresholds(None, np.array(0.55), levels=levels)[0] == 0.25
    assert thresholds(None, np.array(0.1), levels=levels)[0] == 0.0
    assert "finite" in thresholds(None, np.array(np.nan), levels=levels)
    assert "one finite number" in thresholds(None, np.zeros(3), levels=levels)


def test_registry_names_every_check_once():
    assert {"exact", "thresholds", "inverted_dropout", "dropout_backward", "all_equal", "independent_masks"} <= set(PROPERTIES)


class Ok:
    status, ename, evalue = "ok", None, None


def test_judge_uses_the_reference_checks_and_args_never_the_students():
    ref = [rec("acc", 0.9, check="thresholds", args={"levels": [[0.7, 1.0], [0.5, 0.5]]})]
    # the student's record claims another check and generous args: ignored
    mine = [rec("acc", 0.6, check="exact", args={"levels": [[0.0, 1.0]]})]
    status, message, fraction = judge_cell(ref, mine, Ok())
    assert (status, fraction) == ("partial", 0.5) and "0.6" in message
    status, _, fraction = judge_cell(ref, [rec("acc", 0.75)], Ok())
    assert (status, fraction) == ("passed", 1.0)
    status, _, fraction = judge_cell(ref, [rec("acc", 0.2)], Ok())
    assert (status, fraction) == ("failed", 0.0)


def test_judge_turns_malformed_student_values_into_a_failure():
    ref = [rec("n", {"params": 10.0}, check="exact")]
    for bad in ({"other": 1.0}, 3.0, {"params": [1.0, 2.0]}):
        status, message, fraction = judge_cell(ref, [rec("n", bad)], Ok())
        assert status == "failed" and fraction == 0 and message
    status, message, _ = judge_cell(ref, [{"key": "n", "value": {"error": "not numeric (str)"}}], Ok())
    assert status == "failed" and "not numeric" in message


def test_judge_names_an_unknown_check():
    status, message, _ = judge_cell([rec("x", 1.0, check="no-such-check")], [rec("x", 1.0)], Ok())
    assert status == "failed" and "unknown check" in message


def test_equality_records_still_compare_with_tolerances():
    ref = [rec("w", np.array([1.0, 2.0]), rtol=1e-6)]
    assert judge_cell(ref, [rec("w", np.array([1.0, 2.0 + 1e-9]))], Ok())[0] == "passed"
    status, message, _ = judge_cell(ref, [rec("w", np.array([1.0, 2.1]))], Ok())
    assert status == "failed" and "relative error" in message


def test_torch_tensors_are_recorded_as_their_values():
    torch = pytest.importorskip("torch")
    t = torch.arange(6, dtype=torch.float32, requires_grad=True).reshape(2, 3) * 2
    value = encode(t)
    assert value["shape"] == [2, 3]
    from autograder.judge.cell import decode
    np.testing.assert_array_equal(decode(value), np.arange(6).reshape(2, 3) * 2.0)


def _augment(images, rng, pad=4, flip=lambda im: im[:, ::-1], offsets=None, p=0.5):
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.empty_like(images)
    for i in range(len(images)):
        dy, dx = offsets(rng) if offsets else rng.integers(0, 2 * pad + 1, 2)
        crop = padded[i, dy:dy + 32, dx:dx + 32]
        out[i] = flip(crop) if rng.random() < p else crop
    return out


def test_crop_and_flip_accepts_random_crops_and_rejects_each_mistake():
    from autograder.judge.properties import crop_and_flip
    rng = np.random.default_rng(0)
    images = rng.integers(1, 256, size=(400, 32, 32, 3), dtype=np.uint8)
    ref = {"inputs": images.astype(np.float64), "outputs": images.astype(np.float64)}
    ok = _augment(images, np.random.default_rng(1))
    assert crop_and_flip(ref, {"inputs": ref["inputs"], "outputs": ok.astype(float)}, pad=4) is None
    cases = {
        "are no 32x32 crop": _augment(images, np.random.default_rng(1), flip=lambda im: im[::-1]),  # vertical flip
        "never take": _augment(images, np.random.default_rng(1), offsets=lambda r: r.integers(0, 8, 2)),  # 0..7 only
        "flipped": _augment(images, np.random.default_rng(1), p=0.0),  # never flipped
        "shape": images[:10],
    }
    # crop 32x32 out of the unpadded image (always the whole image: offset (4, 4) of the padded one), flip half
    cases["never take "] = _augment(images, np.random.default_rng(1), pad=0)
    for words, out in cases.items():
        reason = crop_and_flip(ref, {"outputs": out.astype(float)}, pad=4)
        assert reason and words.strip() in reason, (words, reason)


def test_normal_sample_accepts_kaiming_normal_and_rejects_fan_out_uniform_and_plain_tensors():
    from autograder.judge.properties import normal_sample
    rng = np.random.default_rng(0)
    shape, std = (2000, 40), np.sqrt(2 / 2000)
    ref = {"w": np.zeros(shape), "requires_grad": np.array(1.0), "leaf": np.array(1.0)}

    def sample(w, grad=1.0, leaf=1.0):
        return {"w": w, "requires_grad": np.array(grad), "leaf": np.array(leaf)}
    assert normal_sample(ref, sample(rng.standard_normal(shape) * std), std=std) is None
    assert "standard deviation" in normal_sample(ref, sample(rng.standard_normal(shape) * np.sqrt(2 / 40)), std=std)
    assert "kurtosis" in normal_sample(ref, sample(rng.uniform(-1, 1, shape) * std * np.sqrt(3)), std=std)
    assert "requires_grad" in normal_sample(ref, sample(rng.standard_normal(shape) * std, grad=0.0), std=std)
    assert "requires_grad" in normal_sample(ref, sample(rng.standard_normal(shape) * std, leaf=0.0), std=std)
    assert "shape" in normal_sample(ref, sample(rng.standard_normal((40, 2000)) * std), std=std)
    assert "mean" in normal_sample(ref, sample(rng.standard_normal(shape) * std + std / 10), std=std)


def _heldout():
    from autograder.judge.handin import heldout
    return heldout("cifar10-heldout.npz")[1]


LEVELS = [[0.7, 1.0], [0.6, 0.75], [0.5, 0.5], [0.4, 0.25]]


def test_heldout_accuracy_awards_the_level_the_predictions_reach():
    from autograder.judge.properties import heldout_accuracy
    labels = _heldout()
    ref = {"labels": labels.astype(np.float64)}  # built by the grader (autograder/judge/handin.py)
    args = {"levels": LEVELS, "count": len(labels)}

    def predictions(accuracy):
        p = labels.copy()
        wrong = int(round((1 - accuracy) * len(p)))
        p[:wrong] = (p[:wrong] + 1) % 10
        return {"digest": np.zeros(32), "predictions": p.astype(np.float64)}
    assert heldout_accuracy(ref, predictions(0.72), **args) is None
    assert heldout_accuracy(ref, predictions(0.65), **args)[0] == 0.75
    assert heldout_accuracy(ref, predictions(0.45), **args)[0] == 0.25
    assert heldout_accuracy(ref, predictions(0.10), **args)[0] == 0.0
    short = {"predictions": labels[:10].astype(np.float64)}
    assert "expected one per held-out image" in heldout_accuracy(ref, short, **args)
    assert "larger than the limit" in heldout_accuracy(ref, {"problem": np.array([2.0])}, **args)
    assert "no challenge_model.pt" in heldout_accuracy(ref, {"problem": np.array([1.0])}, **args)
    with pytest.raises(KeyError):
        heldout_accuracy({"predictions": labels}, predictions(0.72), **args)  # labels only from the grader


def test_no_kernel_gets_the_heldout_images_or_labels():
    """The held-out set (real CIFAR-10 test images the vendored slice does not hold) lives only in
    autograder/data: nothing of it ships in the course library that every kernel gets."""
    import dlcourse
    from autograder.judge.handin import heldout
    from dlcourse.data import SLICE_PATH
    images, labels = heldout("cifar10-heldout.npz")
    assert images.shape == (len(labels), 32, 32, 3) and images.dtype == np.uint8 and len(labels) >= 500
    with np.load(SLICE_PATH) as f:
        seen = {x.tobytes() for x in f["test_images"]} | {x.tobytes() for x in f["train_images"]}
    assert not any(x.tobytes() in seen for x in images)
    shipped = Path(dlcourse.__file__).parent
    assert not [p for p in shipped.rglob("*") if "heldout" in p.name]
    for path in shipped.rglob("*.npz"):
        with np.load(path) as f:
            for key in f.files:
                if f[key].ndim == 4:
                    assert not ({x.tobytes() for x in f[key]} & {x.tobytes() for x in images}), path
    with pytest.raises(ValueError, match="file name"):
        heldout("../../etc/passwd")


def test_views_are_new_images_drawn_from_the_seed():
    """Each view is its image shifted, maybe flipped and jittered: never the image itself, the
    same for the same seed, different for another; shifts and flips spread over their range."""
    from autograder.judge import handin
    images, _ = handin.heldout("cifar10-heldout.npz")
    a, b, c = handin.views(images, 11), handin.views(images, 11), handin.views(images, 12)
    assert a.shape == images.shape and a.dtype == np.uint8
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    originals = {x.tobytes() for x in images} | {x[:, ::-1].tobytes() for x in images}
    assert not any(v.tobytes() in originals for v in a)
    same = [float(np.mean(v == x)) for v, x in zip(a, images)]
    assert np.mean(same) < 0.1 and max(same) < 0.9  # about 2 % of pixels keep their value
    flipped = [np.abs(v.astype(int) - x[:, ::-1].astype(int)).mean() < np.abs(v.astype(int) - x.astype(int)).mean()
               for v, x in zip(a, images)]
    assert 0.35 < np.mean(flipped) < 0.65


# ---------------------------------------------------------------- random masks (dropout)

from math import comb  # noqa: E402

from autograder.judge.properties import all_equal, dropout_backward, inverted_dropout  # noqa: E402
from dlcourse.stats import binomial_interval  # noqa: E402


def test_binomial_interval_matches_exact_sums_and_stays_below_alpha():
    n, p, alpha = 200, 0.3, 1e-6
    lo, hi, outside = binomial_interval(n, p, alpha)
    pmf = [comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    assert outside == pytest.approx(sum(pmf[:lo]) + sum(pmf[hi + 1:]), rel=1e-9)
    assert sum(pmf[:lo]) <= alpha / 2 < sum(pmf[:lo + 1])        # the tightest lower bound
    assert sum(pmf[hi + 1:]) <= alpha / 2 < sum(pmf[hi:])       # the tightest upper bound
    lo, hi, outside = binomial_interval(20000, 0.8)
    assert outside < 1e-8 and lo < 16000 < hi and hi - lo < 1000


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


def test_all_equal_wants_identical_arrays():
    a = np.arange(6.0)
    assert all_equal(None, {"first": a, "second": a.copy()}, keys=["first", "second"]) is None
    assert "differ" in all_equal(None, {"first": a, "second": a[::-1]}, keys=["first", "second"], what="the masks")
    assert "shape" in all_equal(None, {"first": a, "second": a[:3]}, keys=["first", "second"])
    with pytest.raises(KeyError):
        all_equal(None, {"first": a}, keys=["first", "second"])


def test_judge_runs_the_dropout_checks_on_recorded_raw_outputs():
    keep = 0.8
    x, mask, _ = mask_case(keep, n=4000)
    ref = [rec("drop", {"x": x, "out": x * (np.arange(x.size) % 5 != 0) / keep}, check="inverted_dropout",
               args={"keep": keep})]
    assert judge_cell(ref, [rec("drop", {"x": x, "out": x * mask / keep})], Ok())[0] == "passed"
    status, message, _ = judge_cell(ref, [rec("drop", {"x": x, "out": x * mask})], Ok())
    assert status == "failed" and "inverted dropout" in message


def test_a_handin_judge_of_unknown_kind_is_a_clear_grading_error():
    from autograder.judge import handin
    from autograder.config import Config
    from autograder.errors import GradingError
    spec = {"name": "m.pt", "test": "t", "judge": {"kind": "regressor", "data": "cifar10-heldout.npz"}}
    with pytest.raises(GradingError, match='kind "classifier".*builder, before, key, levels'):
        handin.judge(spec, None, {}, seed=1, cfg=Config(), sandbox_mode="none", timeout=1)


# ---------------------------------------------------------------- independent masks (dropout)

from autograder.judge.properties import independent_masks  # noqa: E402


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
    from autograder.judge.properties import _pairings
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
                      Ok())[0] == "passed"
    status, message, _ = judge_cell(ref, [rec("drop/independence", {"x": x, "outs": np.stack([x * good[0] / keep] * 3)})],
                                    Ok())
    assert status == "failed" and "call 1 and call 2" in message and "Hint: draw a new mask" in message
