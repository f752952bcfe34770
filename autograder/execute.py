"""Run a list of cells in a fresh, limited child kernel, one cell at a time.

Every cell has its own time limit and the whole run has one. A cell that times out or kills
its kernel (os._exit, abort, memory exhaustion) is reported as such; the kernel is restarted,
the earlier non-test cells are replayed quietly to rebuild the state, and the run goes on, so
what can still be graded is graded.
"""
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import sandbox

RUNNER = Path(__file__).with_name("runner.py")
MAX_LINE = 16 << 20
FILE_LIMIT = 256 << 20


@dataclass
class Outcome:
    """What happened to one cell. status: ok, error, timeout, crashed, skipped."""
    status: str
    ename: str = None
    evalue: str = None
    records: list = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Cell:
    index: int
    source: str
    timeout: float
    replay: bool = True  # re-run after a restart to rebuild state (False for test cells)


def _limits(memory_mb):
    def apply():
        if memory_mb:
            limit = memory_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # no file the kernel writes (its folder is on the grader's disk) may grow past this
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
    return apply


class Kernel:
    """One child process running runner.py."""

    def __init__(self, workdir, libdir, env, mode, memory_mb):
        self.cmd_r, self.cmd_w = os.pipe()
        self.out_r, self.out_w = os.pipe()
        cwd, lib = sandbox.inside(mode, workdir, libdir)
        argv = sandbox.command(mode, workdir, libdir, [sys.executable, "-u", f"{lib}/runner.py",
                                                       str(self.cmd_r), str(self.out_w)])
        env = dict(env, PYTHONPATH=lib, HOME=cwd, MPLCONFIGDIR=str(Path(cwd) / ".mpl"))
        self.proc = subprocess.Popen(
            # the kernel's own output is never read: grading uses records only, and feedback must not
            # quote it (IPython tracebacks show the hidden tests' source)
            argv, cwd=workdir if mode == "none" else None, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(self.cmd_r, self.out_w),
            start_new_session=True, preexec_fn=_limits(memory_mb))
        os.close(self.cmd_r)
        os.close(self.out_w)
        self.pending = b""
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.out_r, selectors.EVENT_READ)

    def run(self, cell, deadline):
        """Run one cell until it reports done, the kernel dies, or the deadline (monotonic) passes."""
        start = time.monotonic()
        outcome = Outcome("crashed")
        try:
            os.write(self.cmd_w, (json.dumps({"index": cell.index, "source": cell.source}) + "\n").encode())
        except OSError:
            return outcome
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                outcome.status = "timeout"
                break
            if not self.sel.select(timeout=min(left, 1.0)):
                if self.proc.poll() is not None:
                    break  # died, and a leftover process of its own may hold the pipe open
                continue
            try:
                data = os.read(self.out_r, 1 << 20)
            except OSError:
                data = b""
            if not data:  # the kernel closed its end: it died
                break
            done = self._lines(data, cell.index, outcome)
            if done:
                break
        outcome.seconds = time.monotonic() - start
        return outcome

    def _lines(self, data, index, outcome):
        self.pending += data
        if len(self.pending) > MAX_LINE and b"\n" not in self.pending:
            self.pending = b""  # an over-long line: dropped
        *lines, self.pending = self.pending.split(b"\n")
        for raw in lines:
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(msg, dict):
                continue
            if msg.get("op") == "done" and msg.get("index") == index:
                outcome.status = "ok" if msg.get("ok") is True else "error"
                outcome.ename = str(msg.get("ename") or "")[:200] or None
                outcome.evalue = str(msg.get("evalue") or "")[:2000] or None
                return True
            if "key" in msg and "value" in msg:
                outcome.records.append(msg)
        return False

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        for fd in (self.cmd_w, self.out_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.sel.close()


def child_env(extra=None):
    """A scrubbed environment: nothing of the grader's own variables reaches the kernel."""
    env = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1",
               PYTHONUNBUFFERED="1", PYTHONNOUSERSITE="1", NBGRADER_EXECUTION="autograde",
               DLCOURSE_GRADING="1", DLCOURSE_MODE="smoke", TQDM_DISABLE="1")
    env.update(extra or {})
    return env


def run_cells(cells, *, seed, cfg, sandbox_mode="none", log=None, files=None):
    """Run cells in order in a fresh kernel; returns a list of Outcome, one per cell.

    Inputs:
    - cells: list of Cell (each with its own time limit).
    - seed: the hidden-test seed (DLCOURSE_GRADING_SEED).
    - cfg: the grading Config (submission_timeout, memory_limit_mb).
    - sandbox_mode: "bwrap" or "none" (see sandbox.resolve).
    - files: {name: path} of files copied into the kernel's working folder first (handed-in
      files the notebook reads, checked by the caller: see grade.handin_files).
    """
    submission_timeout, memory_mb = cfg.submission_timeout, cfg.memory_limit_mb
    import dlcourse

    tmp = Path(tempfile.mkdtemp(prefix="dlcourse-grade-"))
    workdir, libdir = tmp / "work", tmp / "lib"
    workdir.mkdir()
    libdir.mkdir()
    shutil.copytree(Path(dlcourse.__file__).parent, libdir / "dlcourse", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(RUNNER, libdir / "runner.py")
    for name, path in (files or {}).items():
        shutil.copyfile(path, workdir / name)
    env = child_env({"DLCOURSE_GRADING_SEED": str(seed)})

    def start():
        return Kernel(workdir, libdir, env, sandbox_mode, memory_mb)

    outcomes = []
    end = time.monotonic() + submission_timeout
    kernel = start()
    try:
        for pos, cell in enumerate(cells):
            if time.monotonic() >= end:
                outcomes.append(Outcome("timeout", "SubmissionTimeout",
                                        f"the submission's time limit ({submission_timeout:g} s) was used up"))
                continue
            deadline = min(time.monotonic() + cell.timeout, end)
            outcome = kernel.run(cell, deadline)
            if outcome.status == "timeout":
                outcome.ename = "CellTimeout"
                outcome.evalue = f"the cell ran longer than its limit of {cell.timeout:g} s"
            if outcome.status == "crashed":
                code = kernel.proc.poll()
                outcome.ename = "KernelDied"
                outcome.evalue = ("the kernel died while running this cell"
                                  + (f" (exit status {code})" if code is not None else "")
                                  + ": os._exit, an abort, or running out of memory "
                                  f"(limit {memory_mb} MiB)")
            outcomes.append(outcome)
            if log:
                log(f"  cell {cell.index}: {outcome.status} ({outcome.seconds:.1f}s)")
            if outcome.status in ("timeout", "crashed"):
                kernel.close()
                kernel = start()
                for earlier, done in zip(cells[:pos], outcomes):
                    # rebuild state from cells that finished (not from those that hung or crashed)
                    if earlier.replay and done.status in ("ok", "error") and time.monotonic() < end:
                        kernel.run(earlier, min(time.monotonic() + earlier.timeout, end))
    finally:
        kernel.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return outcomes
