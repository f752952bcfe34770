"""Reading notebooks with clear errors, and the nbgrader cell metadata we rely on."""
import json
import math
from pathlib import Path

import nbformat

from .errors import GradingError


MAX_CONTAINERS = 500_000  # "{" and "[" a notebook may hold (each parses to an object of ~64-200 bytes)


def too_large(size, limit_mb):
    """Why a submitted notebook of `size` bytes is not graded, or None."""
    if limit_mb and size > limit_mb << 20:
        return (f"the notebook is {size / 2**20:.1f} MiB, over the grader's limit of {limit_mb} MiB "
                "(setting notebook_mb): clear its outputs and submit it again")
    return None


def read(path, limit_mb=0):
    """Read a notebook file; GradingError with a one-line reason when it is not one, or when it is
    over limit_mb MiB (checked before it is read; 0: no limit)."""
    path = Path(path)
    if not path.exists():
        raise GradingError(f"{path}: no such file")
    try:
        reason = too_large(path.stat().st_size, limit_mb)
        if reason:
            raise GradingError(f"{path.name}: {reason}")
        with open(path, "rb") as f:
            data = f.read((limit_mb << 20) + 1 if limit_mb else -1)
        reason = too_large(len(data), limit_mb)  # grown since it was looked at
        if reason:
            raise GradingError(f"{path.name}: {reason}")
        text = data.decode("utf-8")
        del data
    except (OSError, UnicodeDecodeError) as exc:
        raise GradingError(f"{path}: cannot be read as UTF-8 text ({exc.__class__.__name__})") from None
    return reads(text, name=str(path))


def reads(text, name="notebook"):
    """Parse a notebook. Its parsing memory stays proportional to its size: at most MAX_CONTAINERS
    objects and lists (counted on the text before parsing), the rest is text and numbers."""
    if text.count("{") + text.count("[") > MAX_CONTAINERS:
        raise GradingError(f"{name}: not graded: more than {MAX_CONTAINERS:,} JSON objects and lists "
                           "(a notebook has a few thousand): clear its outputs and submit it again")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GradingError(f"{name}: not a notebook: malformed JSON at line {exc.lineno}, column {exc.colno} "
                           f"({exc.msg})") from None
    except RecursionError:
        raise GradingError(f"{name}: not a notebook: JSON nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise GradingError(f"{name}: not a Jupyter notebook (no list of cells)")
    if not isinstance(data.get("metadata", {}), dict):
        raise GradingError(f"{name}: not a readable Jupyter notebook (its metadata is not an object)")
    for pos, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict):
            raise GradingError(f"{name}: not a readable Jupyter notebook (cell {pos} is not an object)")
        if not isinstance(cell.get("metadata", {}), dict):
            raise GradingError(f"{name}: not a readable Jupyter notebook (the metadata of cell {pos} is not an object)")
        if _depth(cell, MAX_DEPTH) > MAX_DEPTH:
            raise GradingError(f"{name}: not a readable Jupyter notebook (cell {pos} is nested too deeply)")
    try:
        nb = nbformat.from_dict(data)
        if nb.get("nbformat", 4) != 4:
            nb = nbformat.convert(nb, 4)
        for cell in nb.cells:
            if isinstance(cell.get("source"), list):
                cell["source"] = "".join(cell["source"])
            cell.setdefault("metadata", nbformat.NotebookNode())
            if not isinstance(cell.get("source"), str) or cell.get("cell_type") not in ("code", "markdown", "raw"):
                raise ValueError("a cell without source text or with an unknown type")
    except RecursionError:
        raise GradingError(f"{name}: not a readable Jupyter notebook (nested too deeply)") from None
    except Exception as exc:
        raise GradingError(f"{name}: not a readable Jupyter notebook ({str(exc)[:200]})") from None
    return nb


MAX_DEPTH = 32  # JSON nesting a notebook cell may have (real cells: under 10)


def _depth(value, limit, level=1):
    """Nesting depth of a JSON value, counted without recursion past limit."""
    deepest, stack = level, [(value, level)]
    while stack:
        item, lvl = stack.pop()
        deepest = max(deepest, lvl)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, lvl + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, lvl + 1) for v in item)
    return deepest


def write(nb, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def nbgrader_meta(cell):
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def grade_id(cell):
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def is_autograded_test(cell):
    m = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and m.get("grade") is True and not m.get("solution")


def is_manual(cell):
    m = nbgrader_meta(cell)
    return m.get("grade") is True and m.get("solution") is True


def is_task(cell):
    """An nbgrader task cell: a locked description of work graded by hand, no answer cell of its own."""
    m = nbgrader_meta(cell)
    return m.get("task") is True and m.get("grade") is not True


def is_solution(cell):
    return nbgrader_meta(cell).get("solution") is True


def is_locked(cell):
    m = nbgrader_meta(cell)
    return bool(m.get("locked")) or is_autograded_test(cell)


def points(cell):
    try:
        value = float(nbgrader_meta(cell).get("points", 0))
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return value if math.isfinite(value) and value >= 0 else 0.0


def course_meta(cell):
    """The course's own cell metadata (``metadata.dlcourse``), {} when absent or malformed."""
    meta = cell.get("metadata")
    meta = meta.get("dlcourse") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def handin_specs(nb):
    """The files a notebook's submission hands in next to it (``metadata.dlcourse.handin``):
    [{"name": ..., "max_mb": ..., "test": <grade_id of the test that reads it>}, ...]."""
    specs = course_meta(nb).get("handin")
    return [s for s in specs if isinstance(s, dict)] if isinstance(specs, list) else []


def timeout(cell, default):
    """Seconds this (source) cell may run: metadata.dlcourse.timeout, else the default."""
    value = course_meta(cell).get("timeout")
    return float(value) if isinstance(value, (int, float)) and value > 0 else float(default)


def is_demo(cell):
    """A cell that only demonstrates (training runs, timing, plots): not run when grading."""
    return course_meta(cell).get("grading") == "skip"


def forbid_rule(cell):
    """(forbidden dotted names, fraction of the points a use costs) of a test cell."""
    meta = course_meta(cell)
    names = meta.get("forbid")
    names = [n for n in names if isinstance(n, str) and n] if isinstance(names, list) else []
    penalty = meta.get("forbid_penalty", 1.0)
    penalty = min(max(float(penalty), 0.0), 1.0) if isinstance(penalty, (int, float)) else 1.0
    return names, penalty
