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


class _Block(__import__("torch").nn.Module):
    """A residual block whose option-A shortcut places its zero channels `before` the input's."""

    def __init__(self, cin, cout, stride, before=None, own=False, momentum=0.1):
        import torch.nn.functional as F
        from torch import nn

        from dlcourse.resnet import OptionAShortcut
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, momentum=momentum)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, momentum=momentum)
        self.extra, self.stride, self.own, self.before = cout - cin, stride, own, before
        self.shortcut = OptionAShortcut(cin, cout, stride, zeros_before=before)
        self.F = F

    def forward(self, x):
        F = self.F
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.own:  # the student's own shortcut: the TUM sheet's, zeros appended after the input's channels
            skip = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, 0, self.extra))
        else:
            skip = self.shortcut(x)
        return F.relu(out + skip)


def _decoded(value):
    from autograder.judge.cell import decode
    from dlcourse.grading import encode
    return decode(encode(value))


def _block_record(block, x):
    import torch

    from autograder.chapters.resnet.probes import by_placement, canonical_weights
    canonical_weights(block, 3)

    def run():
        with torch.no_grad():
            return {"eval": block.eval()(x), "train": block.train()(x), "after": block.eval()(x)}
    return _decoded(by_placement(block, run))


def test_any_placement_accepts_every_placement_of_the_zero_channels_and_rejects_a_wrong_block():
    import torch

    from autograder.chapters.resnet.checks import any_placement
    x = torch.randn(3, 8, 6, 6)
    ref = _block_record(_Block(8, 16, 2), x)
    assert len(ref["placements"]) == 9  # 0..8 zero channels before the input's
    for student in (_Block(8, 16, 2, before=0), _Block(8, 16, 2, before=8), _Block(8, 16, 2, before=3),
                    _Block(8, 16, 2, own=True), _Block(8, 16, 2)):
        assert any_placement(ref, _block_record(student, x)) is None
    wrong = _block_record(_Block(8, 16, 2, momentum=0.5), x)  # right outputs, wrong running statistics
    assert any_placement({"eval": ref["eval"], "train": ref["train"], "placements": {
        k: {"eval": v["eval"], "train": v["train"]} for k, v in ref["placements"].items()}}, wrong) is None
    reason = any_placement({"after": ref["after"], "placements": {k: {"after": v["after"]} for k, v in ref["placements"].items()}},
                           wrong)
    assert "relative error" in reason and "9 placements" in reason
    # without the placements (the old record) a block with its zeros after the input's fails
    assert any_placement({k: v for k, v in ref.items() if k != "placements"}, _block_record(_Block(8, 16, 2, own=True), x))


def test_by_placement_restores_the_model_state():
    import torch

    from autograder.chapters.resnet.probes import by_placement
    block = _Block(8, 16, 2)
    before = {k: v.clone() for k, v in block.state_dict().items()}
    result = by_placement(block, lambda: {"mean": block.train()(torch.randn(2, 8, 4, 4)).mean()})
    assert len(result["placements"]) == 9 and block.shortcut.zeros_before is None
    after = block.state_dict()
    assert not torch.equal(after["bn1.running_mean"], before["bn1.running_mean"])  # the model's own run updated it once
    assert int(after["bn1.num_batches_tracked"]) == 1
