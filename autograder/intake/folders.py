"""Intake: what in a submissions folder is graded, and as which notebook.

    SUBMISSIONS_DIR/<student>/<assignment>/<notebook>.ipynb

Exact rules (issue 6):
- only real folders and regular files are read: a symbolic link (to the instructor notebook, to
  another student's folder, anywhere), a FIFO or a device is never followed or opened; it is
  refused with a message, and a refused notebook is that student's error verdict;
- a downloaded-file name maps to the notebook it is a copy of: ``Copy of X.ipynb``, ``X (1).ipynb``
  and ``Copy of X (2).ipynb`` are notebook X, in grades.csv, the gradebook and the feedback alike;
- a folder with several notebooks: each that is a notebook of the assignment is graded; when
  several name the same notebook, the exact name wins, else the newest; the rest are reported;
- a notebook over the size limit (``notebook_mb``, its lstat size: it is never read) is refused with
  that reason, its student's error verdict;
- everything else is skipped and listed with its reason in OUT/intake.txt: hidden entries (a name
  starting with ".", such as .ipynb_checkpoints or .DS_Store: never graded, since editors and
  systems leave them), files where a folder belongs, files that are not notebooks;
- ``<student>/<assignment>/timestamp.txt`` is the submission's time, nbgrader's file and format
  (``2026-12-01 22:59:00.000000 UTC``; written by `collect`), read by `timestamps` with nbgrader's
  own parser (a time without a zone is UTC, as nbgrader reads it). No file: no time, never late.
  An empty, unreadable or malformed one (or a link) counts as no time, with a note in intake.txt.
"""
import datetime
import os
import re
import stat
from functools import lru_cache
from pathlib import Path

from .. import course
from ..errors import GradingError
from ..notebook import handin_specs, read, too_large
from ..text import bad_id, for_terminal

RENAMED = re.compile(r"^(Copy of )?(?P<name>.+?)( \(\d+\))?$")


def notebook_name(path, notebooks=()):
    """The assignment notebook a submitted file is: its stem without download decorations;
    a one-notebook assignment takes any name (a renamed download)."""
    stem = Path(path).stem
    match = RENAMED.match(stem)
    name = match.group("name") if match else stem
    notebooks = list(notebooks)
    if notebooks and name not in notebooks and stem in notebooks:
        return stem
    if len(notebooks) == 1 and name not in notebooks:
        return notebooks[0]
    return name


def _kind(mode):
    if stat.S_ISLNK(mode):
        return "a symbolic link (not followed)"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file or folder"


def _entries(folder):
    """(name, lstat mode) of a folder's entries, sorted; never follows a link."""
    with os.scandir(folder) as it:
        return sorted((e.name, e.stat(follow_symlinks=False).st_mode) for e in it)


@lru_cache(maxsize=None)
def _handins(assignment_dir):
    """Names of the files an assignment's submissions hand in next to the notebook (not skipped)."""
    return frozenset(spec.get("name") for path in sorted(Path(assignment_dir).glob("*.ipynb"))
                     for spec in handin_specs(read(path)))


TIMESTAMP = "timestamp.txt"  # nbgrader's name (CourseDirectory.get_existing_timestamp)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's Exchange.timestamp_format, written in UTC


def timestamp_text(epoch_seconds):
    """timestamp.txt's text for a moment (seconds since the epoch), as nbgrader's exchange writes it."""
    return datetime.datetime.fromtimestamp(epoch_seconds, datetime.timezone.utc).strftime(TIMESTAMP_FORMAT) + "\n"


def read_timestamp(folder):
    """(the submission's time as nbgrader stores it, a naive UTC datetime, or None; a note or None)
    from folder/timestamp.txt. Never follows a link, never reads more than 1 KiB."""
    from nbgrader.utils import parse_utc
    path = Path(folder) / TIMESTAMP
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{TIMESTAMP}: cannot be read ({exc.strerror}); counted as on time"
    if not stat.S_ISREG(mode):
        return None, f"{TIMESTAMP}: refused: {_kind(mode)}; counted as on time"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            data = f.read(1025)
    except OSError as exc:
        return None, f"{TIMESTAMP}: cannot be read ({exc.strerror}); counted as on time"
    text = data.decode("utf-8", errors="replace").strip()
    if len(data) > 1024 or "\n" in text:
        return None, f"{TIMESTAMP}: not one line holding a date and time; counted as on time"
    if not text:
        return None, f"{TIMESTAMP}: empty; counted as on time"
    try:
        moment = parse_utc(text)
    except Exception:  # noqa: BLE001 - dateutil raises several kinds on bad text
        moment = None
    if not isinstance(moment, datetime.datetime):
        return None, (f"{TIMESTAMP}: {for_terminal(text)[:80]!r} is not a date and time (nbgrader's format: "
                      "2026-12-01 22:59:00.000000 UTC); counted as on time")
    return moment, None


def timestamps(submissions_dir, jobs):
    """({(student, assignment): naive UTC datetime}, notes) of the jobs' submission folders."""
    found, notes = {}, []
    for student, assignment in sorted({(s, a) for s, a, _ in jobs}):
        moment, note = read_timestamp(Path(submissions_dir) / student / assignment)
        if moment is not None:
            found[(student, assignment)] = moment
        if note:
            notes.append(f"{student}/{assignment}/{note}")
    return found, notes


HIDDEN = "skipped: a hidden entry (its name starts with '.'; rename it to have it graded)"


def student_folder_problem(name):
    """Why `name` cannot be a student's (or a notebook's) entry that discover grades, or None:
    the rules discover applies (one path component, not hidden, a valid gradebook id)."""
    if not name or "/" in name or "\\" in name or "\0" in name or name in (".", ".."):
        return "not a single file or folder name"
    if name.startswith("."):
        return "a hidden name (it starts with '.'), which is never graded"
    return bad_id(name)


def discover(submissions_dir, assignment=None, root=None, limit_mb=0):
    """(jobs, refused, notes). limit_mb: notebooks larger than this are refused unread (0: no limit).

    jobs: (student, assignment, path) for every notebook to grade, in a stable order;
    refused: {path: reason} for jobs that must not be opened (their verdict is an error);
    notes: one line per entry that is not graded (other files, duplicates, refused folders).
    """
    base = Path(submissions_dir)
    if not base.is_dir() or base.is_symlink():
        raise GradingError(f"{base}: no such folder")
    known = set(course.assignments(root))
    jobs, refused, notes = [], {}, []
    for student, smode in _entries(base):
        if student.startswith("."):
            notes.append(f"{for_terminal(student)}: {HIDDEN}")
            continue
        if not stat.S_ISDIR(smode):
            notes.append(f"{for_terminal(student)}: " + (f"refused: {_kind(smode)}" if not stat.S_ISREG(smode) else
                                                        "skipped: a file, not a student's folder"))
            continue
        if bad_id(student):
            notes.append(f"{for_terminal(student)}: not graded: {bad_id(student)}")
            continue
        for assign, amode in _entries(base / student):
            if assignment is not None and assign != assignment:
                continue
            if stat.S_ISDIR(amode) and bad_id(assign):
                notes.append(f"{student}/{for_terminal(assign)}: not graded: {bad_id(assign)}")
                continue
            if assign.startswith("."):
                notes.append(f"{student}/{for_terminal(assign)}: {HIDDEN}")
                continue
            if not stat.S_ISDIR(amode):
                notes.append(f"{student}/{for_terminal(assign)}: " + (
                    f"refused: {_kind(amode)}" if not stat.S_ISREG(amode)
                    else "skipped: a file where an assignment folder belongs (<student>/<assignment>/<notebook>.ipynb)"))
                continue
            notebooks = ([p.stem for p in sorted((course.solutions_dir(root) / assign).glob("*.ipynb"))]
                         if assign in known else [])
            chosen, odd = {}, {}
            for name, mode in _entries(base / student / assign):
                path = base / student / assign / name
                if name.startswith("."):
                    notes.append(f"{student}/{assign}/{for_terminal(name)}: {HIDDEN}")
                    continue
                if not name.endswith(".ipynb"):
                    if name == TIMESTAMP:
                        continue  # the submission's time: read by timestamps
                    if assign in known and name in _handins(course.solutions_dir(root) / assign):
                        continue  # a hand-in: read by grade.handin_files
                    notes.append(f"{student}/{assign}/{for_terminal(name)}: skipped: not a notebook (.ipynb)")
                    continue
                if not stat.S_ISREG(mode):
                    notes.append(f"{student}/{assign}/{name}: refused: {_kind(mode)}")
                    odd.setdefault(notebook_name(path, notebooks), []).append((path, mode))
                    continue
                target = notebook_name(path, notebooks)
                big = too_large(path.lstat().st_size, limit_mb)
                if big and not bad_id(target) and (not notebooks or target in notebooks):
                    notes.append(f"{student}/{assign}/{for_terminal(name)}: refused: {big}")
                    odd.setdefault(target, []).append((path, big))
                    continue
                if bad_id(target):
                    notes.append(f"{student}/{assign}/{for_terminal(name)}: not graded: {bad_id(target)}")
                    continue
                if notebooks and target not in notebooks:
                    notes.append(f"{student}/{assign}/{name}: not a notebook of {assign} "
                                 f"({', '.join(notebooks)}); not graded")
                    continue
                chosen.setdefault(target, []).append(path)
            for target, entries in sorted(odd.items()):
                if target not in chosen:  # nothing else hands this notebook in: the refusal is its verdict
                    path, why = entries[0]
                    refused[path] = (f"{path.name}: {why}" if isinstance(why, str)
                                     else f"{path.name} is {_kind(why)}; submit the notebook file itself")
                    jobs.append((student, assign, path))
            for target, paths in sorted(chosen.items()):
                exact = [p for p in paths if p.stem == target]
                best = exact[0] if exact else max(paths, key=lambda p: (p.lstat().st_mtime, p.name))
                jobs.append((student, assign, best))
                for other in paths:
                    if other != best:
                        notes.append(f"{student}/{assign}/{other.name}: another copy of {target}; "
                                     f"graded {best.name} instead")
    if not jobs:
        raise GradingError(f"{base}: no notebooks found at <student>/<assignment>/<notebook>.ipynb")
    return jobs, refused, notes
