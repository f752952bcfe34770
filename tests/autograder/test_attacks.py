"""Untrusted submissions: no attack raises a grade, or touches another student's grade or files.

One batch, graded with one worker so that every attacker runs before the bystanders it could
poison: the base submission (the reference answers with a wrong Adam), one attacker per file in attacks/, and two bystanders
(the reference answers, full marks, and the untouched release, 0).
"""
import csv
import dataclasses
import hashlib
import time
from pathlib import Path

import pytest

from autograder.run import sandbox
from autograder.grade.autograde import autograde, open_gradebook
from autograder.notebook import grade_id, write
from autograder.transforms.fill import fill
from classroom import BASE, FULL

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
ISOLATED = sandbox.bwrap_path() is not None
WRONG_ADAM = (HERE / "variants" / "optimizers" / "wrong-adam-no-bias-correction.py").read_text()


def header(path):
    return {k.strip(): v.strip() for line in path.read_text().splitlines() if line.startswith("# ")
            for k, sep, v in [line[2:].partition(":")] if sep and k.strip() in ("answer", "needs", "chapter")}


ATTACKS = [p for p in sorted((HERE / "attacks").glob("*.py"))
           if "chapter" not in header(p) and (ISOLATED or header(p).get("needs") != "sandbox")]


def attacked(released_nb, source_nb, path):
    """The base submission with one attack applied."""
    code = path.read_text()
    if header(path).get("answer") == "adam":
        return fill(released_nb, source_nb, {"adam": code})
    nb = fill(released_nb, source_nb, {"adam": WRONG_ADAM})
    at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "adam")
    from nbformat.v4 import new_code_cell
    nb.cells.insert(at + 1, new_code_cell(code))
    return nb


def digest(paths):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


@pytest.fixture(scope="module")
def batch(tmp_path_factory, released_nb, source_nb, grading_config):
    subs = tmp_path_factory.mktemp("attack-class")
    for path in ATTACKS:
        write(attacked(released_nb, source_nb, path), subs / f"attack-{path.stem}" / "optimizers" / "optimizers.ipynb")
    write(fill(released_nb, source_nb, {"adam": WRONG_ADAM}), subs / "base" / "optimizers" / "optimizers.ipynb")
    write(fill(released_nb, source_nb), subs / "bystander-reference" / "optimizers" / "optimizers.ipynb")
    write(released_nb, subs / "bystander-untouched" / "optimizers" / "optimizers.ipynb")
    bystanders = digest(subs.glob("bystander-*/*/*"))
    course = digest(list((ROOT / "solutions").rglob("*")) + list((ROOT / "exercises").rglob("*")))
    out = tmp_path_factory.mktemp("attack-out")
    cfg = dataclasses.replace(grading_config, workers=1, cell_timeout=20, submission_timeout=240,
                              memory_limit_mb=4096)
    start = time.monotonic()
    results = dict(autograde(subs, out, cfg=cfg, log=lambda m: None))
    return {"results": results, "out": out, "subs": subs, "seconds": time.monotonic() - start,
            "bystanders": bystanders, "course": course}


def test_base_scores_all_but_adam(batch):
    assert batch["results"]["base"]["score"] == BASE


@pytest.mark.parametrize("path", ATTACKS, ids=lambda p: p.stem)
def test_attack_gains_nothing(batch, path):
    result = batch["results"][f"attack-{path.stem}"]
    assert result["score"] <= batch["results"]["base"]["score"], result["tests"]
    adam = next(t for t in result["tests"] if t["id"] == "test_adam")
    assert adam["points"] == 0 and adam["status"] != "passed"


def test_bystanders_keep_their_grades_and_files(batch):
    results = batch["results"]
    assert results["bystander-reference"]["score"] == FULL and results["bystander-untouched"]["score"] == 0
    assert digest(batch["subs"].glob("bystander-*/*/*")) == batch["bystanders"]
    rows = {r["student"]: r for r in csv.DictReader(open(batch["out"] / "grades.csv"))}
    with open_gradebook(batch["out"] / "gradebook.db") as gb:
        for student, result in results.items():
            assert float(rows[student]["score"]) == result["score"]
            assert gb.find_submission("optimizers", student).score == result["score"]


@pytest.mark.skipif(not ISOLATED, reason="file-system isolation needs bubblewrap (apt-get install bubblewrap)")
def test_nothing_outside_the_sandbox_changed(batch):
    assert digest(list((ROOT / "solutions").rglob("*")) + list((ROOT / "exercises").rglob("*"))) == batch["course"]
    import sys, sysconfig
    planted = [Path(top) / "zz-attack-plant.pth" for top in (sysconfig.get_paths()["purelib"], sys.prefix)]
    planted += [Path(sys.base_prefix) / "lib" / "python3.11" / "site-packages" / "zz-attack-plant.pth"]
    for leftover in [Path("/tmp/attack-was-here"), Path.home() / "attack-was-here", Path("/tmp/sitecustomize.py"),
                     batch["subs"].parent / "attack-was-here", Path("/etc/attack-was-here"),
                     Path("/usr/attack-was-here"), *planted]:
        assert not leftover.exists(), leftover
    for page in (batch["out"] / "feedback").rglob("*.html"):
        # every page but the attacker's own, which shows their code (escaped), word "tampered" included
        if "attack-write-gradebook-and-other-students" not in page.parts:
            assert "tampered" not in page.read_text()


def test_the_batch_finishes_within_its_limits(batch):
    assert len(batch["results"]) == len(ATTACKS) + 3
    assert batch["seconds"] < 240 * len(batch["results"])
    assert all(t["status"] in ("passed", "partial", "failed", "error", "timeout", "manual")
               for r in batch["results"].values() for t in r["tests"])
