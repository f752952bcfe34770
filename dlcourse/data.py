"""CIFAR-10: the real download, cs231n-style preprocessing, and the vendored offline slice.

Where files go: ``data_root()`` is ``$DLCOURSE_DATA`` when set, else ``~/.cache/dlcourse``.

Sources of the full data set, tried in order until one gives an archive whose MD5 matches:

1. ``$DLCOURSE_CIFAR10_ARCHIVE``: a path to a ``cifar-10-python.tar.gz`` you already have
   (``$DLCOURSE_CIFAR10_MD5``: its MD5 when it is not the official archive, e.g. a course's
   smaller archive in the official format);
2. ``$DLCOURSE_CIFAR10_URLS``: space-separated mirror URLs (e.g. a course server);
3. the official archive (slow: courses report ~35 min for its 170 MB), over https, then http.

The vendored slice (``dlcourse/data/cifar10-slice.npz``) holds 2,000 real training images (the
first 400 of each training batch) and the first 500 test images: enough for tests, CI, grading
and CPU demos, and nothing to download. Code must not assume either size.
"""
import hashlib
import os
import pickle
import shutil
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from .runtime import mode

OFFICIAL_URLS = (
    "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    "http://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
)
ARCHIVE_NAME = "cifar-10-python.tar.gz"
ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
BATCH_DIR = "cifar-10-batches-py"
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
SLICE_PATH = Path(__file__).with_name("data") / "cifar10-slice.npz"



class DatasetError(RuntimeError):
    """A data set could not be found, downloaded or read; the message says what to do."""


def data_root(root=None):
    """The cache folder: the argument, else $DLCOURSE_DATA, else ~/.cache/dlcourse. Created if missing."""
    root = Path(root or os.environ.get("DLCOURSE_DATA") or Path.home() / ".cache" / "dlcourse")
    root.mkdir(parents=True, exist_ok=True)
    return root


def _md5(path, chunk=1 << 20):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _fetch(url, dest, timeout):
    """Stream url to dest, printing progress on stdout every few seconds."""
    part = dest.with_suffix(dest.suffix + ".part")
    with urllib.request.urlopen(url, timeout=timeout) as response, open(part, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0)
        done, last, start = 0, 0.0, time.monotonic()
        while True:
            block = response.read(1 << 20)
            if not block:
                break
            out.write(block)
            done += len(block)
            now = time.monotonic()
            if now - last > 5:
                last = now
                size = f"/{total / 1e6:.0f}" if total else ""
                print(f"  {done / 1e6:.0f}{size} MB ({done / 1e6 / max(now - start, 1e-9):.1f} MB/s)", flush=True)
    part.replace(dest)


def download_cifar10(root=None, sources=None, md5=None, retries=2, timeout=60, backoff=2.0):
    """Download and check the CIFAR-10 archive; returns its path (cached: no download when present).

    Inputs:
    - root: cache folder (see data_root).
    - sources: URLs or local paths to try in order; default: the module docstring's list.
    - md5: expected MD5 of the archive (default: $DLCOURSE_CIFAR10_MD5, else the official
      archive's, ARCHIVE_MD5).
    - retries: attempts per source; backoff: seconds before the second attempt (doubled after).
    - timeout: socket timeout in seconds.

    Raises DatasetError, listing every source and why it failed, when none works.
    """
    md5 = (md5 or os.environ.get("DLCOURSE_CIFAR10_MD5", "").strip() or ARCHIVE_MD5).lower()
    dest = data_root(root) / ARCHIVE_NAME
    if dest.exists() and _md5(dest) == md5:
        return dest
    if sources is None:
        sources = []
        if os.environ.get("DLCOURSE_CIFAR10_ARCHIVE"):
            sources.append(os.environ["DLCOURSE_CIFAR10_ARCHIVE"])
        sources += os.environ.get("DLCOURSE_CIFAR10_URLS", "").split()
        sources += OFFICIAL_URLS
    failures = []
    for source in sources:
        for attempt in range(retries):
            try:
                if "://" in str(source):
                    print(f"Downloading CIFAR-10 from {source} (attempt {attempt + 1}/{retries}) ...", flush=True)
                    _fetch(str(source), dest, timeout)
                else:
                    shutil.copyfile(source, dest)
                digest = _md5(dest)
                if digest == md5:
                    return dest
                dest.unlink()
                failures.append(f"{source}: checksum mismatch (md5 {digest}, expected {md5})")
                break  # a wrong file will not get right by retrying
            except (urllib.error.URLError, OSError, TimeoutError) as exc:
                reason = getattr(exc, "reason", exc)
                failures.append(f"{source}: {reason}")
                if attempt + 1 < retries:
                    time.sleep(backoff * 2 ** attempt)
    tried = "\n  ".join(failures)
    raise DatasetError(
        "Could not get the CIFAR-10 archive. Tried:\n  " + tried + "\n"
        f"If you are offline: put {ARCHIVE_NAME} at {dest} (or set DLCOURSE_CIFAR10_ARCHIVE to its path), "
        'or use the vendored real subset with load_cifar10(source="slice").'
    )


def _read_batch(tar, name):
    member = tar.extractfile(f"{BATCH_DIR}/{name}")
    if member is None:
        raise DatasetError(f"{name} is missing from the CIFAR-10 archive")
    batch = pickle.load(member, encoding="bytes")
    images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, np.asarray(batch[b"labels"], dtype=np.uint8)


def _load_archive(path):
    try:
        with tarfile.open(path, "r:gz") as tar:
            train = [_read_batch(tar, f"data_batch_{i}") for i in range(1, 6)]
            test_images, test_labels = _read_batch(tar, "test_batch")
    except (tarfile.TarError, EOFError, pickle.UnpicklingError, KeyError, OSError) as exc:
        raise DatasetError(f"{path} is not a readable CIFAR-10 archive ({exc}); delete it and download again") from exc
    return {
        "train_images": np.concatenate([t[0] for t in train]), "train_labels": np.concatenate([t[1] for t in train]),
        "test_images": test_images, "test_labels": test_labels, "classes": CLASSES,
    }


def _load_npz(path):
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"{path} does not exist: the vendored CIFAR-10 slice ships with dlcourse; reinstall it")
    try:
        with np.load(path, allow_pickle=False) as f:
            out = {k: f[k] for k in ("train_images", "train_labels", "test_images", "test_labels")}
            out["classes"] = tuple(str(c) for c in f["classes"])
    except Exception as exc:  # zipfile, zlib and numpy all raise their own kinds
        raise DatasetError(f"{path} is not a readable CIFAR-10 .npz file ({exc.__class__.__name__}: {exc}); "
                           "reinstall dlcourse to restore it") from exc
    for split in ("train", "test"):
        images, labels = out[f"{split}_images"], out[f"{split}_labels"]
        if images.ndim != 4 or images.shape[1:] != (32, 32, 3) or len(images) != len(labels):
            raise DatasetError(f"{path}: {split} arrays have unexpected shapes {images.shape} / {labels.shape}")
    return out


def load_cifar10(source="auto", root=None, path=None):
    """Raw CIFAR-10 images and labels.

    Inputs:
    - source: "full" (download or cache), "slice" (vendored subset), or "auto": slice in smoke
      mode, full in full mode (see dlcourse.runtime).
    - root: cache folder for the full data set.
    - path: with source="slice", another .npz in the slice's layout.

    Returns a dict with train_images (N, 32, 32, 3) uint8, train_labels (N,) uint8, test_images,
    test_labels, classes (10 names).
    """
    if source == "auto":
        source = "full" if mode() == "full" else "slice"
    if source == "slice":
        return _load_npz(path or SLICE_PATH)
    if source == "full":
        return _load_archive(download_cifar10(root))
    raise ValueError(f'source={source!r}: expected "auto", "full" or "slice"')


def get_cifar10_data(num_training=None, num_validation=None, num_test=None, subtract_mean=True,
                     source="auto", root=None, dtype=np.float32):
    """cs231n-style preprocessed CIFAR-10: train/val/test split, mean image subtracted, channels first.

    Inputs:
    - num_training, num_validation, num_test: split sizes. None: validation is the last 1,000
      training images (a tenth of them if there are fewer than 10,000), training the rest, test all.
    - subtract_mean: subtract the training split's mean image from every split.
    - source, root: see load_cifar10.

    Returns a dict: X_train (N, 3, 32, 32), y_train (N,) int64, X_val, y_val, X_test, y_test, classes.
    """
    raw = load_cifar10(source, root)
    n = len(raw["train_labels"])
    if num_validation is None:
        num_validation = 1000 if n >= 10000 else n // 10
    if num_training is None:
        num_training = n - num_validation
    if num_training + num_validation > n:
        raise DatasetError(f"asked for {num_training} training + {num_validation} validation images, "
                           f"but this CIFAR-10 source has {n}")
    num_test = len(raw["test_labels"]) if num_test is None else min(num_test, len(raw["test_labels"]))
    images = raw["train_images"].astype(dtype).transpose(0, 3, 1, 2)
    labels = raw["train_labels"].astype(np.int64)
    out = {
        "X_train": images[:num_training], "y_train": labels[:num_training],
        "X_val": images[num_training:num_training + num_validation],
        "y_val": labels[num_training:num_training + num_validation],
        "X_test": raw["test_images"][:num_test].astype(dtype).transpose(0, 3, 1, 2),
        "y_test": raw["test_labels"][:num_test].astype(np.int64),
        "classes": raw["classes"],
    }
    if subtract_mean:
        mean_image = out["X_train"].mean(axis=0)
        for key in ("X_train", "X_val", "X_test"):
            out[key] = out[key] - mean_image
    return out

