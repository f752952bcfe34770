"""The grading journal: every result on disk the moment it is known, so no run loses work.

    OUT_DIR/journal.jsonl   one JSON object per line, appended and fsync'ed, never rewritten

Entry kinds (field "kind"):
- "result": {"key": [student, assignment, file name], "fingerprint": ..., "submission": sha256 of
  the file, "path": where it was read, "result": the grade_notebook result, "answers": {grade_id:
  the student's written answer}}; the last one of a key wins (`Journal.latest` holds the keys in
  the order of their last results).
- "stored": {"key": ..., "fingerprint": ...}: that result is in the gradebook too.
- "marked": {"key": [student, assignment, notebook, question], "answer": digest of the written
  answer a TA's points were imported for (autograder.records.manual)}: the last one of a key
  wins; an answer whose digest differs has changed since it was graded.

A process killed at any moment (kill -9) leaves at most a torn last line, which is ignored: the
submissions in flight are lost, nothing else. What counts as a change (a rerun regrades exactly
those submissions whose fingerprint differs from their last result's):
- the submitted file's bytes (sha256), and those of its hand-ins (metadata.dlcourse.handin), or
  why a hand-in is not used (missing, a link, too large): deleting or replacing one regrades;
- the instructor notebooks solutions/<assignment>/*.ipynb (bytes; any of them changes all of the
  assignment's results);
- the course library: every dlcourse/**/*.py and the kernel-side runner autograder/run/runner.py;
- the grading settings that can change a score: cell_timeout, submission_timeout,
  memory_limit_mb, sandbox, max_processes, tmp_mb, cgroups, wall_backstop.
The hidden-test seed is not part of it and is never written here (a fresh secret per run, see
autograder.judge.seeds: a new seed alone is no reason to regrade), nor the
number of workers or the scheduler. `--force` regrades everything, `--student NAME` one student.
"""
import hashlib
import json
import os
from pathlib import Path


SETTINGS = ("cell_timeout", "submission_timeout", "memory_limit_mb", "sandbox", "max_processes", "tmp_mb",
            "cgroups", "wall_backstop")
NAME = "journal.jsonl"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def library_digest():
    """sha256 over every file a kernel is given as its library (run.execute.kernel_library)."""
    from ..run.execute import kernel_library
    h = hashlib.sha256()
    for name, path in kernel_library():
        h.update(name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def instructor_digest(assignment_dir):
    """sha256 over the instructor notebooks of one assignment ("-" for an unknown assignment)."""
    paths = sorted(Path(assignment_dir).glob("*.ipynb"))
    return sha256(b"".join(p.name.encode() + b"\0" + p.read_bytes() for p in paths)) if paths else "-"


def with_handins(submission_sha, files, problems):
    """The submission's digest with its hand-ins folded in ({name: path} used, problems for the
    rest: see grade.handin_files); unchanged for a notebook without hand-ins."""
    if not files and not problems:
        return submission_sha
    parts = [submission_sha] + [f"{name}:{sha256(Path(p).read_bytes())}" for name, p in sorted(files.items())]
    return sha256("|".join(parts + sorted(problems)).encode())


def fingerprint(submission_sha, instructor_sha, library, cfg):
    """What a result depends on (see the module docstring)."""
    settings = json.dumps({k: getattr(cfg, k) for k in SETTINGS}, sort_keys=True)
    return sha256(f"{submission_sha}|{instructor_sha}|{library}|{settings}".encode())


class Journal:
    """Append-only JSON lines with fsync; `latest` holds the last result entry per key."""

    def __init__(self, out_dir):
        self.path = Path(out_dir) / NAME
        self.latest, self.stored, self.marked = {}, {}, {}
        if self.path.exists():
            with open(self.path, "rb") as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                        key = tuple(entry["key"])
                    except (ValueError, KeyError, TypeError):
                        continue  # a line torn by a kill: that submission is graded again
                    if entry.get("kind") == "result":
                        self.latest.pop(key, None)  # `latest` in the order of each key's last result
                        self.latest[key] = entry
                    elif entry.get("kind") == "stored":
                        self.stored[key] = entry.get("fingerprint")
                    elif entry.get("kind") == "marked":
                        self.marked[key] = entry.get("answer")
        self._file = None

    def _append(self, entry):
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "ab")
            if self._file.tell() and not self.path.read_bytes().endswith(b"\n"):
                self._file.write(b"\n")  # end a torn line so the next entry stands on its own
        self._file.write((json.dumps(entry, separators=(",", ":")) + "\n").encode())
        self._file.flush()
        os.fsync(self._file.fileno())

    def add_result(self, key, fp, submission_sha, path, result, answers):
        entry = {"kind": "result", "key": list(key), "fingerprint": fp, "submission": submission_sha,
                 "path": str(path), "result": result, "answers": answers}
        self._append(entry)
        self.latest.pop(tuple(key), None)
        self.latest[tuple(key)] = entry

    def mark_stored(self, key):
        fp = self.latest[tuple(key)]["fingerprint"]
        self._append({"kind": "stored", "key": list(key), "fingerprint": fp})
        self.stored[tuple(key)] = fp

    def mark(self, key, answer):
        """Points were imported for this written answer (key: student, assignment, notebook, question)."""
        self._append({"kind": "marked", "key": list(key), "answer": answer})
        self.marked[tuple(key)] = answer

    def is_current(self, key, fp):
        entry = self.latest.get(tuple(key))
        return entry is not None and entry["fingerprint"] == fp

    def needs_store(self, key):
        entry = self.latest.get(tuple(key))
        return entry is not None and self.stored.get(tuple(key)) != entry["fingerprint"]

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
