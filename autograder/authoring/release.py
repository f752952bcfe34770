"""`release`: regenerate exercises/ from solutions/, deterministically, and scan for leaks.

For each solutions/<assignment>/<notebook>.ipynb: stamp its setup cell, if any, from _config.yml (the
source notebook is updated too, so both stay in step), run nbgrader's own release
preprocessors (lock cells, clear solutions, outputs, hidden tests and mark schemes, checksums)
without a database, scan the result, and write exercises/<assignment>/<notebook>.ipynb.
Other files of the assignment folder are copied, except caches, compiled files and the files a
notebook hands in (``metadata.dlcourse.handin``: a run of the notebook writes them next to it).
"""
import fnmatch
import shutil
from pathlib import Path

import nbformat
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput,
                                    ClearSolutions, ComputeChecksums, LockCells)

from .. import course
from ..errors import GradingError
from ..notebook import handin_specs, read
from ..transforms import leaks, setup_cell

IGNORED = ("*.pyc", "__pycache__", ".ipynb_checkpoints", "*.db", ".DS_Store")
PREPROCESSORS = (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums,
                 ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata)


def _ignored(path):
    return any(fnmatch.fnmatch(part, pat) for part in path.parts for pat in IGNORED)


def student_version(source_nb, name="notebook"):
    """The released form of a (setup-stamped) source notebook, scanned; GradingError on a leak."""
    nb = nbformat.from_dict(nbformat.reads(nbformat.writes(source_nb), as_version=4))
    resources = {}
    try:
        for cls in PREPROCESSORS:
            nb, resources = cls().preprocess(nb, resources)
    except Exception as exc:  # nbgrader raises RuntimeError/ValueError on malformed regions or metadata
        raise GradingError(f"{name}: nbgrader could not release it: {exc}") from None
    found = leaks.scan(nb, source_nb, name)
    if found:
        raise GradingError(f"{name}: the release would leak:\n  " + "\n  ".join(found))
    return nb


def plan(root=None, log=None):
    """What a release would write: {path: text}, plus the source notebooks whose setup cell changed."""
    root = course.course_root(root)
    outputs, sources = {}, {}
    for assignment in course.assignments(root):
        src_dir = course.solutions_dir(root) / assignment
        handed_in = {spec.get("name") for nb in src_dir.glob("*.ipynb")
                     for spec in handin_specs(read(nb))}
        for path in sorted(src_dir.rglob("*")):
            rel = path.relative_to(src_dir)
            if path.is_dir() or _ignored(rel) or str(rel) in handed_in:
                continue
            dest = course.exercises_dir(root) / assignment / rel
            if path.suffix != ".ipynb":
                outputs[dest] = path.read_bytes()
                continue
            name = f"solutions/{assignment}/{rel}"
            source = read(path)
            before = nbformat.writes(source)
            if not setup_cell.stamp(source, lambda: course.repository(root), name) and log:
                log(f"{name}: no setup cell: not stamped")
            if nbformat.writes(source) != before:
                sources[path] = nbformat.writes(source) + "\n"
            outputs[dest] = (nbformat.writes(student_version(source, name)) + "\n").encode()
    return outputs, sources


def stale(root=None):
    """Differences between exercises/ (and the stamped setup cells) and a fresh release; [] when in sync."""
    outputs, sources = plan(root)
    problems = [f"{p}: setup cell differs from _config.yml (run `python -m autograder release`)" for p in sources]
    for dest, data in outputs.items():
        if not dest.exists():
            problems.append(f"{dest}: missing")
        elif dest.read_bytes() != data:
            problems.append(f"{dest}: differs from a fresh release")
    base = course.exercises_dir(root)
    extra = [p for p in base.rglob("*") if p.is_file() and p not in outputs] if base.exists() else []
    problems += [f"{p}: not produced by the release (remove it)" for p in extra]
    return problems


def release(root=None, log=print):
    """Write exercises/ (and re-stamped solutions); returns the written paths."""
    outputs, sources = plan(root, log)
    for path, text in sources.items():
        Path(path).write_text(text, encoding="utf-8")
        log(f"updated the setup cell of {path}")
    base = course.exercises_dir(root)
    for path in (list(base.rglob("*")) if base.exists() else []):
        if path.is_file() and path not in outputs:
            path.unlink()
            log(f"removed {path}")
    for dest, data in outputs.items():
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists() or dest.read_bytes() != data:
            dest.write_bytes(data)
            log(f"wrote {dest}")
    for path in base.rglob("*"):
        if path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)
    return list(outputs)
