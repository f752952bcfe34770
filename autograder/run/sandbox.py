"""How the student's kernel is isolated: bubblewrap when it is there, a loud warning when not.

With bubblewrap the kernel sees a read-only system (/usr, /etc, the Python installation), a
private /tmp and /dev/shm (RAM-backed, sized by ``tmp_mb``), its own working folder (the only
writable host folder), a private copy of the course library and the runner, and nothing else:
no course repository, no solutions/, no gradebook, no other submission, no network (all
namespaces unshared), and it dies with the grader.

The kernel never holds a privilege, whoever runs the grader:
- as an unprivileged user, bubblewrap puts it in a user namespace of its own, with every
  capability dropped and no further user namespaces (``--disable-userns``);
- as root (CI machines, many course servers), bubblewrap alone would leave the kernel uid 0 with
  nearly every capability (it could remount /usr or the Python environment read-write and plant
  code that the next grader runs as root). So the sandbox is built by root, keeping only the
  three capabilities needed to change user, then ``setpriv`` makes the kernel the unprivileged
  ``sandbox_uid`` (65534, "nobody"; no groups, no capabilities, bounding set empty,
  ``no_new_privs``), and a nested, unprivileged bubblewrap gives it a user namespace of its own
  (uid map ``sandbox_uid -> sandbox_uid``, nested user namespaces disabled). Its working folder is
  handed to that uid (``prepare``).
Without bubblewrap (e.g. an instructor's laptop), the kernel runs as the grader's user in an
empty working folder with a scrubbed environment: still graded correctly (judging happens
outside the kernel), but the kernel *could* read files the grader can read. As root that is
refused (``refuse_root``): student code never runs as root.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
import warnings
from functools import lru_cache
from pathlib import Path

from ..errors import GradingError

LIB_MOUNT = "/opt/dlcourse-grader"
WORK_MOUNT = "/submission"
SANDBOX_UID = 65534  # "nobody": the kernel's user when the grader runs as root (setting sandbox_uid)


class IsolationWarning(UserWarning):
    pass


def bwrap_path():
    return shutil.which("bwrap")


@lru_cache(maxsize=1)
def bwrap_has_size():
    """True when bubblewrap knows --size (tmpfs size; bubblewrap 0.8 or later)."""
    exe = bwrap_path()
    if not exe:
        return False
    try:
        out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in (out.stdout + out.stderr)


def setpriv_path():
    return shutil.which("setpriv") or (Path("/usr/bin/setpriv").is_file() and "/usr/bin/setpriv") or None


def as_root():
    return os.geteuid() == 0


def refuse_root():
    raise GradingError("the grader runs as root and bubblewrap (bwrap) is not installed: student code would run "
                       "as root, unisolated. Install it (Debian/Ubuntu: apt-get install bubblewrap; setpriv comes "
                       "with util-linux), or run the grader as an unprivileged user")


def resolve(mode):
    """'bwrap' or 'none' for the configured mode ('auto', 'bwrap', 'none').

    As root, only 'bwrap' is possible (with setpriv to drop to the sandbox user): anything else
    raises GradingError with what to do, whatever the setting."""
    if as_root() and not (bwrap_path() and setpriv_path()):
        refuse_root()
    if mode == "none":
        if as_root():
            raise GradingError("sandbox=none is refused when the grader runs as root: student code would run as "
                               "root, unisolated. Use sandbox=auto or bwrap, or run the grader as an unprivileged user")
        return "none"
    if bwrap_path():
        return "bwrap"
    if mode == "bwrap":
        raise GradingError("sandbox=bwrap but bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)")
    warnings.warn("bubblewrap (bwrap) is not installed: student code runs WITHOUT file-system isolation and "
                  "could read or write any file this user can. Install it: apt-get install bubblewrap",
                  IsolationWarning, stacklevel=2)
    return "none"


def python_roots():
    """Folders the interpreter needs: the environment's prefix and the base installation."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        roots.add(Path(sysconfig.get_paths()[key]).resolve())
    return sorted(roots)


def inside(mode, workdir, libdir):
    """(working folder, library folder) as the kernel sees them."""
    return (WORK_MOUNT, LIB_MOUNT) if mode == "bwrap" else (str(workdir), str(libdir))


def prepare(mode, workdir, uid=SANDBOX_UID):
    """Make the working folder the kernel's own: as root under bubblewrap, owned by the sandbox user
    (the only host folder it can write); the files put there before (hand-ins) stay root's, readable."""
    if mode == "bwrap" and as_root():
        os.chown(workdir, uid, uid)
        os.chmod(workdir, 0o755)


def _parents(path):
    """Every folder above path, top first, that bubblewrap must create (world-traversable) to bind it."""
    return [str(p) for p in reversed(Path(path).parents) if str(p) != "/"]


def command(mode, workdir, libdir, argv, tmp_mb=0, uid=SANDBOX_UID):
    """The argv that runs `argv` (a python command line, paths as `inside` gives) isolated as `mode` says.

    Inputs:
    - workdir: the submission's private folder (mounted writable at /submission; see `prepare`).
    - libdir: a folder holding private copies of dlcourse/ and runner.py (world-readable).
    - tmp_mb: size of the private /tmp and of /dev/shm in MiB each (0: no size; needs a bubblewrap
      with --size).
    - uid: the kernel's user when the grader runs as root.
    """
    if mode == "none":
        return list(argv)
    root = as_root()
    args = [bwrap_path(), "--die-with-parent", "--new-session"]
    if root:
        # no user namespace here: root builds the mounts, then setpriv (below) drops to `uid`
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                 "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    else:
        args += ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    args += ["--ro-bind", "/usr", "/usr", "--ro-bind-try", "/etc", "/etc",
             "--ro-bind-try", "/lib", "/lib", "--ro-bind-try", "/lib64", "/lib64",
             "--ro-bind-try", "/bin", "/bin", "--ro-bind-try", "/sbin", "/sbin",
             "--proc", "/proc", "--dev", "/dev"]
    size = ["--size", str(int(tmp_mb) << 20)] if tmp_mb and bwrap_has_size() else []
    args += size + ["--tmpfs", "/tmp"] + size + ["--tmpfs", "/dev/shm"]
    made = set()
    for top in python_roots():
        for parent in _parents(top):
            if parent not in made and not any(parent == s or parent.startswith(s + "/")
                                              for s in ("/usr", "/etc", "/lib", "/lib64", "/bin", "/sbin")):
                made.add(parent)
                args += ["--perms", "0755", "--dir", parent]
        args += ["--ro-bind", str(top), str(top)]
    for parent in _parents(LIB_MOUNT):
        args += ["--perms", "0755", "--dir", parent]
    args += ["--ro-bind", str(libdir), LIB_MOUNT, "--bind", str(workdir), WORK_MOUNT, "--chdir", WORK_MOUNT]
    if root:
        args += [setpriv_path(), f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
                 "--bounding-set=-all", "--inh-caps=-all", "--",
                 # a user namespace of its own, unprivileged, with no nested ones
                 bwrap_path(), "--unshare-user", "--disable-userns", "--uid", str(uid), "--gid", str(uid),
                 "--cap-drop", "ALL", "--die-with-parent", "--dev-bind", "/", "/", "--chdir", WORK_MOUNT, "--"]
    return args + list(argv)
