"""Resource isolation between submissions, with the operating system's own mechanisms.

Every kernel (the sandbox and every process the student's code starts, whatever session it
moves to) runs in its own control group, made for it and removed with it:

- memory: one limit over all of its processes, its private /tmp included (tmpfs pages are
  charged to the group that writes them): ``memory_limit_mb``; the kernel's own address-space
  limit stays, so a single allocation still fails with ``MemoryError``;
- a process count (threads included): ``max_processes``;
- CPU: the group is one scheduling entity with the default share, so a submission with hundreds
  of processes (each in its own session) gets no more CPU than a neighbour with one;
- CPU accounting: cell limits are CPU seconds used by the group (``cpu_seconds``), which a
  neighbour's load cannot push up; a wall-clock backstop (``wall_backstop`` times the limit)
  still ends a cell that sleeps or waits;
- ending: every process of the group is killed (frozen first where the freezer is there, so a
  fork loop cannot outrun the kill), then the group is removed.

cgroup v2 is used where this process's own cgroup delegates memory, pids and cpu; else cgroup
v1 controllers (memory, pids, cpu, cpuacct, freezer) mounted under /sys/fs/cgroup, in which the
groups are made under this process's own group. Where a mechanism is missing, grading runs and
`missing()` (logged and warned once) says exactly what is not enforced.

The private /tmp's size (``tmp_mb``) is bubblewrap's ``--size`` (bubblewrap 0.8 or later).
"""
import itertools
import os
import signal
import threading
import time
import warnings
from functools import lru_cache
from pathlib import Path

from . import sandbox

V1 = ("memory", "pids", "cpu", "cpuacct", "freezer")
V2_NEEDED = ("memory", "pids", "cpu")
PREFIX = "dlcourse-grade"
_counter = itertools.count()
_lock = threading.Lock()


class LimitWarning(UserWarning):
    """A resource limit this machine cannot enforce (see `missing`)."""


def _own_paths():
    """{controller or "": path of this process's cgroup} from /proc/self/cgroup."""
    paths = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                paths[c] = path
    except OSError:
        pass
    return paths


def _mounts():
    """{controller: mount point} of cgroup v1 controllers, {"": mount point} of cgroup2."""
    mounts = {}
    try:
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            fields, rfields = left.split(), right.split()
            if len(rfields) < 3 or len(fields) < 5:
                continue
            if rfields[0] == "cgroup2":
                mounts.setdefault("", fields[4])
            elif rfields[0] == "cgroup":
                for option in rfields[2].split(","):
                    if option in V1:
                        mounts.setdefault(option, fields[4])
    except OSError:
        pass
    return mounts


def _base(mount, own):
    """The folder of this process's own group under a mount (the mount itself when not visible)."""
    candidate = Path(mount) / own.lstrip("/")
    return candidate if candidate.is_dir() else Path(mount)


def _writable(base):
    """True when a group can be made (and removed) under base."""
    probe = Path(base) / f"{PREFIX}-probe-{os.getpid()}-{next(_counter)}"
    try:
        probe.mkdir()
    except OSError:
        return False
    try:
        probe.rmdir()
    except OSError:
        pass
    return True


@lru_cache(maxsize=1)
def detect():
    """("v2", {"": base}) or ("v1", {controller: base}) of what can be used here; ("none", {}) without."""
    if os.environ.get("DLCOURSE_NO_CGROUPS"):
        return "none", {}
    mounts, own = _mounts(), _own_paths()
    if "" in mounts:
        base = _base(mounts[""], own.get("", "/"))
        try:
            delegated = set(base.joinpath("cgroup.subtree_control").read_text().split())
        except OSError:
            delegated = set()
        if set(V2_NEEDED) <= delegated and _writable(base):
            return "v2", {"": base}
    bases = {}
    for c in V1:
        if c in mounts:
            base = _base(mounts[c], own.get(c, "/"))
            if _writable(base):
                bases[c] = base
    return ("v1", bases) if bases else ("none", {})


def missing(sandbox_mode="bwrap", cgroups_only=False):
    """What this machine cannot enforce, one phrase each (empty when everything is)."""
    kind, bases = detect()
    gaps = []
    have = set(V2_NEEDED) | {"cpuacct", "freezer"} if kind == "v2" else set(bases)
    if "memory" not in have:
        gaps.append("no memory cgroup: memory is limited per process (address space), not over all of a "
                    "submission's processes and its /tmp")
    if "pids" not in have:
        gaps.append("no pids cgroup: no process count (a submission may start thousands of processes)")
    if "cpu" not in have:
        gaps.append("no cpu cgroup: a submission with many processes (or sessions) takes CPU from its neighbours")
    if "cpuacct" not in have:
        gaps.append("no cpuacct cgroup: cell limits are wall-clock time, which a neighbour's load can push up")
    if cgroups_only:
        return gaps
    if sandbox_mode == "bwrap" and not sandbox.bwrap_has_size():
        gaps.append("bubblewrap without --size: the private /tmp has no size of its own (memory cgroup only)")
    return gaps


def describe(sandbox_mode="bwrap"):
    """One line for the log: what isolates neighbours here, and what is not enforced."""
    kind, bases = detect()
    what = ("cgroup v2" if kind == "v2" else f"cgroup v1 ({', '.join(sorted(bases))})" if kind == "v1"
            else "no cgroups")
    gaps = missing(sandbox_mode)
    return f"resource isolation: {what}" + (f"; NOT enforced: {'; '.join(gaps)}" if gaps else "; all limits enforced")


_warned = set()


def warn_missing(sandbox_mode="bwrap"):
    gaps = tuple(missing(sandbox_mode))
    if gaps and gaps not in _warned:
        _warned.add(gaps)
        warnings.warn("resource limits not enforced on this machine: " + "; ".join(gaps), LimitWarning,
                      stacklevel=2)


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def _read(path):
    with open(path) as f:
        return f.read()


class Group:
    """One kernel's control group(s). `join` is called in the child before exec; `close` kills
    everything in it and removes it. Every method is a no-op where cgroups are missing."""

    def __init__(self, memory_mb=0, max_processes=0):
        self.kind, bases = detect()
        with _lock:
            name = f"{PREFIX}-{os.getpid()}-{next(_counter)}"
        self.dirs = {}
        for key, base in bases.items():
            path = Path(base) / name
            try:
                path.mkdir()
            except OSError:
                continue
            self.dirs[key] = path
        self.memory_mb, self.max_processes = memory_mb, max_processes
        try:
            self._limit()
        except OSError:
            pass  # a limit that cannot be written: reported by missing() only when the controller is absent

    def _limit(self):
        if self.kind == "v2" and "" in self.dirs:
            d = self.dirs[""]
            if self.memory_mb:
                _write(d / "memory.max", self.memory_mb << 20)
                if (d / "memory.swap.max").exists():
                    _write(d / "memory.swap.max", 0)
            if self.max_processes:
                _write(d / "pids.max", self.max_processes)
            return
        if self.memory_mb and "memory" in self.dirs:
            _write(self.dirs["memory"] / "memory.limit_in_bytes", self.memory_mb << 20)
        if self.max_processes and "pids" in self.dirs:
            _write(self.dirs["pids"] / "pids.max", self.max_processes)

    def join(self):
        """Move the calling process into every group (call it in the child, before exec)."""
        for path in self.dirs.values():
            _write(path / "cgroup.procs", "0")

    def cpu_seconds(self):
        """CPU time used by all processes of the group so far; None without accounting."""
        try:
            if self.kind == "v2" and "" in self.dirs:
                for line in _read(self.dirs[""] / "cpu.stat").splitlines():
                    if line.startswith("usage_usec "):
                        return int(line.split()[1]) / 1e6
                return None
            if "cpuacct" in self.dirs:
                return int(_read(self.dirs["cpuacct"] / "cpuacct.usage")) / 1e9
        except (OSError, ValueError):
            pass
        return None

    def out_of_memory(self):
        """True when the memory limit was hit and the kernel's OOM killer ended a process of the group."""
        try:
            if self.kind == "v2" and "" in self.dirs:
                events = _read(self.dirs[""] / "memory.events")
            elif "memory" in self.dirs:
                events = _read(self.dirs["memory"] / "memory.oom_control")
            else:
                return False
        except OSError:
            return False
        for line in events.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit() and int(value) > 0:
                return True
        return False

    def pids(self):
        path = self.dirs.get("") if self.kind == "v2" else (self.dirs.get("pids") or next(iter(self.dirs.values()), None))
        if path is None:
            return []
        try:
            return [int(p) for p in _read(path / "cgroup.procs").split()]
        except (OSError, ValueError):
            return []

    def kill(self, timeout=10.0):
        """SIGKILL every process of the group (frozen first, so none can fork meanwhile)."""
        if not self.dirs:
            return
        if self.kind == "v2" and (self.dirs[""] / "cgroup.kill").exists():
            try:
                _write(self.dirs[""] / "cgroup.kill", 1)
            except OSError:
                pass
        freezer = self.dirs.get("freezer")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if freezer:
                try:
                    _write(freezer / "freezer.state", "FROZEN")
                except OSError:
                    freezer = None
            pids = set(self.pids())
            if freezer:
                try:
                    pids |= {int(p) for p in _read(freezer / "cgroup.procs").split()}
                except (OSError, ValueError):
                    pass
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            if freezer:
                try:
                    _write(freezer / "freezer.state", "THAWED")  # killed processes only die when thawed
                except OSError:
                    pass
            if not pids:
                return
            time.sleep(0.05)

    def close(self):
        """Kill what is left and remove the groups (retried briefly: a group empties as its processes are reaped)."""
        self.kill()
        for path in self.dirs.values():
            for _ in range(100):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                warnings.warn(f"could not remove the cgroup {path}", LimitWarning)
        self.dirs = {}


def sweep():
    """Remove empty groups left by graders that died (kill -9): dlcourse-grade-<pid>-* of a dead pid."""
    _, bases = detect()
    for base in bases.values():
        try:
            entries = list(Path(base).glob(f"{PREFIX}-*-*"))
        except OSError:
            continue
        for path in entries:
            parts = path.name[len(PREFIX) + 1:].split("-")
            if not parts[0].isdigit() or int(parts[0]) == os.getpid() or Path(f"/proc/{parts[0]}").exists():
                continue
            try:
                path.rmdir()
            except OSError:
                pass
