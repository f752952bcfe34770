"""The PyTorch chapter's throughput measurement and its small demo conv net (the book's code,
beside its page; it was part of dlcourse.torchkit, which students get).

    python book/pytorch/throughput.py [batch sizes...]

prints images per second of one SGD training step of :func:`demo_convnet` for each batch size on
this machine's device (CUDA, then Apple MPS, then the CPU), in full mode's 20 timed steps; the
page calls :func:`images_per_second` for its table and figure.
"""
import time

import torch
import torch.nn.functional as F

from dlcourse.runtime import by_mode
from dlcourse.runtime import device as default_device


def images_per_second(make_model, batch_sizes=(16, 64, 256), steps=None, device=None, seed=0):
    """Throughput of one SGD training step (forward, backward, update) per batch size.

    Inputs:
    - make_model: a function returning a fresh nn.Module for (N, 3, 32, 32) inputs.
    - batch_sizes: the batch sizes to time.
    - steps: timed steps per batch size after one warm-up step (default: 3 smoke, 20 full).
    - device: where to run (default: dlcourse.runtime.device()).

    Returns a dict {batch_size: images per second}.
    """
    device = device or default_device()
    steps = steps or by_mode(smoke=3, full=20)
    torch.manual_seed(seed)
    result = {}
    for b in batch_sizes:
        model = make_model().to(device)
        opt = torch.optim.SGD(model.parameters(), lr=1e-2)
        x = torch.randn(b, 3, 32, 32, device=device)
        y = torch.randint(0, 10, (b,), device=device)

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()

        step()  # warm-up: allocations, kernel selection
        _sync(device)
        start = time.perf_counter()
        for _ in range(steps):
            step()
        _sync(device)
        result[b] = b * steps / (time.perf_counter() - start)
    return result


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()
    elif device.type == "mps":
        torch.mps.synchronize()


def demo_convnet(num_classes=10):
    """The book's small conv net (not the exercise's) as an nn.Sequential, for 32x32 RGB images:
    conv 3x3 (16) -> ReLU -> max-pool 2 -> conv 3x3 (32) -> ReLU -> max-pool 2 -> linear."""
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 8 * 8, num_classes))


def main(argv=None):
    """`python book/pytorch/throughput.py [batch sizes...]`: images/second of a training step of
    demo_convnet on this machine's device (CUDA, MPS or CPU), in full mode's 20 timed steps."""
    import argparse
    import platform

    parser = argparse.ArgumentParser(prog="python book/pytorch/throughput.py", description=main.__doc__.split(":", 1)[1])
    parser.add_argument("sizes", nargs="*", type=int, metavar="BATCH_SIZE", help="default: 16 64 256 1024")
    sizes = parser.parse_args(argv).sizes or [16, 64, 256, 1024]
    if min(sizes) < 1:
        parser.error("batch sizes must be positive")
    dev = default_device()
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else platform.processor() or platform.machine()
    print(f"device: {dev} ({name}), torch {torch.__version__}, {torch.get_num_threads()} CPU thread(s)")
    for b, rate in images_per_second(demo_convnet, sizes, steps=20, device=dev).items():
        print(f"batch {b:5d}: {rate:10,.0f} images/s")


if __name__ == "__main__":
    main()
