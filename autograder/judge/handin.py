"""Judge a hand-in outside the notebook that made it: a fresh sandboxed process, trusted data.

A handed-in model file (``metadata.dlcourse.handin``) is never evaluated by the student's own
notebook run, whose kernel could rebind the evaluation or read what it is scored on. A spec with a
``judge`` entry is judged here:

    {"name": "model.pt", "max_mb": 20, "test": "test_model",
     "judge": {"kind": "classifier", "data": "<images and labels>.npz", "builder": "build_model",
               "before": "<grade_id of the cell defining build_model>", "key": "model/heldout",
               "check": "<a property check of the chapter>",
               "levels": [[0.70, 1.0], [0.60, 0.75], ...], "label": "...", "hint": "..."}}

The chapter (autograder/chapters/<assignment>/, found through judge/chapter.py) provides the rest:
``handin.py`` with ``evaluate(key, builder, path, views_file)``, which the trusted cell calls in the
kernel and which records {"predictions": (N,) class indices} or {"problem": [code]} (code 1: no
file), and the property check named by ``check`` (its checks.py), which scores that record
against the trusted ``{"labels": ...}`` with ``levels`` and ``count``.

1. Views: the held-out images (``autograder/data/<data>``, labels included; never shipped to
   students) are transformed with the run's secret seed: each image shifted by up to SHIFT
   pixels (the border reflected in), flipped left-right with probability 1/2, and its contrast
   and brightness jittered (CONTRAST, BRIGHTNESS). A real classifier handles
   these views; a table of exact public images does not find them.
2. A fresh kernel (the same sandbox and limits as the notebook's) runs the notebook's code
   cells up to and including the ``before`` cell (the one defining ``builder``), except the test
   and demo cells: the student's own code, so that ``builder`` can use their classes and helpers;
   then one trusted cell, the chapter's ``handin.evaluate``, that loads the hand-in (with
   ``torch.load(weights_only=True)``) into ``builder()`` and records its predictions of the views.
   The kernel gets the view images only: no labels, no seed of the views, nothing of the
   notebook run.
3. The judge scores the predictions against the views' labels with the spec's ``check`` (a
   property check of the chapter): the reference record it judges by is built here, from the
   trusted labels; the student's notebook records for that key are ignored.
"""
import hashlib
import secrets
import tempfile
from pathlib import Path

import numpy as np

from dlcourse.grading import encode

from ..errors import GradingError
from ..run.execute import Cell, grading_cells, run_cells
from . import chapter
from ..notebook import grade_id, handin_specs

DATA = Path(__file__).resolve().parents[1] / "data"
SHIFT = 2  # pixels, each direction
CONTRAST = (0.9, 1.1)  # factor around the image's mean
BRIGHTNESS = 8.0  # +- pixel levels (of 255)
VIEWS_FILE = "heldout-views.npy"

EVALUATE = """\
from {module} import evaluate as _evaluate
_evaluate({key!r}, {builder}, {name!r}, {views!r})
"""


def judged_specs(source):
    """{test grade_id: spec} of the hand-ins the grader judges itself (those with a "judge" entry)."""
    return {s["test"]: s for s in handin_specs(source) if isinstance(s.get("judge"), dict) and s.get("test")}


def heldout(data):
    """(images uint8 (N, 32, 32, 3), labels int64 (N,)) of a held-out file in autograder/data."""
    if "/" in data or "\\" in data or data.startswith("."):
        raise ValueError(f"held-out data {data!r}: expected a file name in autograder/data")
    with np.load(DATA / data, allow_pickle=False) as f:
        return f["images"], f["labels"].astype(np.int64)


def views(images, seed):
    """One view per image, drawn from `seed` (the run's secret): shift, flip, contrast, brightness.

    Inputs: images uint8 (N, H, W, C); seed an int. Returns uint8 (N, H, W, C)."""
    digest = hashlib.sha256(f"dlcourse-handin-views|{seed}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:16], "little"))
    n, h, w, _ = images.shape
    shifts = rng.integers(-SHIFT, SHIFT + 1, size=(n, 2))
    flips = rng.random(n) < 0.5
    contrast = rng.uniform(*CONTRAST, size=n)
    brightness = rng.uniform(-BRIGHTNESS, BRIGHTNESS, size=n)
    padded = np.pad(images, ((0, 0), (SHIFT, SHIFT), (SHIFT, SHIFT), (0, 0)), mode="reflect")
    out = np.empty(images.shape, dtype=np.float64)
    for i, (dy, dx) in enumerate(shifts):
        out[i] = padded[i, SHIFT + dy:SHIFT + dy + h, SHIFT + dx:SHIFT + dx + w]
        if flips[i]:
            out[i] = out[i, :, ::-1]
        mean = out[i].mean()
        out[i] = (out[i] - mean) * contrast[i] + mean + brightness[i]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def judge(spec, merged, files, *, seed, cfg, sandbox_mode, timeout, assignment=None, timings=None):
    """(reference record, student record or None, outcome or None) of a judged hand-in (module docstring).

    merged: the submission merged into the instructor notebook (autograder.transforms.merge);
    files: the hand-ins that passed intake ({name: path}, see grade.handin_files); timeout: seconds
    for the evaluation cell (the test cell's limit); assignment: the notebook's (whose chapter
    evaluates and scores the hand-in); timings: filled as run.execute.run_cells fills it. A hand-in
    that is missing or was refused at intake is judged without a kernel (problem 1)."""
    j = spec["judge"]
    missing = [k for k in ("data", "builder", "before", "key", "levels", "check") if k not in j]
    if j.get("kind") != "classifier" or missing:
        raise GradingError(f"the instructor notebook's hand-in {spec.get('name')!r}: judge needs kind \"classifier\" "
                           f"(the one kind autograder/judge/handin.py knows) and {', '.join(missing) or 'its fields'}")
    if not chapter.has(assignment, "handin"):
        raise GradingError(f"the instructor notebook's hand-in {spec.get('name')!r}: its chapter has no hand-in "
                           f"evaluation ({chapter.module_name(assignment, 'handin') or 'autograder/chapters/<assignment>/handin.py'})")
    chapter.find(j["check"], assignment)  # a GradingError naming it when no check has that name
    images, labels = heldout(j["data"])
    shown = views(images, seed)
    ref = {"key": j["key"], "value": encode({"labels": labels}), "check": j["check"],
           "args": {"levels": j["levels"], "count": int(len(labels))}, "label": j.get("label", ""),
           "hint": j.get("hint", "")}
    if spec["name"] not in files:
        return ref, {"key": j["key"], "value": encode({"problem": [1]})}, None
    before = next((n for n, c in enumerate(merged.cells) if grade_id(c) == j["before"]), None)
    cells = grading_cells(merged, cfg.cell_timeout, upto=(before or 0) + 1, tests=False)
    code = EVALUATE.format(module=chapter.module_name(assignment, "handin"), key=j["key"], builder=j["builder"],
                           name=spec["name"], views=VIEWS_FILE)
    cells.append(Cell(len(merged.cells), code, timeout, replay=False))
    with tempfile.TemporaryDirectory(prefix="dlcourse-views-") as tmp:
        np.save(Path(tmp) / VIEWS_FILE, shown, allow_pickle=False)
        # a seed of its own: the kernel needs none, and the run's is not for it
        outcomes = run_cells(cells, seed=secrets.randbits(62), cfg=cfg, sandbox_mode=sandbox_mode,
                             files={spec["name"]: files[spec["name"]], VIEWS_FILE: Path(tmp) / VIEWS_FILE},
                             timings=timings)
    outcome = outcomes[-1]
    mine = next((r for r in outcome.records if r.get("key") == j["key"]), None)
    return ref, mine, outcome
