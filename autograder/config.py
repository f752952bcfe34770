"""Grading configuration, in one layered place.

Layers, later ones winning: the defaults below; then ``<course root>/grading.toml`` (or the
file given with ``--config``); then ``--set key=value`` on the command line. Unknown keys are
rejected at every layer, with the list of known ones.

Due dates are a table, as nbgrader keeps one due date per assignment::

    late_penalty = "zero"
    [due_dates]
    optimizers = "2026-12-01T23:59:00+01:00"      # ISO 8601 with its UTC offset (or Z)

and ``--set due_dates.optimizers=2026-12-01T23:59:00+01:00`` sets one. A time without an offset
is refused (the grader cannot know which zone was meant). What they do: autograder.records.late.
"""
import dataclasses
import datetime
import os
import re
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
    # {assignment: due date, ISO 8601 with a UTC offset}: nbgrader's Assignment.duedate (a submission's
    # timestamp.txt after it is late; see autograder.records.late)
    due_dates: dict = dataclasses.field(default_factory=dict)
    # the penalty of a late submission, as nbgrader's LateSubmissionPlugin gives it: "none" (late is
    # recorded, the score stands), "zero" (the notebook scores 0), or "module:Class" naming a subclass
    # of nbgrader.plugins.LateSubmissionPlugin (its late_submission_penalty(student_id, score,
    # total_seconds_late) returns the points taken)
    late_penalty: str = "none"


FIELDS = {f.name: f for f in dataclasses.fields(Config)}


def _coerce(key, value, where):
    if key not in FIELDS:
        raise GradingError(f"{where}: unknown setting {key!r}; known settings: {', '.join(sorted(FIELDS))}")
    kind = FIELDS[key].type
    kind = {"float": float, "int": int, "str": str}.get(kind, kind) if isinstance(kind, str) else kind
    if kind is dict and not isinstance(value, dict):
        raise GradingError(f"{where}: {key} must be a table ([{key}] with a line per assignment, or --set "
                           f"{key}.ASSIGNMENT=VALUE), got {value!r}")
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise GradingError(f"{where}: {key} must be a {kind.__name__}, got {value!r}") from None


PLUGIN = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


def due_date(cfg, assignment):
    """The due date of an assignment as nbgrader stores it (a naive UTC datetime), or None."""
    text = cfg.due_dates.get(assignment)
    if text is None:
        return None
    where = f"due_dates.{assignment}"
    if isinstance(text, datetime.datetime):  # a TOML date-time written without quotes
        moment = text
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(text).strip())
        except ValueError:
            raise GradingError(f"{where}: {text!r} is not an ISO 8601 date and time "
                               "(write it like 2026-12-01T23:59:00+01:00)") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise GradingError(f"{where}: {str(text)!r} has no UTC offset, so its zone is unknown: "
                           "add one, e.g. 2026-12-01T23:59:00+01:00 (or Z for UTC)")
    return (moment - moment.utcoffset()).replace(tzinfo=None)


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
        if key.strip().startswith("due_dates."):
            cfg.due_dates = {**cfg.due_dates, key.strip()[len("due_dates."):]: value.strip()}
            continue
        setattr(cfg, key.strip(), _coerce(key.strip(), value.strip(), "--set"))
    if cfg.sandbox not in ("auto", "bwrap", "none"):
        raise GradingError(f"sandbox must be auto, bwrap or none, got {cfg.sandbox!r}")
    if cfg.cgroups not in ("auto", "required", "off"):
        raise GradingError(f"cgroups must be auto, required or off, got {cfg.cgroups!r}")
    if cfg.wall_backstop < 1:
        raise GradingError(f"wall_backstop must be at least 1, got {cfg.wall_backstop!r}")
    if not 0 < cfg.sandbox_uid < 2 ** 32 - 1:
        raise GradingError(f"sandbox_uid must be an unprivileged user id (not 0), got {cfg.sandbox_uid!r}")
    for assignment in cfg.due_dates:
        due_date(cfg, assignment)
    if cfg.late_penalty not in ("none", "zero") and not PLUGIN.match(cfg.late_penalty):
        raise GradingError(f"late_penalty must be none, zero or module:Class (a subclass of nbgrader's "
                           f"LateSubmissionPlugin), got {cfg.late_penalty!r}")
    if cfg.workers <= 0:
        cfg.workers = os.cpu_count() or 1
    return cfg
