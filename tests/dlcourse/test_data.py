"""CIFAR-10: the vendored real slice, preprocessing, and the download path, offline."""
import hashlib
import io
import pickle
import tarfile

import numpy as np
import pytest

from dlcourse import data

SLICE_SHA256 = "89071c80f837a08593663cca811abcf82d1a17206502c81d5956121e8e11d7b6"


def test_vendored_slice_is_the_real_subset():
    assert hashlib.sha256(data.SLICE_PATH.read_bytes()).hexdigest() == SLICE_SHA256
    assert data.SLICE_PATH.stat().st_size < 8 * 2**20
    raw = data.load_cifar10("slice")
    assert raw["train_images"].shape == (2000, 32, 32, 3) and raw["train_images"].dtype == np.uint8
    assert raw["test_images"].shape == (500, 32, 32, 3)
    # the first labels of data_batch_1 and test_batch, as in the original files
    assert raw["train_labels"][:10].tolist() == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]
    assert raw["test_labels"][:10].tolist() == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]
    assert raw["classes"] == data.CLASSES
    assert np.bincount(raw["train_labels"], minlength=10).min() > 150


def test_preprocessing_splits_and_subtracts_the_training_mean():
    d = data.get_cifar10_data(source="slice")
    assert d["X_train"].shape == (1800, 3, 32, 32) and d["X_val"].shape == (200, 3, 32, 32)
    assert d["X_test"].shape == (500, 3, 32, 32) and d["y_train"].dtype == np.int64
    assert np.abs(d["X_train"].mean(axis=0)).max() < 1e-3
    small = data.get_cifar10_data(num_training=100, num_validation=20, num_test=10, source="slice")
    assert len(small["y_train"]) == 100 and len(small["y_val"]) == 20 and len(small["y_test"]) == 10
    with pytest.raises(data.DatasetError, match="but this CIFAR-10 source has 2000"):
        data.get_cifar10_data(num_training=49000, source="slice")


def test_corrupted_or_missing_slice_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(data.SLICE_PATH.read_bytes()[:5000])
    with pytest.raises(data.DatasetError, match="not a readable CIFAR-10 .npz file"):
        data.load_cifar10("slice", path=bad)
    with pytest.raises(data.DatasetError, match="does not exist"):
        data.load_cifar10("slice", path=tmp_path / "nothing.npz")


def fake_archive(path, per_batch=4):
    """A small archive in the real cifar-10-python.tar.gz layout, made of real slice images."""
    raw = data.load_cifar10("slice")
    with tarfile.open(path, "w:gz") as tar:
        names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        for k, name in enumerate(names):
            imgs = raw["test_images" if name == "test_batch" else "train_images"][k * per_batch:(k + 1) * per_batch]
            labels = raw["test_labels" if name == "test_batch" else "train_labels"][k * per_batch:(k + 1) * per_batch]
            blob = pickle.dumps({b"data": imgs.transpose(0, 3, 1, 2).reshape(len(imgs), -1),
                                 b"labels": labels.tolist()})
            info = tarfile.TarInfo(f"{data.BATCH_DIR}/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return hashlib.md5(path.read_bytes()).hexdigest(), raw


def test_download_tries_sources_in_order_and_checks_the_checksum(tmp_path, capsys):
    archive = tmp_path / "mirror" / "cifar.tar.gz"
    archive.parent.mkdir()
    md5, raw = fake_archive(archive)
    wrong = tmp_path / "wrong.tar.gz"
    wrong.write_bytes(b"not the archive")
    cache = tmp_path / "cache"
    sources = ["http://127.0.0.1:9/cifar-10-python.tar.gz", wrong.as_uri(), archive.as_uri()]
    path = data.download_cifar10(cache, sources=sources, md5=md5, retries=2, timeout=2, backoff=0)
    assert path == cache / data.ARCHIVE_NAME and hashlib.md5(path.read_bytes()).hexdigest() == md5
    out = capsys.readouterr().out
    assert "attempt 1/2" in out and "attempt 2/2" in out  # the unreachable host was retried
    # cached: no source is needed the second time
    assert data.download_cifar10(cache, sources=[], md5=md5) == path
    loaded = data._load_archive(path)
    assert loaded["train_images"].shape == (20, 32, 32, 3)
    assert np.array_equal(loaded["train_images"][:4], raw["train_images"][:4])


def test_offline_download_says_what_to_do(tmp_path):
    with pytest.raises(data.DatasetError) as info:
        data.download_cifar10(tmp_path, sources=["http://127.0.0.1:9/c.tar.gz"], retries=1, timeout=2)
    msg = str(info.value)
    assert "127.0.0.1:9" in msg and "If you are offline" in msg and 'source="slice"' in msg


def test_full_source_reads_the_cache_root_from_the_environment(tmp_path, monkeypatch):
    archive = tmp_path / "cifar.tar.gz"
    md5, _ = fake_archive(archive)
    monkeypatch.setenv("DLCOURSE_DATA", str(tmp_path / "root"))
    monkeypatch.setenv("DLCOURSE_CIFAR10_ARCHIVE", str(archive))
    monkeypatch.setattr(data, "ARCHIVE_MD5", md5)
    d = data.get_cifar10_data(source="full")
    assert (tmp_path / "root" / data.ARCHIVE_NAME).exists()
    assert len(d["y_train"]) + len(d["y_val"]) == 20 and len(d["y_test"]) == 4


def test_corrupted_archive_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(data.DatasetError, match="not a readable CIFAR-10 archive"):
        data._load_archive(bad)


def test_the_md5_variable_names_a_course_archive(tmp_path, monkeypatch):
    archive = tmp_path / "course.tar.gz"
    md5, _ = fake_archive(archive)
    monkeypatch.setenv("DLCOURSE_CIFAR10_ARCHIVE", str(archive))
    monkeypatch.setenv("DLCOURSE_CIFAR10_URLS", "")
    monkeypatch.setenv("DLCOURSE_DATA", str(tmp_path / "cache"))
    with pytest.raises(data.DatasetError, match="checksum mismatch"):  # the official MD5 by default
        data.download_cifar10(sources=[str(archive)], retries=1)
    monkeypatch.setenv("DLCOURSE_CIFAR10_MD5", md5.upper())
    assert data.load_cifar10("full")["train_images"].shape == (20, 32, 32, 3)
