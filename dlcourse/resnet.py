"""Given code of the ResNet exercise: the option-A shortcut, a GPU-friendly CIFAR data path,
checkpoints, and the full-mode training loop (progress, time per epoch, ETA, a checkpoint every
epoch, mixed precision on CUDA, ``channels_last``).

Contract of this module: images are uint8 arrays of shape (N, 32, 32, 3) (as CIFAR-10 ships
them) until :class:`TensorBatches` moves them, once, to the training device; from there every
batch is a float tensor of shape (B, 3, 32, 32), normalized with the CIFAR-10 channel means and
standard deviations, augmented *as a batch* on that device (pad 4, random 32x32 crop,
horizontal flip with probability 0.5), never image by image in Python.

Nothing here is an exercise answer: the network, the epoch loop with early stopping and the
numpy augmentation are written by the student (solutions/resnet/).
"""
import os
import stat
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .runtime import cap_epochs, device as default_device

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)


class OptionAShortcut(nn.Module):
    """He et al.'s option-A shortcut: subsample by `stride`, then zero-pad the new channels.

    No parameters. Input (N, in_channels, H, W) -> output (N, out_channels, ceil(H/stride),
    ceil(W/stride)); the extra out_channels - in_channels channels are zeros, split evenly
    before and after the input's channels. With stride 1 and equal channels it is the identity.
    The paper leaves open where the zeros go: `zeros_before` (an attribute, also settable after
    construction) puts that many before the input's channels and the rest after (None: the even
    split; 0: all after; out_channels - in_channels: all before). Every placement trains alike.
    """

    def __init__(self, in_channels, out_channels, stride=1, zeros_before=None):
        super().__init__()
        if out_channels < in_channels:
            raise ValueError(f"option A only adds channels: {in_channels} -> {out_channels}")
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self.zeros_before = zeros_before

    def forward(self, x):
        if self.stride != 1:
            x = x[:, :, ::self.stride, ::self.stride]
        extra = self.out_channels - self.in_channels
        if extra:
            before = extra // 2 if self.zeros_before is None else min(max(int(self.zeros_before), 0), extra)
            x = F.pad(x, (0, 0, 0, 0, before, extra - before))
        return x

    def extra_repr(self):
        return f"{self.in_channels}, {self.out_channels}, stride={self.stride}"


def count_parameters(model):
    """Number of trainable scalars of a torch module."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


class TensorBatches:
    """Minibatches of a whole image set kept on the training device, augmented as a batch.

    Inputs:
    - images: uint8 array (N, 32, 32, 3); labels: integer array (N,).
    - batch_size: images per batch (the last batch may be smaller).
    - train: shuffle every epoch and augment (pad 4, random crop, horizontal flip).
    - device: where the tensors live (default: dlcourse.runtime.device()).
    - seed: seed of the shuffling/augmentation generator (on the CPU, so runs repeat anywhere).
    - channels_last: hand out batches in torch.channels_last memory format (faster convs on GPUs).

    Iterating gives (x, y): x float32 (B, 3, 32, 32) normalized, y int64 (B,).
    """

    def __init__(self, images, labels, batch_size=128, train=False, device=None, seed=0, channels_last=False):
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[1:] != (32, 32, 3) or images.dtype != np.uint8:
            raise ValueError(f"images: expected uint8 (N, 32, 32, 3), got {images.dtype} {images.shape}")
        if len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.device = torch.device(device) if device is not None else default_device()
        self.x = torch.from_numpy(images).to(self.device).permute(0, 3, 1, 2).contiguous()
        self.y = torch.as_tensor(np.asarray(labels), dtype=torch.int64, device=self.device)
        self.batch_size, self.train, self.channels_last = batch_size, train, channels_last
        self.generator = torch.Generator().manual_seed(seed)
        self.mean = torch.tensor(CIFAR_MEAN, device=self.device).view(1, 3, 1, 1) * 255
        self.std = torch.tensor(CIFAR_STD, device=self.device).view(1, 3, 1, 1) * 255
        self.dataset = self.y  # len(loader.dataset) is the number of examples, as for a DataLoader

    def __len__(self):
        return (len(self.y) + self.batch_size - 1) // self.batch_size

    def augment(self, x):
        """Pad 4 with zeros, crop a random 32x32 window per image, flip half of them: on x's device."""
        n = x.shape[0]
        padded = F.pad(x, (4, 4, 4, 4))
        dy = torch.randint(0, 9, (n,), generator=self.generator).to(x.device)
        dx = torch.randint(0, 9, (n,), generator=self.generator).to(x.device)
        flip = (torch.rand(n, generator=self.generator) < 0.5).to(x.device)
        ar = torch.arange(32, device=x.device)
        rows = (dy[:, None] + ar)[:, None, :, None].expand(n, 3, 32, 40)
        cols = (dx[:, None] + torch.where(flip[:, None], 31 - ar, ar))[:, None, None, :].expand(n, 3, 32, 32)
        return padded.gather(2, rows).gather(3, cols)

    def __iter__(self):
        n = len(self.y)
        order = torch.randperm(n, generator=self.generator).to(self.device) if self.train else None
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size] if order is not None else slice(start, start + self.batch_size)
            x = self.x[idx]
            if self.train:
                x = self.augment(x)
            x = (x.float() - self.mean) / self.std
            if self.channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            yield x, self.y[idx]


CHECKPOINT_ENV = "DLCOURSE_CHECKPOINTS"


def checkpoint_dir():
    """This user's private checkpoint folder, created 0700: $DLCOURSE_CHECKPOINTS, else
    $XDG_CACHE_HOME/dlcourse/checkpoints (~/.cache/dlcourse/checkpoints). Never a shared
    temporary folder, where another user could plant a file for the notebook to resume from."""
    base = os.environ.get(CHECKPOINT_ENV)
    if not base:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dlcourse" / "checkpoints"
    folder = Path(base)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _check_private(folder)
    return folder


def _check_private(path):
    """Refuse a file or folder that another user owns or may write (a planted checkpoint)."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise PermissionError(f"{path} is a symbolic link: checkpoints are not read or written through links")
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise PermissionError(f"{path} is not private (owner uid {st.st_uid}, mode {stat.S_IMODE(st.st_mode):o}): "
                              f"checkpoints live in a folder only you can write (see dlcourse.resnet.checkpoint_dir)")


def save_checkpoint(path, model, optimizer, scheduler, epoch, history, extra=None):
    """Write everything needed to resume training to `path` (atomically: a crash never leaves half a
    file), readable and writable by this user only (0600; a new folder is made 0700).

    Inputs:
    - path: file to write; its folder is created.
    - model, optimizer, scheduler: torch objects (scheduler may be None).
    - epoch: number of epochs completed.
    - history: dict of per-epoch lists of numbers.
    - extra: tensors or plain data to keep (e.g. the data generator's state), returned by
      load_checkpoint(..., extra=True).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _check_private(path.parent)
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "scheduler": scheduler.state_dict() if scheduler is not None else None,
             "epoch": int(epoch), "history": history, "extra": extra}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as f:
        torch.save(state, f)
    tmp.replace(path)


def load_checkpoint(path, model, optimizer=None, scheduler=None, extra=False):
    """Restore a checkpoint written by save_checkpoint into the given objects (in place).

    The file must be this user's and not writable by others, in such a folder, and is loaded with
    ``torch.load(weights_only=True)``: tensors and plain data only, never code (a file that would
    run code is refused: pickle.UnpicklingError).

    Returns a tuple of: epoch (epochs completed), history (and the saved `extra` when extra=True).
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise FileNotFoundError(f"no checkpoint at {path}")
    _check_private(path.parent)
    _check_private(path)
    state = torch.load(path, map_location=next(model.parameters()).device, weights_only=True)
    model.load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state["scheduler"] is not None:
        scheduler.load_state_dict(state["scheduler"])
    if extra:
        return state["epoch"], state["history"], state.get("extra")
    return state["epoch"], state["history"]


def paper_recipe(model, epochs=164, lr=0.1, momentum=0.9, weight_decay=1e-4, milestones=(82, 123)):
    """He et al.'s CIFAR recipe: SGD 0.1, momentum 0.9, weight decay 1e-4, lr / 10 at 32k and 48k
    iterations (epochs 82 and 123 of 164 with batch 128 and 45k training images).

    Returns a tuple of: optimizer, scheduler (stepped once per epoch).
    """
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    milestones = [m for m in milestones if m < epochs] or [max(1, epochs // 2)]
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=list(milestones), gamma=0.1)
    return optimizer, scheduler


def evaluate(model, batches, amp=None):
    """Mean cross-entropy and accuracy of `model` over `batches` (eval mode, no autograd).

    Returns a tuple of: loss, accuracy (a fraction).
    """
    amp = (batches.device.type == "cuda") if amp is None else amp
    model.eval()
    total, correct, loss = 0, 0, 0.0
    with torch.no_grad(), torch.autocast(device_type=batches.device.type, dtype=torch.bfloat16 if batches.device.type == "cpu" else torch.float16, enabled=amp):
        for x, y in batches:
            out = model(x).float()
            loss += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
            total += len(y)
    return loss / total, correct / total


def train(model, train_batches, val_batches, optimizer, scheduler, epochs, checkpoint=None, amp=None, log=print):
    """The full-mode training loop: epochs of SGD with a per-epoch checkpoint and a progress line.

    Inputs:
    - model: a torch module already on train_batches.device.
    - train_batches, val_batches: TensorBatches (or any iterable of (x, y) with .device); the
      validation images come from the training set: evaluate on the test set once, after training
      (`evaluate`).
    - optimizer, scheduler: see paper_recipe; the scheduler is stepped once per epoch.
    - epochs: total epochs (capped by $DLCOURSE_EPOCHS, see dlcourse.runtime).
    - checkpoint: path of a checkpoint file; when it exists, training resumes from it, and it
      is rewritten after every epoch.
    - amp: mixed precision (default: on CUDA only).
    - log: where the progress lines go (stdout by default).

    Returns history: dict of per-epoch lists train_loss, train_acc, val_loss, val_acc, seconds.
    """
    epochs = cap_epochs(epochs)
    dev = train_batches.device
    amp = (dev.type == "cuda") if amp is None else amp
    scaler = torch.amp.GradScaler(dev.type, enabled=amp and dev.type == "cuda")
    history = {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc", "seconds")}
    start_epoch = 0
    if checkpoint is not None and os.path.lexists(checkpoint):
        start_epoch, history, data_state = load_checkpoint(checkpoint, model, optimizer, scheduler, extra=True)
        if data_state is not None and hasattr(train_batches, "generator"):
            train_batches.generator.set_state(data_state)  # the same shuffles and crops as an uninterrupted run
        log(f"resumed from {checkpoint} after epoch {start_epoch}")
    for epoch in range(start_epoch, epochs):
        t0 = time.monotonic()
        model.train()
        total, correct, loss_sum = 0, 0, 0.0
        for x, y in train_batches:
            with torch.autocast(device_type=dev.type, dtype=torch.float16, enabled=amp):
                out = model(x)
                loss = F.cross_entropy(out, y)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            loss_sum += loss.item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            total += len(y)
        if scheduler is not None:
            scheduler.step()
        val_loss, val_acc = evaluate(model, val_batches, amp)
        seconds = time.monotonic() - t0
        for key, value in zip(history, (loss_sum / total, correct / total, val_loss, val_acc, seconds)):
            history[key].append(value)
        if checkpoint is not None:
            data_state = train_batches.generator.get_state() if hasattr(train_batches, "generator") else None
            save_checkpoint(checkpoint, model, optimizer, scheduler, epoch + 1, history, extra=data_state)
        eta = np.mean(history["seconds"][-5:]) * (epochs - epoch - 1)
        log(f"epoch {epoch + 1}/{epochs}  train loss {loss_sum / total:.3f} acc {correct / total:.3f}  "
            f"val acc {val_acc:.3f}  {seconds:.1f}s/epoch  ETA {eta / 60:.1f} min")
    return history
