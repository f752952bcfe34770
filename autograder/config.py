"""Grading configuration, in one layered place.

Layers, later ones winning: the defaults below; then ``<course root>/grading.toml`` (or the
file given with ``--config``); then ``--set key=value`` on the command line. Unknown keys are
rejected at every layer, with the list of known ones.
"""
import dataclasses
import os
import tomllib
from pathlib import Path

from .errors import GradingError


@dataclasses.dataclass
class Config:
    # seconds a cell may run when its source cell has no metadata.dlcourse.timeout
    cell_timeout: float = 30.0
    # seconds all cells of one submission may run together (restarts included)
    submission_timeout: float = 300.0
    # memory of the student's kernel, in MiB (0: no limit): an address-space limit per process, and
    # with cgroups one limit over all of the submission's processes and its private /tmp
    memory_limit_mb: int = 8192
    # processes (threads included) one submission may run at once (cgroup pids; 0: no limit)
    max_processes: int = 256
    # size of the kernel's private /tmp (a RAM-backed tmpfs), in MiB (bubblewrap --size; 0: no size)
    tmp_mb: int = 512
    # "auto": a cgroup per kernel where the machine allows (memory, processes, CPU share, CPU-time
    # cell limits), else graded with a warning that says what is not enforced; "required": refuse
    # to grade without all of them; "off": none (cell limits are then wall-clock)
    cgroups: str = "auto"
    # with CPU accounting, cell and submission limits are CPU seconds of the submission's own
    # processes; a cell is also ended after this many times its limit in wall-clock seconds
    wall_backstop: float = 3.0
    # parallel submissions in `autograde` (0: one per core)
    workers: int = 0
    # seed of the hidden-test inputs. -1: a fresh secret per grading (per `autograde` run, per `grade`
    # call; see autograder.judge.seeds). >= 0: fixed, to debug a notebook reproducibly -- UNSAFE for a real
    # class (the same inputs for everyone and every resubmission: a leaked seed allows lookup tables)
    seed: int = -1
    # "auto": bubblewrap when available, else unisolated with a warning; "bwrap": required; "none": off
    sandbox: str = "auto"
    # the kernel's user when the grader runs as root (it never runs as root: see autograder.run.sandbox)
    sandbox_uid: int = 65534
    # what the grader keeps of a kernel's records, in MiB per cell and per submission; records past
    # a cap are discarded unread and the cell is an error (bounds the grader's own memory)
    record_cell_mb: int = 32
    record_submission_mb: int = 128
    # records kept per cell
    records_per_cell: int = 1000
    # the largest submitted notebook graded, in MiB (its size is checked before it is read; a
    # notebook with outputs and plots is a few MiB): a larger one scores 0 with the reason
    notebook_mb: int = 20
    # cache of reference runs ("" : <course root>/.cache/grader)
    cache_dir: str = ""


FIELDS = {f.name: f for f in dataclasses.fields(Config)}


def _coerce(key, value, where):
    if key not in FIELDS:
        raise GradingError(f"{where}: unknown setting {key!r}; known settings: {', '.join(sorted(FIELDS))}")
    kind = FIELDS[key].type
    kind = {"float": float, "int": int, "str": str}.get(kind, kind) if isinstance(kind, str) else kind
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise GradingError(f"{where}: {key} must be a {kind.__name__}, got {value!r}") from None


def load(root, config_file=None, overrides=()):
    """Build a Config from the three layers. overrides: strings "key=value"."""
    cfg = Config()
    path = Path(config_file) if config_file else Path(root) / "grading.toml"
    if config_file and not path.exists():
        raise GradingError(f"--config {path}: no such file")
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise GradingError(f"{path}: not valid TOML ({exc})") from None
        for key, value in data.items():
            setattr(cfg, key, _coerce(key, value, str(path)))
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise GradingError(f"--set {item!r}: expected key=value")
        setattr(cfg, key.strip(), _coerce(key.strip(), value.strip(), "--set"))
    if cfg.sandbox not in ("auto", "bwrap", "none"):
        raise GradingError(f"sandbox must be auto, bwrap or none, got {cfg.sandbox!r}")
    if cfg.cgroups not in ("auto", "required", "off"):
        raise GradingError(f"cgroups must be auto, required or off, got {cfg.cgroups!r}")
    if cfg.wall_backstop < 1:
        raise GradingError(f"wall_backstop must be at least 1, got {cfg.wall_backstop!r}")
    if not 0 < cfg.sandbox_uid < 2 ** 32 - 1:
        raise GradingError(f"sandbox_uid must be an unprivileged user id (not 0), got {cfg.sandbox_uid!r}")
    if cfg.workers <= 0:
        cfg.workers = os.cpu_count() or 1
    return cfg
