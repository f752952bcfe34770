"""Benchmark: training images per second of the course's ResNet data path against the write-ups' one.

    python book/resnet/bench_resnet.py [--n 3] [--batch-size 128] [--batches 20] [--workers 2] [--device cuda]

Both sides train the same CIFAR ResNet-(6n+2) (the book's StudyNet, ``study.py`` beside this
file, in the paper's configuration) with the same SGD step and batch size on the same machine:

- course: ``dlcourse.resnet.TensorBatches``: all images on the training device once as uint8,
  each batch cropped, flipped and normalized as one tensor operation there;
- write-ups: the torchvision style: a Dataset that turns each uint8 image into a PIL image
  (as ``torchvision.datasets.CIFAR10`` does) and applies ``RandomCrop(32, padding=4)``,
  ``RandomHorizontalFlip()``, ``ToTensor()``, ``Normalize(...)`` per image, batched by a
  ``torch.utils.data.DataLoader`` (``--workers`` processes, pinned memory on CUDA).

It reports two rows per side: the data path alone (batches produced and moved to the device)
and a full training step. Images: the vendored CIFAR-10 slice (no download). Not a test: the
numbers depend on the machine; print them, paste them with the machine's name.
"""
import argparse
import os
import platform
import time

import numpy as np
import torch
import torch.nn.functional as F

from dlcourse.data import load_cifar10
from dlcourse.resnet import CIFAR_MEAN, CIFAR_STD, TensorBatches
from dlcourse.runtime import device as default_device
from study import StudyNet  # beside this file (a script's folder is the first on its path)


class PerImageDataset(torch.utils.data.Dataset):
    """uint8 (N, 32, 32, 3) images served one by one through PIL and torchvision transforms."""

    def __init__(self, images, labels):
        import torchvision.transforms as T
        self.images, self.labels = images, labels
        self.transform = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                                    T.Normalize(CIFAR_MEAN, CIFAR_STD)])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        from PIL import Image
        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


def _cycle(make_iter):
    while True:
        yield from make_iter()


def _measure(batches, dev, batches_to_time, step=None, warmup=2):
    """Images/second over `batches_to_time` batches after `warmup` batches."""
    it = iter(batches)
    seen, start = 0, None
    for k in range(warmup + batches_to_time):
        if k == warmup:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            start, seen = time.perf_counter(), 0
        x, y = next(it)
        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
        if step is not None:
            step(x, y)
        seen += len(y)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    return seen / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1, help="blocks per stage: ResNet-(6n+2); 3 = ResNet-20 (default 1)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--batches", type=int, default=10, help="timed batches per measurement")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes of the write-ups' path")
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: dlcourse.runtime.device())")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    dev = torch.device(args.device) if args.device else default_device()
    raw = load_cifar10(source="slice")
    images, labels = raw["train_images"], raw["train_labels"].astype(np.int64)

    torch.manual_seed(0)
    model = StudyNet(args.n, width=16).to(dev)
    if dev.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)

    def step(x, y):
        with torch.autocast(device_type=dev.type, dtype=torch.float16, enabled=dev.type == "cuda"):
            loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    course = TensorBatches(images, labels, args.batch_size, train=True, device=dev, channels_last=dev.type == "cuda")
    course_iter = lambda: _cycle(lambda: iter(course))  # noqa: E731
    loader = torch.utils.data.DataLoader(PerImageDataset(images, labels), batch_size=args.batch_size, shuffle=True,
                                         num_workers=args.workers, pin_memory=dev.type == "cuda",
                                         persistent_workers=args.workers > 0, drop_last=True)
    writeup_iter = lambda: _cycle(lambda: iter(loader))  # noqa: E731

    rows = []
    for name, make in (("course: batched tensors on the device", course_iter),
                       (f"write-ups: PIL + torchvision transforms + DataLoader({args.workers} workers)", writeup_iter)):
        rows.append((name, _measure(make(), dev, args.batches), _measure(make(), dev, args.batches, step)))
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPU cores, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), device {dev}"
          + (f" ({torch.cuda.get_device_name()})" if dev.type == "cuda" else ""))
    print(f"model: ResNet-{6 * args.n + 2}, batch {args.batch_size}, {args.batches} timed batches per cell\n")
    print("| data path | data only (images/s) | training step (images/s) |")
    print("|---|---|---|")
    for name, data_only, train in rows:
        print(f"| {name} | {data_only:,.0f} | {train:,.0f} |")
    return rows


if __name__ == "__main__":
    main()
