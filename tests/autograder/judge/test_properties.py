"""The generic property checks (autograder/judge/properties.py) and the judge's use of them: each
check accepts correct outputs and rejects each kind of wrong one; malformed student values fail
cleanly. A chapter's own checks are tested in tests/autograder/chapters/<chapter>/."""
from pathlib import Path

import numpy as np
import pytest

from autograder.judge.cell import judge_cell
from autograder.judge.properties import all_equal, exact, thresholds
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
    from autograder.judge import chapter
    assert {"exact", "thresholds", "inverted_dropout", "dropout_backward", "all_equal", "independent_masks"} <= set(chapter.checks("dropout"))


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


def test_all_equal_wants_identical_arrays():
    a = np.arange(6.0)
    assert all_equal(None, {"first": a, "second": a.copy()}, keys=["first", "second"]) is None
    assert "differ" in all_equal(None, {"first": a, "second": a[::-1]}, keys=["first", "second"], what="the masks")
    assert "shape" in all_equal(None, {"first": a, "second": a[:3]}, keys=["first", "second"])
    with pytest.raises(KeyError):
        all_equal(None, {"first": a}, keys=["first", "second"])


def test_a_handin_judge_of_unknown_kind_is_a_clear_grading_error():
    from autograder.judge import handin
    from autograder.config import Config
    from autograder.errors import GradingError
    spec = {"name": "m.pt", "test": "t", "judge": {"kind": "regressor", "data": "cifar10-heldout.npz"}}
    with pytest.raises(GradingError, match='kind "classifier".*builder, before, key, levels'):
        handin.judge(spec, None, {}, seed=1, cfg=Config(), sandbox_mode="none", timeout=1)


def test_keeps_type_accepts_the_inputs_dtype_and_device_and_names_a_change():
    torch = pytest.importorskip("torch")
    from autograder.judge.cell import decode
    from autograder.judge.properties import keeps_type
    from dlcourse.grading import tensor_type

    def typed(x, out):
        return decode(encode({"input": tensor_type(x), "output": tensor_type(out)}))

    x = torch.ones(3, dtype=torch.float32)
    ref = typed(x, x * 2)
    assert keeps_type(ref, typed(x, x * 2)) is None
    reason = keeps_type(ref, typed(x, x.double()), what="the training-mode output")
    assert reason.startswith("the training-mode output is float64 for a float32 input: keep the input's dtype")
    assert "float32 input" in keeps_type(ref, typed(x, x.numpy().astype("float16")))
    assert "no tensor" in keeps_type(ref, typed(x, [1.0, 2.0]))
    assert tensor_type(torch.ones(1, dtype=torch.bfloat16)) == {"dtype": 1, "device": 0}
    fake_gpu = {"input": {"dtype": 2, "device": 0}, "output": {"dtype": 2, "device": 1}}
    assert "is on cuda:0 for a cpu input" in keeps_type(decode(encode(fake_gpu)) | {"input": ref["input"]},
                                                        decode(encode(fake_gpu)))
