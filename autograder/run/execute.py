"""Run a list of cells in a fresh, limited child kernel, one cell at a time.

Every cell has its own time limit and the whole run has one: CPU seconds of the kernel's own
processes where its cgroup accounts for them (autograder.run.resources; a neighbour's load cannot
use them up), with a wall-clock backstop; wall-clock seconds where it cannot. A cell that times out or kills
its kernel (os._exit, abort, memory exhaustion) is reported as such; the kernel is restarted,
the earlier non-test cells are replayed quietly to rebuild the state, and the run goes on, so
what can still be graded is graded.

Where the time goes (`run_cells(..., timings={})`): every figure is measured here, by the grader,
never taken from the kernel. A kernel is started when it answers an empty command (START_PING):
that is its "start" (the sandbox, the interpreter, IPython). Each Outcome carries its cell's wall
seconds, the kernel's CPU seconds (its cgroup's cpuacct; None without cgroup accounting) and the
grader thread's own CPU seconds (time.thread_time: with parallel workers, process_time would count
the other workers' too).
"""
import json
import os
import re
import resource
import select
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import resources, sandbox
from ..notebook import is_autograded_test, is_demo, timeout
from ..text import clean

RUNNER = Path(__file__).with_name("runner.py")


def kernel_library():
    """[(name, path)] of every file copied into each kernel's library folder (its PYTHONPATH),
    named as they appear there: the course library dlcourse/**/*.py (and its data), the runner,
    and of autograder only what the hidden tests import in the kernel (KERNEL_SIDE): its
    __init__.py and errors.py, autograder/chapters/__init__.py and each chapter's __init__.py,
    probes.py and handin.py. Never a chapter's checks.py, never autograder/data, nothing else."""
    import dlcourse
    base = Path(dlcourse.__file__).resolve().parent
    files = [(str(p.relative_to(base.parent)), p) for p in sorted(base.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    grader = Path(__file__).resolve().parents[1]  # autograder/
    files += [(f"autograder/{name}", grader / name) for name in ("__init__.py", "errors.py", "chapters/__init__.py")]
    for chapter in sorted(p for p in (grader / "chapters").iterdir() if (p / "__init__.py").is_file()):
        files += [(f"autograder/chapters/{chapter.name}/{name}", chapter / name) for name in KERNEL_SIDE
                  if (chapter / name).is_file()]
    return files + [("runner.py", RUNNER)]


KERNEL_SIDE = ("__init__.py", "probes.py", "handin.py")  # of a chapter's files, what a kernel is given


MAX_LINE = 16 << 20
FILE_LIMIT = 256 << 20
MAX_RECORD_DEPTH = 6  # {"value": {"dict": {k: {"dict": ...}}}}: encode produces at most a few levels
# What one JSON value may cost in the grader's memory beyond its bytes, once parsed (a dict, its key
# and its slot: measured at most ~160 bytes per value with tracemalloc, for tiny dicts of one entry)
NODE_COST = 256
DONE_LINE = 64 << 10  # the kernel's "done" message is short; past a cap only lines this short are parsed


def record_cost(raw):
    """An upper bound of the grader memory the record line `raw` (bytes) takes once parsed, computed
    before parsing: every JSON value is opened by "{" or "[" or follows a ",", so those bytes bound
    the number of values; a string holding one non-ASCII character is stored at up to 4 bytes a character."""
    nodes = raw.count(b"{") + raw.count(b"[") + raw.count(b",")
    wide = 4 if not raw.isascii() or b"\\u" in raw else 1
    return len(raw) * wide + NODE_COST * nodes


def valid_record(msg):
    """True when msg has the shape dlcourse.grading.record writes: a str key and a bounded value."""
    if not isinstance(msg.get("key"), str) or len(msg["key"]) > 1000 or not isinstance(msg.get("value"), dict):
        return False
    stack = [(msg["value"], 1)]
    while stack:
        value, level = stack.pop()
        if level > MAX_RECORD_DEPTH or not isinstance(value, dict):
            return False
        if isinstance(value.get("dict"), dict):
            if not all(isinstance(k, str) for k in value["dict"]):
                return False
            stack.extend((v, level + 1) for v in value["dict"].values())
        elif "error" in value:
            if not isinstance(value["error"], str):
                return False
        elif not (isinstance(value.get("f64"), str) and isinstance(value.get("shape"), list)
                  and len(value["shape"]) <= 32 and all(type(n) is int and n >= 0 for n in value["shape"])):
            return False
    return True


@dataclass
class Outcome:
    """What happened to one cell. status: ok, error, timeout, crashed, skipped."""
    status: str
    ename: str = None
    evalue: str = None
    records: list = field(default_factory=list)
    seconds: float = 0.0
    malformed: int = 0  # records dropped for not having the shape record() writes
    overflow: str = None  # why records were discarded past a cap
    record_bytes: int = 0
    cpu_seconds: float = None  # CPU time of the kernel's processes during the cell (with cgroup accounting)
    stages: dict = None  # a test cell run in two stages (split_test): {"visible": Outcome, "hidden": Outcome}
    grader_cpu: float = 0.0  # CPU seconds of the grading thread while it ran the cell (time.thread_time)


@dataclass
class Cell:
    index: int
    source: str
    timeout: float
    replay: bool = True  # re-run after a restart to rebuild state (False for test cells)
    stage: str = None  # "visible" or "hidden": one of the two parts of a split test cell (split_test)

    @property
    def command(self):
        """The id the kernel's "done" message must echo: the cell's index, with its stage for a
        split test cell ("7:hidden"), so a stage never takes another's reply for its own."""
        return self.index if self.stage is None else f"{self.index}:{self.stage}"


HIDDEN_MARK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS", re.M)


def split_test(source):
    """(visible part, hidden part) of a test cell's source, cut at its ``### BEGIN HIDDEN TESTS``
    line, or None when it has no hidden part or nothing but comments and blank lines before it.
    The hidden part keeps the cell's line numbers (blank lines stand for the visible part), so an
    error in it names the line of the cell."""
    mark = HIDDEN_MARK.search(source)
    if mark is None:
        return None
    visible = source[:mark.start()]
    if not any(line.strip() and not line.strip().startswith("#") for line in visible.splitlines()):
        return None
    return visible, "\n" * visible.count("\n") + source[mark.start():]


def grading_cells(nb, cell_timeout, upto=None, tests=True):
    """[Cell] of the code cells of notebook `nb` that grading runs: all but the instructor's demo
    cells (metadata.dlcourse.grading = "skip"); tests=False leaves the autograded tests out too;
    upto: only nb.cells[:upto]. Each gets its own time limit (metadata.dlcourse.timeout, else
    cell_timeout); a test cell is never replayed after a restart.

    A test cell with a hidden part is run as two cells of the same index (split_test): its
    visible checks (stage "visible"), then its hidden tests (stage "hidden"), each with the
    cell's time limit and its own records and error, so a failing visible check never keeps the
    hidden tests from running; join_stages makes them one outcome again."""
    cells = []
    for i, c in enumerate(nb.cells[:upto]):
        if c.cell_type != "code" or is_demo(c) or (not tests and is_autograded_test(c)):
            continue
        limit, test = timeout(c, cell_timeout), is_autograded_test(c)
        parts = split_test(c.source) if test else None
        if parts:
            cells += [Cell(i, parts[0], limit, replay=False, stage="visible"),
                      Cell(i, parts[1], limit, replay=False, stage="hidden")]
        else:
            cells.append(Cell(i, c.source, limit, replay=not test))
    return cells


def join_stages(cells, outcomes):
    """[(Cell, Outcome)], one per notebook cell: the two stages of a split test cell (grading_cells)
    joined into one outcome. Its records are both stages' (each record tagged, here, with the
    "stage" that made it: what a kernel sent under that name is overwritten); its status, error
    and time are the first failing stage's (else the hidden one's), and ``stages`` keeps both."""
    joined = []
    for cell, outcome in zip(cells, outcomes):
        for rec in outcome.records:
            if isinstance(rec, dict):
                rec["stage"] = cell.stage
        if cell.stage == "hidden" and joined and joined[-1][0].index == cell.index and joined[-1][0].stage == "visible":
            first_cell, first = joined.pop()
            worst = first if first.status != "ok" else outcome
            both = Outcome(worst.status, worst.ename, worst.evalue, records=first.records + outcome.records,
                           seconds=first.seconds + outcome.seconds, malformed=first.malformed + outcome.malformed,
                           overflow=first.overflow or outcome.overflow, record_bytes=first.record_bytes + outcome.record_bytes,
                           cpu_seconds=None if first.cpu_seconds is None else first.cpu_seconds + (outcome.cpu_seconds or 0.0),
                           grader_cpu=first.grader_cpu + outcome.grader_cpu,
                           stages={"visible": first, "hidden": outcome})
            # the cell's text again: the hidden stage's without the blank lines that stood for the visible part
            joined.append((Cell(cell.index, first_cell.source + cell.source.lstrip("\n"), cell.timeout, replay=False), both))
        else:
            joined.append((cell, outcome))
    return joined


def _limits(memory_mb, group=None):
    def apply():
        if group is not None:
            try:
                group.join()  # before anything else: every process the kernel starts inherits it
            except OSError:
                pass
        if memory_mb:
            limit = memory_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # no file the kernel writes (its folder is on the grader's disk) may grow past this
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
    return apply


class Kernel:
    """One child process running runner.py."""

    def __init__(self, workdir, libdir, env, mode, memory_mb, caps=(32 << 20, 1000), budget=None, *,
                 max_processes=0, tmp_mb=0, cgroups=True, uid=sandbox.SANDBOX_UID):
        self.cell_cap, self.cell_count = caps
        self.budget = budget if budget is not None else [128 << 20]  # shared by the submission's kernels
        # the kernel's own cgroup (memory over all its processes, a process count, its CPU share and time)
        self.group = resources.Group(memory_mb, max_processes) if cgroups else None
        self.cmd_r, self.cmd_w = os.pipe()
        self.out_r, self.out_w = os.pipe()
        cwd, lib = sandbox.inside(mode, workdir, libdir)
        argv = sandbox.command(mode, workdir, libdir, [sys.executable, "-u", f"{lib}/runner.py",
                                                       str(self.cmd_r), str(self.out_w)], tmp_mb=tmp_mb,
                              uid=uid)
        env = dict(env, PYTHONPATH=lib, HOME=cwd, MPLCONFIGDIR=str(Path(cwd) / ".mpl"))
        try:
            self.proc = self._popen(argv, workdir, mode, env, memory_mb)
        except BaseException:
            if self.group is not None:
                self.group.close()
            for fd in (self.cmd_r, self.cmd_w, self.out_r, self.out_w):
                os.close(fd)
            raise
        os.close(self.cmd_r)
        os.close(self.out_w)
        os.set_blocking(self.cmd_w, False)
        self.pending = b""
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.out_r, selectors.EVENT_READ)

    def _popen(self, argv, workdir, mode, env, memory_mb):
        return subprocess.Popen(
            # the kernel's own output is never read: grading uses records only, and feedback must not
            # quote it (IPython tracebacks show the hidden tests' source)
            argv, cwd=workdir if mode == "none" else None, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(self.cmd_r, self.out_w),
            start_new_session=True, preexec_fn=_limits(memory_mb, self.group))

    def cpu_seconds(self):
        """CPU seconds used by all the kernel's processes so far (None without cgroup accounting)."""
        return self.group.cpu_seconds() if self.group is not None else None

    def run(self, cell, deadline, cpu_limit=None):
        """Run one cell until it reports done, the kernel dies, the deadline (monotonic) passes, or
        (with cgroup accounting) its processes have used cpu_limit seconds of CPU during it."""
        start, grader_start = time.monotonic(), time.thread_time()
        cpu_start = self.cpu_seconds() if cpu_limit is not None else None
        outcome = Outcome("crashed")
        if not self._send((json.dumps({"index": cell.command, "source": cell.source}) + "\n").encode(), deadline):
            outcome.status = "timeout" if time.monotonic() >= deadline else "crashed"
            outcome.seconds = time.monotonic() - start
            outcome.grader_cpu = time.thread_time() - grader_start
            return outcome
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                outcome.status = "timeout"
                break
            if cpu_start is not None and (self.cpu_seconds() or cpu_start) - cpu_start > cpu_limit:
                outcome.status, outcome.ename = "timeout", "CpuTime"
                break
            if not self.sel.select(timeout=min(left, 0.25 if cpu_start is not None else 1.0)):
                if self.proc.poll() is not None:
                    break  # died, and a leftover process of its own may hold the pipe open
                continue
            try:
                data = os.read(self.out_r, 1 << 20)
            except OSError:
                data = b""
            if not data:  # the kernel closed its end: it died
                break
            done = self._lines(data, cell.command, outcome)
            if done:
                break
        outcome.seconds = time.monotonic() - start
        outcome.grader_cpu = time.thread_time() - grader_start
        if cpu_start is not None:
            outcome.cpu_seconds = max(0.0, (self.cpu_seconds() or cpu_start) - cpu_start)
        return outcome

    def _send(self, data, deadline):
        """Write a command to the kernel's pipe, never blocking past the deadline (a kernel that stops
        reading its pipe must not hang the grader). False when the kernel died or the deadline passed."""
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            _, writable, _ = select.select([], [self.cmd_w], [], min(left, 1.0))
            if not writable:
                if self.proc.poll() is not None:
                    return False
                continue
            try:
                view = view[os.write(self.cmd_w, view):]
            except BlockingIOError:
                continue
            except OSError:  # broken pipe: the kernel is gone
                return False
        return True

    def _room(self, size, outcome):
        """True when a record costing `size` fits the cell's and the submission's caps; else the cell
        overflows and its records are discarded (nothing more of it is parsed)."""
        if outcome.overflow:
            return False
        if outcome.record_bytes + size > self.cell_cap or len(outcome.records) >= self.cell_count:
            outcome.overflow = (f"the cell recorded more than the grader keeps "
                                f"({self.cell_count} records or {self.cell_cap >> 20} MiB per cell)")
        elif size > self.budget[0]:
            outcome.overflow = "the submission recorded more than the grader keeps in all"
        else:
            return True
        outcome.records.clear()
        return False

    def _store(self, msg, size, outcome):
        outcome.record_bytes += size
        self.budget[0] -= size
        outcome.records.append(msg)

    def _lines(self, data, index, outcome):
        """Parse the complete lines received so far. The grader's memory stays bounded whatever the
        kernel sends: at most MAX_LINE bytes wait for their newline, and a record line is parsed only
        when what parsing it costs (record_cost, known before parsing) fits the caps."""
        self.pending += data
        if len(self.pending) > MAX_LINE and b"\n" not in data:
            self.pending = b""  # an over-long line: dropped
        *lines, self.pending = self.pending.split(b"\n")
        for raw in lines:
            if len(raw) > DONE_LINE:  # the done message is short: a long line is a record, or nothing
                if len(raw) > MAX_LINE or not self._room(record_cost(raw), outcome):
                    continue
            try:
                msg = json.loads(raw)
            except (ValueError, RecursionError):  # not JSON, or nested deeply enough to exhaust recursion
                continue
            if not isinstance(msg, dict):
                continue
            if msg.get("op") == "done" and msg.get("index") == index:
                outcome.status = "ok" if msg.get("ok") is True else "error"
                # the kernel's words: no lone surrogate may reach a writer (HTML, CSV, the gradebook)
                outcome.ename = clean(str(msg.get("ename") or "")[:200]) or None
                outcome.evalue = clean(str(msg.get("evalue") or "")[:2000]) or None
                if outcome.overflow:
                    outcome.status, outcome.ename, outcome.evalue = "error", "RecordLimit", outcome.overflow
                return True
            if "key" in msg and "value" in msg:
                if not valid_record(msg):
                    outcome.malformed += 1
                    continue
                size = record_cost(raw)
                if len(raw) <= DONE_LINE and not self._room(size, outcome):
                    continue
                self._store(msg, size, outcome)
        return False

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        if self.group is not None:
            self.group.close()  # whatever escaped the process group (setsid) ends here, and the group goes
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


START_PING = Cell(-1, "", 0.0)  # the empty command a new kernel must answer: then it has started


def phase(wall=0.0, cpu=0.0, grader_cpu=0.0):
    """One phase's figures in a result's timings: wall seconds, the kernel's CPU seconds (None where
    no cgroup accounts for it), the grader's own CPU seconds."""
    return {"wall": wall, "cpu": cpu, "grader_cpu": grader_cpu}


def add(into, wall=0.0, cpu=0.0, grader_cpu=0.0):
    """Add figures to a phase() dict in place (a None kernel CPU stays None)."""
    into["wall"] += wall
    into["cpu"] = None if into["cpu"] is None or cpu is None else into["cpu"] + cpu
    into["grader_cpu"] += grader_cpu
    return into


def run_cells(cells, *, seed, cfg, sandbox_mode="none", log=None, files=None, timings=None):
    """Run cells in order in a fresh kernel; returns a list of Outcome, one per cell.

    Inputs:
    - cells: list of Cell (each with its own time limit).
    - seed: the hidden-test seed (DLCOURSE_GRADING_SEED).
    - cfg: the grading Config (submission_timeout, memory_limit_mb).
    - sandbox_mode: "bwrap" or "none" (see sandbox.resolve).
    - files: {name: path} of files copied into the kernel's working folder first (handed-in
      files the notebook reads, checked by the caller: see grade.handin_files).
    - timings: a dict filled with phase() figures (module docstring): "start" (the first kernel up
      until it answers), "restarts" (kernels started again after a timeout or crash, and the earlier
      cells replayed), "folder" (the working and library folders made and removed, the last kernel
      ended), "cells" (all cells' Outcomes added up; each cell's own figures are in its Outcome).
    """
    timings = {} if timings is None else timings
    timings.update(start=phase(), restarts=phase(), folder=phase(), cells=phase())
    folder_wall, folder_cpu = time.monotonic(), time.thread_time()
    submission_timeout, memory_mb = cfg.submission_timeout, cfg.memory_limit_mb
    tmp = Path(tempfile.mkdtemp(prefix="dlcourse-grade-"))
    workdir, libdir = tmp / "work", tmp / "lib"
    workdir.mkdir()
    libdir.mkdir()
    for name, path in kernel_library():
        (libdir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, libdir / name)
    for name, path in (files or {}).items():
        shutil.copyfile(path, workdir / name)
    sandbox.prepare(sandbox_mode, workdir, getattr(cfg, "sandbox_uid", sandbox.SANDBOX_UID))
    env = child_env({"DLCOURSE_GRADING_SEED": str(seed)})

    caps = (cfg.record_cell_mb << 20, cfg.records_per_cell)
    budget = [cfg.record_submission_mb << 20]
    use_groups = getattr(cfg, "cgroups", "auto") != "off"
    if getattr(cfg, "cgroups", "auto") == "required" and resources.missing(cgroups_only=True):
        remove_tree(tmp)
        from ..errors import GradingError
        raise GradingError("cgroups=required, but this machine cannot enforce: "
                           + "; ".join(resources.missing(cgroups_only=True)))
    if use_groups:
        resources.warn_missing(sandbox_mode)
    backstop = float(getattr(cfg, "wall_backstop", 3.0))

    def start(into):
        """A new kernel, once it has answered START_PING (within a cell's wall-clock limit); its time
        and CPU added to `into`."""
        began, grader_began = time.monotonic(), time.thread_time()
        kernel = Kernel(workdir, libdir, env, sandbox_mode, memory_mb, caps, budget,
                        max_processes=getattr(cfg, "max_processes", 0), tmp_mb=getattr(cfg, "tmp_mb", 0),
                        cgroups=use_groups, uid=getattr(cfg, "sandbox_uid", sandbox.SANDBOX_UID))
        kernel.run(START_PING, time.monotonic() + cfg.cell_timeout * backstop)
        add(into, time.monotonic() - began, kernel.cpu_seconds(), time.thread_time() - grader_began)
        return kernel

    outcomes = []
    add(timings["folder"], time.monotonic() - folder_wall, 0.0, time.thread_time() - folder_cpu)
    kernel = start(timings["start"])
    # CPU-time limits where the kernel's cgroup accounts for its CPU, else wall-clock limits
    by_cpu = kernel.cpu_seconds() is not None
    end = time.monotonic() + submission_timeout * (backstop if by_cpu else 1.0)
    cpu_left = [float(submission_timeout)]

    def run(kernel, cell):
        """Run one cell within its limits and the submission's; charge its CPU time to the submission."""
        if by_cpu:
            outcome = kernel.run(cell, min(time.monotonic() + cell.timeout * backstop, end),
                                 cpu_limit=min(cell.timeout, max(cpu_left[0], 0.0)))
            cpu_left[0] -= outcome.cpu_seconds or 0.0
            return outcome
        return kernel.run(cell, min(time.monotonic() + cell.timeout, end))

    def used_up():
        return time.monotonic() >= end or (by_cpu and cpu_left[0] <= 0)

    try:
        for pos, cell in enumerate(cells):
            if used_up():
                outcomes.append(Outcome("timeout", "SubmissionTimeout",
                                        f"the submission's time limit ({submission_timeout:g} s"
                                        + (" of CPU time" if by_cpu else "") + ") was used up"))
                continue
            outcome = run(kernel, cell)
            if outcome.status == "timeout":
                if outcome.ename == "CpuTime" and cpu_left[0] <= 0 and cell.timeout > (outcome.cpu_seconds or 0):
                    outcome.ename, outcome.evalue = "SubmissionTimeout", (
                        f"the submission's time limit ({submission_timeout:g} s of CPU time) was used up")
                elif outcome.ename == "CpuTime":
                    outcome.ename = "CellTimeout"
                    outcome.evalue = f"the cell ran longer than its limit of {cell.timeout:g} s of CPU time"
                else:
                    outcome.ename = "CellTimeout"
                    outcome.evalue = (f"the cell ran longer than its limit: {cell.timeout * backstop:g} s of "
                                      f"wall-clock time ({backstop:g} times its {cell.timeout:g} s of CPU time), "
                                      "waiting or sleeping" if by_cpu
                                      else f"the cell ran longer than its limit of {cell.timeout:g} s")
            if outcome.status == "crashed":
                code = kernel.proc.poll()
                outcome.ename = "KernelDied"
                oom = kernel.group is not None and kernel.group.out_of_memory()
                outcome.evalue = ("the kernel died while running this cell"
                                  + (f" (exit status {code})" if code is not None else "")
                                  + (f": its processes together used more than the memory limit ({memory_mb} MiB, "
                                     "its /tmp included)" if oom else
                                     ": os._exit, an abort, or running out of memory "
                                     f"(limit {memory_mb} MiB)"))
            outcomes.append(outcome)
            add(timings["cells"], outcome.seconds, outcome.cpu_seconds, outcome.grader_cpu)
            if log:
                log(f"  cell {cell.index}: {outcome.status} ({outcome.seconds:.1f}s"
                    + (f", {outcome.cpu_seconds:.1f}s CPU" if outcome.cpu_seconds is not None else "") + ")")
            if outcome.status in ("timeout", "crashed"):
                began, grader_began = time.monotonic(), time.thread_time()
                kernel.close()
                add(timings["restarts"], time.monotonic() - began, 0.0, time.thread_time() - grader_began)
                kernel = start(timings["restarts"])
                for earlier, done in zip(cells[:pos], outcomes):
                    # rebuild state from cells that finished (not from those that hung or crashed)
                    if earlier.replay and done.status in ("ok", "error") and not used_up():
                        again = run(kernel, earlier)
                        add(timings["restarts"], again.seconds, again.cpu_seconds, again.grader_cpu)
    finally:
        began, grader_began = time.monotonic(), time.thread_time()
        kernel.close()
        remove_tree(tmp)
        add(timings["folder"], time.monotonic() - began, 0.0, time.thread_time() - grader_began)
    return outcomes


def remove_tree(path):
    """Remove a folder a submission wrote to, however deep or odd (no recursion limit, no permission
    it can take away); never raises. `rm -rf` walks iteratively; the Python walk is the fallback."""
    path = Path(path)
    for attempt in range(2):
        try:
            subprocess.run(["chmod", "-R", "u+rwx", str(path)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)
            subprocess.run(["rm", "-rf", "--one-file-system", str(path)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=300)
        except (OSError, subprocess.SubprocessError):
            pass
        if not os.path.lexists(path):
            return True
        try:
            for top, dirs, files, fd in os.fwalk(path, topdown=False):
                for name in files + dirs:
                    try:
                        os.unlink(name, dir_fd=fd)  # files and links (a link to a folder is not followed)
                    except OSError:
                        try:
                            os.rmdir(name, dir_fd=fd)
                        except OSError:
                            pass
            os.rmdir(path)
        except (OSError, RecursionError):
            pass
        if not os.path.lexists(path):
            return True
    import warnings
    warnings.warn(f"could not remove the grading folder {path}; remove it by hand")
    return False
