"""The optimizers chapter's oracle check (autograder/chapters/optimizers/checks.py: ``torch_adamw``)
run on the records of the instructor notebook's own hidden test for ``adamw``: the reference and the
valid variants pass every record, each wrong variant of tests/autograder/variants/optimizers fails
some, by the hidden test alone (the visible asserts are not run here)."""
from pathlib import Path

import numpy as np
import pytest

from autograder import course
from autograder.chapters.optimizers import probes
from autograder.chapters.optimizers.checks import torch_adamw, torch_adamw_steps
from autograder.judge.cell import decode
from autograder.notebook import grade_id, read
from dlcourse.grading import encode

VARIANTS = Path(__file__).resolve().parents[2] / "variants" / "optimizers"


def cell_source(gid):
    [path] = sorted((course.solutions_dir() / "optimizers").glob("*.ipynb"))
    [cell] = [c for c in read(path).cells if grade_id(c) == gid]
    return cell.source


def define(source):
    """The function `adamw` that an answer cell's source defines (numpy as the notebook imports it)."""
    namespace = {"np": np}
    exec(source, namespace)
    return namespace["adamw"]


def hidden_records(rule, monkeypatch):
    """{key: (decoded value, check, args)} that the notebook's hidden test for adamw records for `rule`."""
    source = cell_source("test_adamw")
    hidden = source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
    records = {}

    def record(key, value, *, check=None, args=None, **_):
        records[key] = (decode(encode(value)), check, args or {})

    monkeypatch.setattr(probes, "record", record)
    exec(hidden, {"adamw": rule})
    return records


def failures(rule, monkeypatch, seed=0):
    """The keys of the hidden records where `rule` fails the oracle, judged like the grader does:
    inputs from the reference's records (same seed), next_w from the rule's."""
    monkeypatch.setattr(probes, "grading_rng", lambda name, case: np.random.default_rng([seed, case]))
    ref = hidden_records(define(cell_source("adamw")), monkeypatch)
    got = hidden_records(rule, monkeypatch)
    assert set(ref) == set(got) and len(ref) == 13
    failed = []
    for key, (value, check, args) in ref.items():
        assert check == "torch_adamw"
        if torch_adamw(value, got[key][0], **args) is not None:
            failed.append(key)
    return failed


@pytest.mark.parametrize("config", [None, {"learning_rate": 5e-2, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.3},
                                    {"learning_rate": 1e-2, "weight_decay": 0.0, "t": 7}])
def test_reference_adamw_is_torch_adamw(config):
    rng = np.random.default_rng(1)
    w0, dws = rng.standard_normal((3, 4)), rng.standard_normal((6, 3, 4))
    m0, v0 = (rng.standard_normal((3, 4)), rng.uniform(0.1, 1, (3, 4))) if config and config.get("t") else (None, None)
    adamw = define(cell_source("adamw"))
    cfg = dict(config or {}, **({"m": m0.copy(), "v": v0.copy()} if m0 is not None else {})) if config else None
    w, path = w0, []
    for dw in dws:
        w, cfg = adamw(w, dw, cfg)
        path.append(w)
    oracle = torch_adamw_steps(w0, dws, config, m0, v0)
    assert np.max(np.abs(np.array(path) - oracle)) < 1e-12


def test_reference_and_valid_variant_pass_every_hidden_record(monkeypatch):
    assert failures(define(cell_source("adamw")), monkeypatch) == []
    assert failures(define((VARIANTS / "valid-adamw-pytorch-form.py").read_text()), monkeypatch, seed=3) == []


@pytest.mark.parametrize("name", ["wrong-adamw-l2-in-the-gradient", "wrong-adamw-decay-without-learning-rate",
                                  "wrong-adamw-decay-after-the-update", "wrong-adamw-no-bias-correction"])
def test_wrong_variants_fail_the_hidden_records(name, monkeypatch):
    failed = failures(define((VARIANTS / f"{name}.py").read_text()), monkeypatch)
    assert failed, f"{name} passed every hidden record"
    if name == "wrong-adamw-decay-after-the-update":  # off by lr**2 * weight_decay * step: the defaults hide it
        assert {key.split("/")[1] for key in failed} == {"case2", "case3"}


def test_oracle_rejects_malformed_outputs():
    w0, dws = np.ones(3), np.ones((1, 3))
    ref = {"next_w": torch_adamw_steps(w0, dws)[-1], "w0": w0, "dws": dws}
    assert torch_adamw(ref, {"next_w": ref["next_w"]}) is None
    assert "shape" in torch_adamw(ref, {"next_w": np.ones(4)})
    assert "NaN" in torch_adamw(ref, {"next_w": np.full(3, np.nan)})
    assert "PyTorch's AdamW" in torch_adamw(ref, {"next_w": ref["next_w"] + 1e-3})
