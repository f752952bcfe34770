"""The probe side of grading: records are plain data, and nothing outside grading."""
import json
import os

import numpy as np

from autograder.judge.cell import decode
from dlcourse import grading


def test_record_is_silent_outside_grading(monkeypatch, capfd):
    monkeypatch.delenv(grading.RECORD_FD_ENV, raising=False)
    grading.record("x", np.ones(3))
    assert capfd.readouterr() == ("", "")


def test_record_round_trip(monkeypatch):
    r, w = os.pipe()
    monkeypatch.setenv(grading.RECORD_FD_ENV, str(w))
    value = {"next_w": np.arange(6.0).reshape(2, 3), "t": 3, "bad": "text"}
    grading.record("k", value, label="L", hint="H", rtol=1e-5, atol=1e-7)
    os.close(w)
    msg = json.loads(os.read(r, 1 << 20))
    got = decode(msg["value"])
    assert np.array_equal(got["next_w"], value["next_w"]) and got["t"] == 3.0
    assert got["bad"].startswith("not numeric")
    assert (msg["key"], msg["label"], msg["hint"], msg["rtol"], msg["atol"]) == ("k", "L", "H", 1e-5, 1e-7)


def test_fake_array_subclass_is_recorded_as_its_data():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    fake = np.zeros(3).view(Liar)
    assert np.array_equal(decode(grading.encode(fake)), np.zeros(3))


def test_hidden_inputs_depend_on_the_seed(monkeypatch):
    monkeypatch.setenv(grading.SEED_ENV, "1")
    a = grading.grading_rng("adam", 0).standard_normal(3)
    monkeypatch.setenv(grading.SEED_ENV, "2")
    b = grading.grading_rng("adam", 0).standard_normal(3)
    assert not np.allclose(a, b)
