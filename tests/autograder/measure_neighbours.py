"""Measure what a resource attack does to an honest neighbour graded beside it (issue 6).

    nice -n 10 .venv/bin/python tests/autograder/measure_neighbours.py ATTACK.py [--workers 2]

Grades a class of three with two workers: `attacker` (the base submission with the attack cell
right after its imports), `neighbour-reference` (the reference answers, 7/7: graded at the same
time as the attacker) and `z-base` (4/7), and prints each one's score, the neighbour's test
statuses and the class's wall time as JSON. It needs nothing but the README's set-up (autograder is installed
by requirements.txt). For the "before" numbers, run it with an older checkout's autograder first
on the path (PYTHONPATH=<older checkout>). Not a test: the tests are in test_hardening.py.
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from autograder.grade.autograde import autograde
from autograder.config import Config
from autograder.notebook import grade_id, read, write
from autograder.transforms.fill import fill

HERE = Path(__file__).resolve().parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("attack")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--root", default=str(HERE.parent.parent))
    ap.add_argument("--set", action="append", default=[], help="a grading setting key=value (e.g. cgroups=off)")
    args = ap.parse_args()
    root = Path(args.root)
    source, released = (read(root / d / "optimizers" / "optimizers.ipynb") for d in ("solutions", "exercises"))
    wrong = (HERE / "variants" / "optimizers" / "wrong-adam-no-bias-correction.py").read_text()
    from nbformat.v4 import new_code_cell
    with tempfile.TemporaryDirectory(prefix="dlcourse-measure-") as tmp:
        subs = Path(tmp) / "subs"
        nb = fill(released, source, {"adam": wrong})
        # right after the imports, so that the attack runs while the neighbour is graded
        at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "imports")
        nb.cells.insert(at + 1, new_code_cell(Path(args.attack).read_text()))
        write(nb, subs / "attacker" / "optimizers" / "optimizers.ipynb")
        write(fill(released, source), subs / "neighbour-reference" / "optimizers" / "optimizers.ipynb")
        write(fill(released, source, {"adam": wrong}), subs / "z-base" / "optimizers" / "optimizers.ipynb")
        cfg = Config(cache_dir=str(Path(tmp) / "cache"), workers=args.workers, cell_timeout=20,
                     submission_timeout=200)
        for item in args.set:
            key, _, value = item.partition("=")
            setattr(cfg, key, type(getattr(cfg, key))(value))
        start = time.monotonic()
        logs = []
        results = dict(autograde(subs, Path(tmp) / "out", root=root, cfg=cfg, log=logs.append))
        seconds = time.monotonic() - start
    print(json.dumps({"attack": Path(args.attack).stem, "workers": args.workers, "class_seconds": round(seconds, 1),
                      "scores": {s: r["score"] for s, r in results.items()},
                      "attacker_adam": next(t["message"] for t in results["attacker"]["tests"]
                                            if t["id"] == "test_adam")[:160],
                      "neighbour_tests": {t["id"]: [t["status"], t["message"][:80]]
                                          for t in results["neighbour-reference"]["tests"] if t["status"] != "manual"},
                      "log": [m for m in logs if m.startswith("[") or "warning" in m.lower()
                              or m.startswith("resource isolation")]}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
