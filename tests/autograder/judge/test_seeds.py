"""Issue 6: hidden inputs are fresh per grading; a leaked seed is worthless.

The lookup-table attack (attacks/lookup-table-from-leaked-seed.py) answers Adam from a table built
offline for the seed of an earlier grading: with that seed fixed (the old behaviour) it scores
7/7; graded again as a resubmission it scores no more than the base, since the seed is fresh.
"""
import base64
import dataclasses
import hashlib
import json

from pathlib import Path

import numpy as np

from autograder.judge import seeds
from autograder.grade.autograde import autograde
from autograder.config import Config
from autograder.grade.submission import grade_notebook
from autograder.notebook import grade_id, write
from autograder.transforms.fill import fill
from classroom import FULL, OPTIMIZERS
from dlcourse.grading import RECORD_FD_ENV, SEED_ENV

HERE = Path(__file__).resolve().parents[1]  # tests/autograder: attacks/, variants/
WRONG_ADAM = (HERE / "variants" / "optimizers" / "wrong-adam-no-bias-correction.py").read_text()

ATTACK = (HERE / "attacks" / "lookup-table-from-leaked-seed.py").read_text()
LEAK = '''def adam(w, dw, config=None):
    import os
    seed = int(os.environ["DLCOURSE_GRADING_SEED"])
    raise RuntimeError(f"seed {seed} hex {seed:x} HEX {seed:X}")
'''


def test_draw_is_fresh_unless_fixed():
    drawn = {seeds.draw(Config()) for _ in range(50)}
    assert len(drawn) == 50 and all(0 <= s < 2**seeds.BITS for s in drawn)
    assert seeds.draw(Config(seed=12345)) == 12345 and seeds.fixed(Config(seed=0))


def test_redact_takes_every_form_out():
    seed = 0x1234ABCDEF
    text = f"got {seed} and {seed:x} and {seed:#X} and {seed:X}; 42 stays"
    assert seeds.redact_text(text, seed) == "got <seed> and <seed> and <seed> and <seed>; 42 stays"
    result = seeds.redact({"tests": [{"message": text}], "problems": [text]}, seed)
    assert str(seed) not in json.dumps(result) and f"{seed:x}" not in json.dumps(result).lower()


def leaked_table(source_nb, seed, monkeypatch):
    """What a student builds offline from a leaked seed: Adam's answers for every hidden input."""
    monkeypatch.setenv(SEED_ENV, str(seed))
    monkeypatch.delenv(RECORD_FD_ENV, raising=False)
    cells = {grade_id(c): c.source for c in source_nb.cells if grade_id(c)}
    ns = {}
    exec("import numpy as np\nfrom dlcourse.checks import check_update_rule", ns)
    exec(cells["adam"], ns)
    real, table = ns["adam"], {}

    def b64(a):
        return base64.b64encode(np.ascontiguousarray(a, dtype=np.float64).tobytes()).decode()

    def recording(w, dw, config=None):
        key = hashlib.sha256(np.ascontiguousarray(w, dtype=np.float64).tobytes()
                             + np.ascontiguousarray(dw, dtype=np.float64).tobytes()).hexdigest()
        next_w, config = real(np.array(w), np.array(dw), config)
        table[key] = [b64(next_w), b64(config["m"]), b64(config["v"]), int(config["t"])]
        return next_w, config

    ns["adam"] = recording
    exec(cells["test_adam"], ns)
    return table


def lookup_submission(released_nb, source_nb, table):
    assert "TABLE = {}" in ATTACK
    return fill(released_nb, source_nb, {"adam": ATTACK.replace("TABLE = {}", f"TABLE = {table!r}", 1)})


def test_leaked_seed_is_redacted_and_never_reused(tmp_path, released_nb, source_nb, grading_config, monkeypatch):
    drawn = []
    real_draw = seeds.draw
    monkeypatch.setattr(seeds, "draw", lambda cfg: drawn.append(real_draw(cfg)) or drawn[-1])
    cfg = dataclasses.replace(grading_config, seed=-1)
    # 1. a submission that puts the seed into its exception message: redacted in its feedback
    leak = tmp_path / "leak" / "optimizers.ipynb"
    write(fill(released_nb, source_nb, {"adam": LEAK}), leak)
    first = grade_notebook(leak, "optimizers", cfg=cfg)
    leaked = drawn[-1]
    adam = next(t for t in first["tests"] if t["id"] == "test_adam")
    assert "<seed>" in adam["message"], adam
    assert str(leaked) not in json.dumps(first) and f"{leaked:x}" not in json.dumps(first).lower()
    # 2. the table for that seed (learned anyway, say): with the seed fixed it would score full marks ...
    path = tmp_path / "table" / "optimizers.ipynb"
    write(lookup_submission(released_nb, source_nb, leaked_table(source_nb, leaked, monkeypatch)), path)
    monkeypatch.delenv(SEED_ENV)
    fixed = grade_notebook(path, "optimizers", cfg=dataclasses.replace(cfg, seed=leaked))
    assert fixed["score"] == FULL, fixed["tests"]
    # 3. ... but a resubmission is graded with a fresh seed: no more than the base (all but Adam's points)
    again = grade_notebook(path, "optimizers", cfg=cfg)
    assert drawn[-1] != leaked
    assert again["score"] <= FULL - OPTIMIZERS["test_adam"] and next(t for t in again["tests"] if t["id"] == "test_adam")["points"] == 0


def test_each_run_has_its_own_seed_and_reruns_skip(tmp_path, released_nb, source_nb, grading_config, monkeypatch):
    drawn = []
    real_draw = seeds.draw
    monkeypatch.setattr(seeds, "draw", lambda cfg: drawn.append(real_draw(cfg)) or drawn[-1])
    subs, out = tmp_path / "subs", tmp_path / "out"
    write(fill(released_nb, source_nb, {"adam": WRONG_ADAM}), subs / "base" / "optimizers" / "optimizers.ipynb")
    write(fill(released_nb, source_nb), subs / "ref" / "optimizers" / "optimizers.ipynb")
    cfg = dataclasses.replace(grading_config, seed=-1, workers=2)
    first = dict(autograde(subs, out, cfg=cfg, log=lambda m: None))
    run1 = set(drawn)
    assert len(run1) == 1, "one seed per run, shared by the setup check and every submission"
    assert first["ref"]["score"] == FULL and first["base"]["score"] == FULL - OPTIMIZERS["test_adam"]
    logs = []
    second = dict(autograde(subs, out, cfg=cfg, log=logs.append))
    assert any("0 to grade" in m for m in logs), logs  # the fingerprint does not depend on the seed
    assert second == first
    third = dict(autograde(subs, out, cfg=cfg, log=lambda m: None, force=True))
    assert third["ref"]["score"] == FULL and third["base"]["score"] == FULL - OPTIMIZERS["test_adam"]
    assert len(set(drawn)) == 3  # every run draws its own
    journal = (out / "journal.jsonl").read_text().lower()
    for seed in drawn:
        assert str(seed) not in journal and f"{seed:x}" not in journal
