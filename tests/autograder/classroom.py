"""A class graded with `autograde`, twice: attackers beside honest neighbours, and the neighbours alone.

Used by test_chapter_attacks.py for the attacks of every chapter but the optimizers one (whose
attacks are cells, graded by test_attacks.py). Such an attack is a module in attacks/ whose
header has a line ``# chapter: <assignment>``; it defines

    submit(folder, released, source)   write the attacker's submission into `folder`
                                       (<assignment>/<notebook>.ipynb and any hand-in next to it)
    base(folder, released, source)     the same submission without the attack: the attacker may
                                       score no more than this

``released`` and ``source`` are the assignment's student and instructor notebooks (nbformat).
Helpers below write the common cases (reference answers with one cell replaced or added).
Hand-in files an attack needs are made by the module itself (test code, trusted).
"""
import dataclasses
import hashlib
import importlib.util
import threading
import time
from pathlib import Path

from nbformat.v4 import new_code_cell

from autograder.grade.autograde import autograde
from autograder.judge.handin import judged_specs
from autograder.notebook import grade_id, read, write
from autograder.transforms.fill import fill

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


def autograded_points(assignment, written=False):
    """Each graded cell's points (grade_id -> points), read off the instructor notebook: the
    autograded test cells, or with ``written`` the written answers. Tests work their expected
    scores out from these, so a graded part added to a chapter changes none of them."""
    nb = read(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    found = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and meta.get("points") and bool(meta.get("solution")) == written:
            found[meta["grade_id"]] = float(meta["points"])
    return found


OPTIMIZERS = autograded_points("optimizers")  # test grade_id -> points
FULL = sum(OPTIMIZERS.values())  # the optimizers notebook's autograded points (reference answers)
WRITTEN = sum(autograded_points("optimizers", written=True).values())  # its written answers' points
BASE = FULL - OPTIMIZERS["test_adam"]  # the attacks' base: the reference answers with a wrong Adam


def header(path):
    """{key: value} of the '# key: value' lines of an attack file."""
    return {k.strip(): v.strip() for line in Path(path).read_text().splitlines() if line.startswith("# ")
            for k, sep, v in [line[2:].partition(":")] if sep and k.strip() in ("answer", "needs", "chapter")}


def chapter_attacks():
    """{assignment: [attack paths]} for the attacks that name a chapter."""
    found = {}
    for path in sorted((HERE / "attacks").glob("*.py")):
        chapter = header(path).get("chapter")
        if chapter:
            found.setdefault(chapter, []).append(path)
    return found


def load(path):
    spec = importlib.util.spec_from_file_location(f"attack_{Path(path).stem.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def notebooks(assignment):
    """(released, source) notebooks of an assignment (its one notebook)."""
    [source] = sorted((ROOT / "solutions" / assignment).glob("*.ipynb"))
    return read(ROOT / "exercises" / assignment / source.name), read(source)


def notebook_path(folder, assignment):
    [source] = sorted((ROOT / "solutions" / assignment).glob("*.ipynb"))
    return Path(folder) / assignment / source.name


def write_answers(folder, released, source, assignment, replace=None, insert_after=None):
    """The reference answers, with {grade_id: code} replaced, and {grade_id: code} cells added after
    those cells (an extra student cell, which grading runs right there: see transforms.merge).
    Returns the notebook's path."""
    nb = fill(released, source, replace or {})
    for gid, code in (insert_after or {}).items():
        at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == gid)
        nb.cells.insert(at + 1, new_code_cell(code))
    path = notebook_path(folder, assignment)
    write(nb, path)
    return path


def released_answers(released, answers):
    """{grade_id: the released (unanswered) source of that cell} for the grade_ids of `answers`: the
    base of an attack that answers those cells some forbidden way."""
    return {grade_id(c): c.source for c in released.cells if grade_id(c) in answers}


def digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


class PeakRSS:
    """The grading process's peak resident memory over a block, sampled every 20 ms (MiB grown)."""

    def __enter__(self):
        self.start = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())
        self.grew_mib = self.peak - self.start


def grade_class(tmp_path_factory, name, members, cfg):
    """Grade {student: writer(folder)} with autograde; returns results, folders, timing, memory."""
    subs = tmp_path_factory.mktemp(f"class-{name}")
    for student, writer in members.items():
        (subs / student).mkdir()
        writer(subs / student)
    digests = {student: digest(subs / student) for student in members}
    out = tmp_path_factory.mktemp(f"class-{name}-out")
    start = time.monotonic()
    with PeakRSS() as memory:
        results = dict(autograde(subs, out, cfg=cfg, log=lambda m: None))
    return {"results": results, "subs": subs, "out": out, "digests": digests,
            "seconds": time.monotonic() - start, "grew_mib": memory.grew_mib}


def attack_class(tmp_path_factory, assignment, attacks, neighbours, cfg):
    """One class with every attack, its base and the neighbours; one with the neighbours alone."""
    released, source = notebooks(assignment)
    members = dict(neighbours)
    for path in attacks:
        module = load(path)
        members[f"attack-{path.stem}"] = lambda folder, m=module: m.submit(folder, released, source)
        members[f"base-{path.stem}"] = lambda folder, m=module: m.base(folder, released, source)
    # one fixed seed for both runs: hidden inputs and hand-in views alike, so that only the attackers differ
    cfg = dataclasses.replace(cfg, workers=2, seed=20261203)
    return {"with": grade_class(tmp_path_factory, f"{assignment}-attacked", members, cfg),
            "without": grade_class(tmp_path_factory, f"{assignment}-clean", dict(neighbours), cfg),
            "attacks": attacks, "neighbours": sorted(neighbours), "handin_tests": sorted(judged_specs(source))}


def reference_builder():
    """build_challenge_model from the PyTorch instructor notebook's answer cell (one source of truth)."""
    import torch
    [cell] = [c for c in notebooks("pytorch")[1].cells if grade_id(c) == "challenge_model"]
    scope = {"nn": torch.nn, "torch": torch}
    exec(cell.source, scope)
    return scope["build_challenge_model"]


def train_challenge_model(epochs=6):
    """The reference challenge net trained `epochs` on the vendored slice on this CPU (~2 s an epoch)."""
    import os

    import torch

    from dlcourse.runtime import seed_everything
    from dlcourse.torchkit import cifar10_loaders, train_part
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    seed_everything(0)
    model = reference_builder()()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    train_part(model, optimizer, cifar10_loaders(batch_size=64, augment=True), epochs=epochs, device=torch.device("cpu"),
               scheduler=torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.1))
    return model
