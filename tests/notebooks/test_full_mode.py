"""Full mode, end to end on a CPU: every solution notebook and every chapter page, run top to bottom
with ``DLCOURSE_MODE=full`` against a small archive in the official CIFAR-10 format.

The contract this test holds the course to (and that a course mirror can use):

- ``DLCOURSE_CIFAR10_ARCHIVE`` names the archive (a ``cifar-10-python.tar.gz``: five
  ``data_batch_*`` pickles and a ``test_batch``, byte-string keys, rows R then G then B);
- ``DLCOURSE_CIFAR10_MD5`` its checksum, when it is not the official one;
- ``DLCOURSE_EPOCHS`` caps every training loop's epochs (dlcourse.runtime.cap_epochs).

The archive here holds 5 x 1,000 training and 1,000 test images (the library's real slice,
repeated, each repetition shifted by a pixel more and every other one mirrored, so that a
validation split from the training set holds no exact copy of a training image), enough for every full-size split the notebooks ask for (4,000 + 1,000); the cache
folder and checkpoints are the test's own, so nothing of the user's ~/.cache is read or written.
"""
import hashlib
import importlib.util
import io
import os
import pickle
import sys
import tarfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
CHAPTERS = sorted((ROOT / "book").glob("*/*.md"))
CHAPTERS = [p for p in CHAPTERS if p.parent.name not in ("instructors",) and "{code-cell}" in p.read_text()]

pytestmark = pytest.mark.slow  # every notebook and chapter once more, at full sizes: minutes


def write_archive(path, per_batch=1000, n_test=1000):
    """An archive in the official layout made of the vendored slice's real images (repeated to size)."""
    import numpy as np

    from dlcourse import data
    raw = data.load_cifar10("slice")

    def take(split, start, n):
        images, labels = raw[f"{split}_images"], raw[f"{split}_labels"]
        idx = np.arange(start, start + n)
        copy = idx // len(labels)  # a repeated image is shifted (and every other copy mirrored), never the same
        images = np.stack([np.roll(images[i % len(labels)], c, axis=1)[:, ::-1 if c % 2 else 1]
                           for i, c in zip(idx, copy)])
        return images, labels[idx % len(labels)]

    with tarfile.open(path, "w:gz") as tar:
        for k, name in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
            images, labels = take("test", 0, n_test) if name == "test_batch" else take("train", k * per_batch, per_batch)
            blob = pickle.dumps({b"batch_label": name.encode(), b"labels": [int(v) for v in labels],
                                 b"data": images.transpose(0, 3, 1, 2).reshape(len(images), -1),
                                 b"filenames": [f"{name}_{i}.png".encode() for i in range(len(labels))]}, protocol=2)
            info = tarfile.TarInfo(f"{data.BATCH_DIR}/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def full_env(tmp_path_factory):
    """The environment of a full-mode run: the archive, its checksum, one epoch per loop, private caches."""
    top = tmp_path_factory.mktemp("full-mode")
    archive = top / "cifar-10-python.tar.gz"
    md5 = write_archive(archive)
    assert md5 != "c58f30108f718f92721af3b95e74349a"  # not the official archive: the MD5 variable is needed
    (top / "checkpoints").mkdir(mode=0o700)
    env = {"DLCOURSE_MODE": "full", "DLCOURSE_CIFAR10_ARCHIVE": str(archive), "DLCOURSE_CIFAR10_MD5": md5,
           "DLCOURSE_EPOCHS": "1", "DLCOURSE_DATA": str(top / "data"), "DLCOURSE_CHECKPOINTS": str(top / "checkpoints"),
           "DLCOURSE_CIFAR10_URLS": "", "MPLBACKEND": "Agg"}
    return env


def book_build_environment(environ):
    """What the book build does to its kernels' environment: its own extension's add_book_lib
    (book/_ext/book_lib.py, loaded by _config.yml), not a path of this test's."""
    spec = importlib.util.spec_from_file_location("book_lib", ROOT / "book" / "_ext" / "book_lib.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.add_book_lib(environ)


def run(nb, cwd, env, as_the_book_build=False):
    """Execute `nb` in `cwd` with `env` (the full-mode variables) added to this environment, as a
    student's Jupyter runs a notebook or, with `as_the_book_build`, as the book build runs a page."""
    saved = dict(os.environ)
    os.environ.update(env)
    if as_the_book_build:
        book_build_environment(os.environ)
    try:
        NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def outputs(nb):
    return "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                     if o.output_type == "stream")


def test_the_archive_is_read_as_the_full_data_set(full_env, monkeypatch):
    for k, v in full_env.items():
        monkeypatch.setenv(k, v)
    from dlcourse import data
    raw = data.load_cifar10()
    assert raw["train_images"].shape == (5000, 32, 32, 3) and raw["test_images"].shape == (1000, 32, 32, 3)
    monkeypatch.setenv("DLCOURSE_CIFAR10_MD5", "0" * 32)
    monkeypatch.setenv("DLCOURSE_DATA", full_env["DLCOURSE_DATA"] + "-other")
    with pytest.raises(data.DatasetError, match="checksum mismatch"):
        data.load_cifar10()


def with_mode_check(nb):
    """nb with a last cell that prints the run mode the kernel saw."""
    nb.cells.append(nbformat.v4.new_code_cell("from dlcourse.runtime import epoch_cap, mode\n"
                                              "print(f'final check: mode {mode()}, epoch cap {epoch_cap()}')"))
    return nb


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_solution_notebook_runs_in_full_mode(path, full_env, tmp_path):
    nb = run(with_mode_check(nbformat.read(path, as_version=4)), tmp_path, full_env)  # an error fails the run
    text = outputs(nb)
    assert "final check: mode full, epoch cap 1" in text
    if path.parent.name == "resnet":
        # the demo's split: 4,500 training images (the archive's 5,000 less a tenth for validation)
        assert "epochs on 4500 images" in text and "test accuracy (evaluated once)" in text, text[-3000:]
        assert "after 1 epochs" in text, text[-3000:]  # DLCOURSE_EPOCHS=1 capped the paper's 164
    if path.parent.name == "pytorch":
        assert (tmp_path / "challenge_model.pt").is_file()


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda p: p.parent.name)
def test_chapter_runs_in_full_mode(page, full_env):
    from myst_nb.core.read import read_myst_markdown_notebook
    nb = read_myst_markdown_notebook(page.read_text(encoding="utf-8"), path=page)
    assert any(c.cell_type == "code" for c in nb.cells)
    # as the book build runs a page: in its folder, its kernel's environment set by the build's own extension
    nb = run(with_mode_check(nb), page.parent, full_env, as_the_book_build=True)
    assert "final check: mode full, epoch cap 1" in outputs(nb)


def test_every_chapter_and_notebook_is_covered():
    assert {p.parent.name for p in SOLUTIONS} == {p.parent.name for p in CHAPTERS} == \
        {"optimizers", "normalization", "dropout", "pytorch", "resnet"}
