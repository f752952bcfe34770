"""Intake, before grading: an LMS download (a .zip or a folder) becomes the class layout.

    python -m autograder collect SOURCE --assignment A --out SUBMISSIONS_DIR [--map CSV] [--pattern REGEX]

writes SUBMISSIONS_DIR/<student>/<A>/<notebook>.ipynb (and each hand-in of the assignment's
``metadata.dlcourse.handin`` next to it), the layout folders.py reads, and a report of every file
of the download: SUBMISSIONS_DIR/collect-<A>.csv (student, lms_id, file, source, late, kept, reason).
Modelled on nbgrader's ZipCollectApp (nbgrader/apps/zipcollectapp.py) and its
FileNameCollectorPlugin (nbgrader/plugins/zipcollect.py: a named-group regular expression on each
file name); unlike it, nothing is extracted by the names in the archive.

Names understood (sources):
- Canvas "Download submissions": a flat zip of ``<name>_<userid>_<attachmentid>_<original>``, with
  ``LATE`` (or ``late``) before the user id for a late submission. Canvas' ContentZipper
  (instructure/canvas-lms, app/models/content_zipper.rb: get_filename joins the sortable name with
  only word characters, "LATE" when late, and the user id, then add_upload_submission appends
  ``_<attachment id>_<display name>``); anonymous grading leaves out the name. A file handed in
  again under the same name gets ``-1``, ``-2`` before its extension (Canvas renames duplicates in
  a student's files: reported in course forums, e.g. github.com/nus-cs2103-AY2324S1/forum/issues/459).
  The attachment id grows with every upload: a larger one is newer.
- Moodle "Download all submissions": ``<Full Name>_<participantid>_assignsubmission_file/<original>``
  (moodle/moodle, mod/assign/classes/downloader.php, "download as folders", the default since
  Moodle 3.1; older releases wrote ``..._assignsubmission_file_/``) or, with folders off, the flat
  ``<Full Name>_<participantid>_assignsubmission_file_<original>``. Other plugins
  (``assignsubmission_onlinetext``) are not files of a notebook and are listed. The participant id
  is Moodle's per-assignment id (``get_uniqueid_for_user``): use ``--map`` to make it the same
  student across assignments.
- ``--pattern REGEX``: any other LMS. A Python regular expression matched (``re.match``, as nbgrader)
  against each file's path in the download ("/"-separated); named groups ``student`` (or
  ``student_id``) and ``file`` (or ``file_id``), optional ``late`` (non-empty: late) and ``order``
  (digits: larger is newer).

Rules:
- the student folder is the LMS id (digits: stable and safe), or with ``--map CSV`` (columns
  ``lms_id`` and ``student_id``, nbgrader's ``id`` also accepted) the student id it maps to; an id
  not in the map, or a name that folders.py would not grade (hidden, over 128 characters, control
  characters, a path), is listed, never written;
- a file is placed only when its name, without download decorations (``-1``, `` (1)``, ``Copy of``,
  case, spaces), is one of the assignment's notebooks (``solutions/<A>/*.ipynb``) or declared
  hand-ins; everything else is listed with the reason;
- several files for one student's notebook (or hand-in): the newest is kept (larger attachment id or
  ``order``, then the later modification time, then the later position in the download); the
  others are listed as older copies;
- late files are kept and flagged (``late`` = yes; Moodle's names do not say, so its rows say "");
- limits: a notebook over ``notebook_mb``, a hand-in over its ``max_mb``: listed, never read past
  the limit (a zip's declared sizes are not trusted: reading stops at the limit); at most
  MAX_ENTRIES entries and MAX_TOTAL_MB read in all; an entry whose path is absolute or holds ``..``
  refuses the whole archive (no LMS writes one); links, devices and encrypted entries are listed;
- a rerun with a newer download rewrites only files whose bytes changed (atomically), so
  ``autograde`` regrades only those; files of earlier downloads stay;
- the submission's time: ``<student>/<A>/timestamp.txt`` in nbgrader's format (folders.py reads
  it; due dates and late penalties: autograder.records.late), the latest time the download gives
  that student's kept files: a zip entry's modification time (its extended-timestamp field, UTC,
  when the zip has one, else its DOS date and time, which has no zone: read in the grader's local
  zone, as unzip does) or, for a folder, the file's mtime. Written when the student's files are
  new or updated, or no timestamp.txt is there yet; never when every kept file of two or more
  students carries the same time (within SAME_TIME seconds): such times are the archive's, not
  the submissions' (Canvas' ContentZipper adds each entry with rubyzip's default time, when the
  zip is made), and the summary says so.
"""
import csv
import datetime
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .. import course
from ..errors import GradingError
from ..notebook import handin_specs, read, too_large
from ..text import csv_cell, for_terminal
from .folders import TIMESTAMP, student_folder_problem, timestamp_text

MAX_ENTRIES = 20_000
MAX_TOTAL_MB = 4096
MAX_DEPTH = 8  # folders below SOURCE (a Moodle download has 1-2)
SYSTEM = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")
REPORT = "collect-{assignment}.csv"
SAME_TIME = 60  # seconds: files of several students this close in time carry the archive's time

CANVAS = re.compile(r"^(?:(?P<name>[^/]*?)_)??(?:(?P<late>late)_)?(?P<student>\d+)_(?P<order>\d+)_(?P<file>[^/]+)$",
                    re.IGNORECASE)
MOODLE_FOLDER = re.compile(r"^(?P<name>[^/]*)_(?P<student>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?/(?:.+/)?(?P<file>[^/]+)$")
MOODLE_FLAT = re.compile(r"^(?P<name>[^/]*)_(?P<student>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>[^/]+)$")
DECORATION = re.compile(r"^(?:copy of )?(?P<stem>.+?)(?:[ _]?\(\d+\)|-\d+)*$")


@dataclass
class Entry:
    """One file of the download: its path there, declared size, modification time, position."""
    path: str
    size: int
    mtime: float
    position: int
    read: object = field(repr=False)  # read(limit) -> bytes (at most limit + 1 of them)
    problem: str = ""  # why it is not a readable regular file ("" if it is)


@dataclass
class Row:
    entry: Entry
    lms_id: str = ""
    student: str = ""
    target: str = ""
    late: str = ""
    order: int = -1
    limit_mb: float = 0.0
    kept: bool = False
    reason: str = ""


def _normal(name):
    """A file name without download decorations, lower case, spaces and dashes as underscores."""
    stem, dot, ext = name.strip().rpartition(".")
    stem, ext = (stem, ext) if dot else (name.strip(), "")
    match = DECORATION.match(stem.strip().lower())
    stem = match.group("stem") if match else stem.lower()
    return re.sub(r"[\s\-]+", "_", stem.strip()) + ("." + ext.lower() if dot else "")


def targets(assignment, root=None):
    """{normalized file name: (file name in the layout, size limit in MiB)} of an assignment."""
    if assignment not in course.assignments(root):
        raise GradingError(f"unknown assignment {assignment!r}; this course has: "
                           f"{', '.join(course.assignments(root)) or 'none'}")
    found = {}
    for path in sorted((course.solutions_dir(root) / assignment).glob("*.ipynb")):
        found[_normal(path.name)] = (path.name, None)
        for spec in handin_specs(read(path)):
            name = spec.get("name")
            if isinstance(name, str) and name and student_folder_problem(name) is None:
                limit = spec.get("max_mb")
                found[_normal(name)] = (name, float(limit) if isinstance(limit, (int, float)) and limit > 0 else None)
    return found


def _bounded(fileobj, limit):
    with fileobj:
        return fileobj.read(int(limit) + 1)


def _too_big(size, limit_mb, name):
    """Why a file of `size` bytes is not collected as `name`, or None."""
    if size <= limit_mb * 2 ** 20:
        return None
    if name.endswith(".ipynb"):
        return too_large(size, int(limit_mb))
    return (f"{size / 2**20:.1f} MiB, over the hand-in's limit of {limit_mb:g} MiB "
            "(max_mb in the assignment's metadata.dlcourse.handin)")


def zip_entries(source):
    """Entries of a zip file, refusing the archive when an entry's path leaves it."""
    try:
        archive = zipfile.ZipFile(source)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise GradingError(f"{source}: not a readable zip file ({exc})") from None
    if len(infos) > MAX_ENTRIES:
        raise GradingError(f"{source}: {len(infos)} entries, more than the {MAX_ENTRIES} an LMS download of a class has")
    entries = []
    for position, info in enumerate(infos):
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or "\0" in name:
            raise GradingError(f"{source}: the entry {for_terminal(name)!r} leaves the archive's folder "
                               "(absolute or with '..'); no LMS writes such a zip: refused")
        if info.is_dir():
            continue
        mode = info.external_attr >> 16
        problem = ("a symbolic link (not followed)" if stat.S_ISLNK(mode) else
                   "encrypted (the grader does not decrypt)" if info.flag_bits & 0x1 else "")
        mtime = _zip_time(info)
        entries.append(Entry(name, info.file_size, mtime, position,
                             lambda limit, i=info: _bounded(archive.open(i), limit), problem))
    return entries


def _zip_time(info):
    """Seconds since the epoch of a zip entry: its extended-timestamp extra field (0x5455, UTC) when
    present, else its DOS date and time read in the local zone (0.0 when neither is a valid time)."""
    extra, at = info.extra or b"", 0
    while at + 4 <= len(extra):
        tag, size = int.from_bytes(extra[at:at + 2], "little"), int.from_bytes(extra[at + 2:at + 4], "little")
        body = extra[at + 4:at + 4 + size]
        if tag == 0x5455 and len(body) >= 5 and body[0] & 1:
            return float(int.from_bytes(body[1:5], "little", signed=True))
        at += 4 + size
    try:
        return datetime.datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return 0.0


def folder_entries(source):
    """Entries of a folder, walked without following links (a link or device is listed, never opened)."""
    entries, base = [], Path(source)

    def walk(folder, depth):
        with os.scandir(folder) as it:
            items = sorted(it, key=lambda e: e.name)
        for item in items:
            rel = PurePosixPath(*Path(item.path).relative_to(base).parts).as_posix()
            st = item.stat(follow_symlinks=False)
            if len(entries) >= MAX_ENTRIES:
                raise GradingError(f"{source}: more than {MAX_ENTRIES} files; not an LMS download of a class")
            if stat.S_ISDIR(st.st_mode):
                if depth >= MAX_DEPTH:
                    entries.append(Entry(rel + "/", 0, 0.0, len(entries), None, f"a folder deeper than {MAX_DEPTH} levels"))
                else:
                    walk(item.path, depth + 1)
                continue
            problem = "" if stat.S_ISREG(st.st_mode) else (
                "a symbolic link (not followed)" if stat.S_ISLNK(st.st_mode) else "not a regular file (a pipe, device or socket)")
            entries.append(Entry(rel, st.st_size, st.st_mtime, len(entries), lambda limit, p=item.path: _read_file(p, limit),
                                 problem))

    walk(base, 0)
    return entries


def _read_file(path, limit):
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError("not a regular file")
        return _bounded(f, limit)


def _identify(path, pattern):
    """(lms id, original file name, late, order) from a path in the download, or a reason it is not one."""
    if pattern is not None:
        match = pattern.match(path)
        if not match:
            return "its path does not match --pattern"
        groups = match.groupdict()
        student, file = groups.get("student") or groups.get("student_id"), groups.get("file") or groups.get("file_id")
        if not student or not file:
            return "--pattern matched, but its student or file group is empty"
        order = groups.get("order") or ""
        return student, PurePosixPath(file).name, "yes" if groups.get("late") else "", int(order) if order.isdigit() else -1
    for regex in (MOODLE_FOLDER, MOODLE_FLAT):
        match = regex.match(path)
        if match:
            if match.group("plugin") != "file":
                return f"Moodle's assignsubmission_{match.group('plugin')} (not a file submission)"
            return match.group("student"), match.group("file"), "", -1
    match = CANVAS.match(path)
    if match:
        return match.group("student"), match.group("file"), "yes" if match.group("late") else "no", int(match.group("order"))
    return "not named as a Canvas or Moodle submission (use --pattern for another LMS)"


def read_map(path):
    """{lms id: student id} of a --map CSV (header with lms_id, and student_id or id)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GradingError(f"--map {path}: cannot be read ({exc})") from None
    if not rows or "lms_id" not in rows[0] or not ({"student_id", "id"} & set(rows[0])):
        raise GradingError(f"--map {path}: expected a header with the columns lms_id and student_id (or id)")
    mapping = {}
    for number, row in enumerate(rows, 2):
        lms, student = (row.get("lms_id") or "").strip(), (row.get("student_id") or row.get("id") or "").strip()
        if not lms or not student:
            raise GradingError(f"--map {path}, line {number}: an empty lms_id or student id")
        problem = student_folder_problem(student)
        if problem:
            raise GradingError(f"--map {path}, line {number}: the student id {for_terminal(student)!r} cannot be a folder: {problem}")
        if mapping.get(lms, student) != student:
            raise GradingError(f"--map {path}, line {number}: lms_id {lms} is mapped twice")
        mapping[lms] = student
    return mapping


def _place(rows, assignment, names, mapping, notebook_mb):
    """Decide for each row: its student, target file, or the reason it is skipped."""
    for row in rows:
        entry = row.entry
        base = PurePosixPath(entry.path).name
        if entry.problem:
            row.reason = f"refused: {entry.problem}"
            continue
        if base in SYSTEM or entry.path.split("/")[0] in SYSTEM or base.startswith("."):
            row.reason = "skipped: a system or hidden file"
            continue
        found = _identify(entry.path, names["pattern"])
        if isinstance(found, str):
            row.reason = f"skipped: {found}"
            continue
        row.lms_id, original, row.late, row.order = found
        student = mapping.get(row.lms_id) if mapping is not None else row.lms_id
        if student is None:
            row.reason = f"skipped: LMS id {row.lms_id} is not in --map"
            continue
        problem = student_folder_problem(student)
        if problem:
            row.reason = f"skipped: {for_terminal(student)!r} cannot be a student folder: {problem}"
            continue
        row.student = student
        target = names["targets"].get(_normal(original))
        if target is None:
            known = ", ".join(sorted(t for t, _ in names["targets"].values()))
            row.reason = f"skipped: {for_terminal(original)!r} is not a notebook or hand-in of {assignment} ({known})"
            continue
        row.target, row.limit_mb = target[0], target[1] if target[1] is not None else notebook_mb
        big = _too_big(entry.size, row.limit_mb, row.target)
        if big:
            row.reason = f"skipped: {big}"
            row.target = ""


def collect(source, assignment, out, root=None, cfg=None, mapping=None, pattern=None, log=print):
    """Collect an LMS download into OUT/<student>/<assignment>/; returns the report's rows."""
    source, out = Path(source), Path(out)
    names = {"targets": targets(assignment, root)}
    try:
        names["pattern"] = re.compile(pattern) if pattern else None
    except re.error as exc:
        raise GradingError(f"--pattern: not a valid regular expression ({exc})") from None
    if pattern and not ({"student", "student_id"} & set(names["pattern"].groupindex)
                        and {"file", "file_id"} & set(names["pattern"].groupindex)):
        raise GradingError("--pattern needs the named groups (?P<student>...) and (?P<file>...)")
    if source.is_symlink() or not source.exists():
        raise GradingError(f"{source}: no such zip file or folder" + (" (a link: pass the file itself)" if source.is_symlink() else ""))
    if source.is_dir():
        entries = folder_entries(source)
    elif source.is_file():
        entries = zip_entries(source)
    else:
        raise GradingError(f"{source}: not a zip file or folder")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise GradingError(f"--out {out}: not a folder")
    limit_mb = (cfg.notebook_mb if cfg is not None else 20) or MAX_TOTAL_MB  # 0: no grader limit; still bounded
    rows = [Row(e) for e in entries]
    _place(rows, assignment, names, mapping, limit_mb)
    groups = {}
    for row in rows:
        if row.target:
            groups.setdefault((row.student, row.target), []).append(row)
    total = 0
    for (student, target), members in sorted(groups.items()):
        members.sort(key=lambda r: (r.order, r.entry.mtime, r.entry.position), reverse=True)
        for row in members:
            try:
                data = row.entry.read(int(row.limit_mb * 2 ** 20))
            except Exception as exc:  # a damaged entry: CRC, compression, vanished file
                row.reason = f"refused: cannot be read ({type(exc).__name__}: {for_terminal(str(exc))[:200]})"
                continue
            total += len(data)
            if total > MAX_TOTAL_MB * 2 ** 20:
                raise GradingError(f"{source}: more than {MAX_TOTAL_MB} MiB of files; not an LMS download of one assignment")
            big = _too_big(len(data), row.limit_mb, target)
            if big:  # larger than its zip header said
                row.reason = f"skipped: {big}"
                continue
            row.kept = True
            row.reason = _write(out / student / assignment, target, data)
            for other in members:
                if other is not row and not other.reason:
                    other.reason = f"skipped: an older copy of {target} (kept {for_terminal(row.entry.path)})"
            break
    stamped = _write_timestamps(out, assignment, [r for r in rows if r.kept], log)
    report = out / REPORT.format(assignment=assignment)
    _write_report(report, rows, assignment)
    kept = [r for r in rows if r.kept]
    if not kept:
        raise GradingError(f"{source}: no file is a submission of {assignment}; each file and why: {report}")
    counts = {k: sum(r.reason == k for r in kept) for k in ("new", "updated", "unchanged")}
    skipped = [r for r in rows if not r.kept]
    for row in skipped:
        log(f"{for_terminal(row.entry.path)}: {row.reason}")
    log(f"collected {len(kept)} file(s) of {len({r.student for r in kept})} student(s) into {out} "
        f"({counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged; "
        f"{sum(r.late == 'yes' for r in kept)} late); {len(skipped)} not placed; {stamped} {TIMESTAMP} written; "
        f"report: {report}")
    return rows


def _write_timestamps(out, assignment, kept, log):
    """Write <student>/<assignment>/timestamp.txt from the kept files' times (see the module docstring);
    returns how many were written."""
    times = [r.entry.mtime for r in kept if r.entry.mtime > 0]
    if len({r.student for r in kept}) > 1 and times and max(times) - min(times) <= SAME_TIME:
        log(f"{TIMESTAMP} not written: every file of this download carries the same time "
            f"({timestamp_text(max(times)).strip()}), the time the archive was made, not when each was "
            "submitted; without timestamp.txt no submission counts as late")
        return 0
    written = 0
    for student in sorted({r.student for r in kept}):
        mine = [r for r in kept if r.student == student]
        latest = max(r.entry.mtime for r in mine)
        path = out / student / assignment / TIMESTAMP
        if latest <= 0 or (path.exists() and all(r.reason == "unchanged" for r in mine)):
            continue
        if _write(path.parent, TIMESTAMP, timestamp_text(latest).encode()) != "unchanged":
            written += 1
    return written


def _write(folder, name, data):
    """Write data as folder/name unless it holds these bytes already; 'new', 'updated' or 'unchanged'."""
    for part in (folder.parent, folder):
        if part.is_symlink() or (part.exists() and not part.is_dir()):
            raise GradingError(f"{part}: not a folder (a link or a file); remove it and collect again")
        part.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise GradingError(f"{path}: not a regular file; remove it and collect again")
    if path.exists():
        if path.read_bytes() == data:
            return "unchanged"
        state = "updated"
    else:
        state = "new"
    tmp = folder / f".{name}.collect-tmp"
    tmp.unlink(missing_ok=True)
    with open(tmp, "xb") as f:
        f.write(data)
    os.replace(tmp, path)
    return state


def _write_report(path, rows, assignment):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "lms_id", "file", "source", "late", "kept", "reason"])
    for row in sorted(rows, key=lambda r: (r.student, r.target, not r.kept, r.entry.path)):
        writer.writerow([csv_cell(row.student), csv_cell(row.lms_id),
                         csv_cell(f"{row.student}/{assignment}/{row.target}" if row.kept else row.target),
                         csv_cell(row.entry.path), row.late, "yes" if row.kept else "no", csv_cell(row.reason)])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
