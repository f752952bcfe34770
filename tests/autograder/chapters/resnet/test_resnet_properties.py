"""The ResNet chapter's property checks (autograder/chapters/resnet/checks.py)."""
import numpy as np


def _augment(images, rng, pad=4, flip=lambda im: im[:, ::-1], offsets=None, p=0.5):
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.empty_like(images)
    for i in range(len(images)):
        dy, dx = offsets(rng) if offsets else rng.integers(0, 2 * pad + 1, 2)
        crop = padded[i, dy:dy + 32, dx:dx + 32]
        out[i] = flip(crop) if rng.random() < p else crop
    return out


def test_crop_and_flip_accepts_random_crops_and_rejects_each_mistake():
    from autograder.chapters.resnet.checks import crop_and_flip
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
