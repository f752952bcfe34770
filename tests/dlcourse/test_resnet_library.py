"""The ResNet chapter's given code: option-A shortcut, batched augmentation, checkpoints and the
full-mode loop, the visible tests' instruments (dlcourse/resnet_checks.py; the hidden tests' probes:
tests/autograder/chapters/resnet/; the book's study nets: tests/book/test_resnet.py)."""
import pickle

import numpy as np
import pytest
import torch
from torch import nn

from autograder.chapters.resnet.checks import crop_and_flip
from dlcourse.resnet_checks import CountingOptimizer, ScriptedModel, count_parameters, index_batches, write_cifar_batch
from dlcourse.resnet import OptionAShortcut, TensorBatches, load_checkpoint, paper_recipe, save_checkpoint, train
from dlcourse.runtime import device
from study import StudyNet  # the book's study net (book/resnet/study.py) as a model to train

def test_option_a_subsamples_and_zero_pads_without_parameters():
    sc = OptionAShortcut(4, 8, 2)
    x = torch.randn(2, 4, 6, 6)
    y = sc(x)
    assert y.shape == (2, 8, 3, 3) and count_parameters(sc) == 0
    assert torch.equal(y[:, 2:6], x[:, :, ::2, ::2])
    assert y[:, :2].abs().sum() == 0 and y[:, 6:].abs().sum() == 0
    assert torch.equal(OptionAShortcut(5, 5, 1)(x[:, :1].repeat(1, 5, 1, 1)), x[:, :1].repeat(1, 5, 1, 1))
    with pytest.raises(ValueError, match="only adds channels"):
        OptionAShortcut(8, 4)


def test_tensor_batches_augment_is_pad4_crop_and_flip():
    rng = np.random.default_rng(0)
    images = rng.integers(1, 256, size=(300, 32, 32, 3), dtype=np.uint8)
    tb = TensorBatches(images, np.zeros(300), batch_size=300, train=True, device="cpu", seed=1)
    out = tb.augment(tb.x).permute(0, 2, 3, 1).numpy()
    assert crop_and_flip({"inputs": images.astype(float)}, {"outputs": out.astype(float)}, pad=4) is None
    x, y = next(iter(TensorBatches(images, np.arange(300) % 10, batch_size=128, device="cpu")))
    assert x.shape == (128, 3, 32, 32) and x.dtype == torch.float32 and y.dtype == torch.int64
    assert len(TensorBatches(images, np.zeros(300), batch_size=128, device="cpu")) == 3
    with pytest.raises(ValueError, match="uint8"):
        TensorBatches(images.astype(np.float32), np.zeros(300))


def test_checkpoint_resume_continues_exactly(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(64, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, 64)

    def setup():
        torch.manual_seed(0)
        model = StudyNet(1, width=4)
        opt, sched = paper_recipe(model, epochs=4, milestones=(2,))
        batches = TensorBatches(images, labels, 32, train=True, device="cpu", seed=3)
        return model, opt, sched, batches, TensorBatches(images, labels, 64, device="cpu")

    model, opt, sched, tr, te = setup()
    straight = train(model, tr, te, opt, sched, 4, log=lambda m: None)
    model2, opt2, sched2, tr2, te2 = setup()
    ckpt = tmp_path / "run.pt"
    train(model2, tr2, te2, opt2, sched2, 2, checkpoint=ckpt, log=lambda m: None)
    model3, opt3, sched3, _, _ = setup()
    tr3 = TensorBatches(images, labels, 32, train=True, device="cpu", seed=99)  # a fresh session: other seed
    resumed = train(model3, tr3, te2, opt3, sched3, 4, checkpoint=ckpt, log=lambda m: None)  # data state restored
    assert resumed["train_loss"] == pytest.approx(straight["train_loss"], rel=1e-4)
    for a, b in zip(model.state_dict().values(), model3.state_dict().values()):
        assert torch.allclose(a.float(), b.float(), atol=1e-5)
    epoch, history = load_checkpoint(ckpt, model3)
    assert epoch == 4 and len(history["val_acc"]) == 4
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_checkpoint(tmp_path / "missing.pt", model3)


def test_save_checkpoint_keeps_scheduler_and_optimizer(tmp_path):
    model = nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, 1, 0.5)
    model(torch.ones(1, 2)).sum().backward()
    opt.step(); sched.step()
    save_checkpoint(tmp_path / "a" / "c.pt", model, opt, sched, 1, {"x": [1]})
    model2 = nn.Linear(2, 2)
    opt2 = torch.optim.SGD(model2.parameters(), lr=0.1, momentum=0.9)
    sched2 = torch.optim.lr_scheduler.StepLR(opt2, 1, 0.5)
    assert load_checkpoint(tmp_path / "a" / "c.pt", model2, opt2, sched2) == (1, {"x": [1]})
    assert opt2.param_groups[0]["lr"] == 0.05 and opt2.state_dict()["state"]
    assert torch.equal(model2.weight, model.weight)


def test_device_is_a_torch_device():
    assert device().type in ("cuda", "mps", "cpu")


def test_write_cifar_batch_is_the_official_format(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(3, 32, 32, 3), dtype=np.uint8)
    write_cifar_batch(tmp_path / "b", images, [4, 5, 6])
    with open(tmp_path / "b", "rb") as f:
        raw = pickle.load(f, encoding="bytes")
    assert sorted(raw) == [b"batch_label", b"data", b"filenames", b"labels"]
    assert raw[b"data"].dtype == np.uint8 and raw[b"data"].shape == (3, 3072) and raw[b"labels"] == [4, 5, 6]
    assert np.array_equal(raw[b"data"][1, :1024].reshape(32, 32), images[1, :, :, 0])  # red plane first
    with open(tmp_path / "b", "rb") as f:
        assert "data" in pickle.load(f, encoding="latin1")


def test_scripted_model_follows_its_script_and_counting_optimizer_steps_in_place():
    model = ScriptedModel([0.25, 0.5], n=8)
    ref = model.state_dict()["step"]
    opt = CountingOptimizer(model.parameters())
    accs = []
    for _ in range(2):
        opt.step()
        with torch.no_grad():
            x, y = next(iter(index_batches(8, 8)))
            accs.append((model(x).argmax(1) == y).float().mean().item())
    assert accs == [0.25, 0.5] and ref.item() == 2.0  # the stale reference saw the in-place steps


class _Payload:
    """Unpickling this runs `touch marker`: a planted checkpoint."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return os.system, (f"touch {self.marker}",)


def test_checkpoints_are_private_and_never_run_code(tmp_path, monkeypatch):
    import os
    import pickle
    import stat
    from dlcourse.resnet import checkpoint_dir
    monkeypatch.setenv("DLCOURSE_CHECKPOINTS", str(tmp_path / "ck"))
    folder = checkpoint_dir()
    assert folder == tmp_path / "ck" and stat.S_IMODE(folder.stat().st_mode) == 0o700
    model = nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    save_checkpoint(folder / "run.pt", model, opt, None, 1, {"x": [1.0]})
    assert stat.S_IMODE((folder / "run.pt").stat().st_mode) == 0o600
    assert load_checkpoint(folder / "run.pt", model, opt) == (1, {"x": [1.0]})
    # a file that would run code when unpickled: refused, nothing runs
    marker = tmp_path / "PAYLOAD-RAN"
    torch.save({"model": _Payload(str(marker))}, folder / "planted.pt")
    with pytest.raises(pickle.UnpicklingError):
        load_checkpoint(folder / "planted.pt", model)
    assert not marker.exists()
    # writable by others, in a shared folder, or through a link: refused before it is read
    (folder / "run.pt").chmod(0o666)
    with pytest.raises(PermissionError, match="not private"):
        load_checkpoint(folder / "run.pt", model)
    (folder / "run.pt").chmod(0o600)
    (folder / "link.pt").symlink_to(folder / "run.pt")
    with pytest.raises(PermissionError, match="symbolic link"):
        load_checkpoint(folder / "link.pt", model)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o1777)
    with pytest.raises(PermissionError, match="not private"):
        save_checkpoint(shared / "run.pt", model, opt, None, 1, {})
    if os.geteuid() == 0:  # a file another user planted in a folder of ours
        os.chown(folder / "run.pt", 65534, 65534)
        with pytest.raises(PermissionError, match="owner uid 65534"):
            load_checkpoint(folder / "run.pt", model)


def test_the_default_checkpoint_folder_is_in_the_users_cache(tmp_path, monkeypatch):
    from dlcourse.resnet import checkpoint_dir
    monkeypatch.delenv("DLCOURSE_CHECKPOINTS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert checkpoint_dir() == tmp_path / "cache" / "dlcourse" / "checkpoints"
