"""How the student's kernel is isolated: bubblewrap when it is there, a loud warning when not.

With bubblewrap the kernel sees a read-only system (/usr, /etc, the Python installation), a
private /tmp, its own empty working folder (the only writable place), a private copy of the
course library and the runner, and nothing else: no course repository, no solutions/, no
gradebook, no other submission, no network (all namespaces unshared), and it dies with the
grader. Without it (e.g. an instructor's laptop), the kernel runs as the grader's user in an
empty working folder with a scrubbed environment: still graded correctly (judging happens
outside the kernel), but the kernel *could* read files the grader can read.
"""
import shutil
import sys
import sysconfig
import warnings
from pathlib import Path

from .errors import GradingError

LIB_MOUNT = "/opt/dlcourse-grader"
WORK_MOUNT = "/submission"


class IsolationWarning(UserWarning):
    pass


def bwrap_path():
    return shutil.which("bwrap")


def resolve(mode):
    """'bwrap' or 'none' for the configured mode ('auto', 'bwrap', 'none')."""
    if mode == "none":
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


def command(mode, workdir, libdir, argv, tmp_mb=0):
    """The argv that runs `argv` (a python command line, paths as `inside` gives) isolated as `mode` says.

    Inputs:
    - workdir: the submission's private folder (mounted writable at /submission).
    - libdir: a folder holding private copies of dlcourse/ and runner.py.
    - tmp_mb: size of the private /tmp in MiB (0: none; needs a bubblewrap with --size).
    """
    if mode == "none":
        return list(argv)
    args = [bwrap_path(), "--unshare-all", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", "--ro-bind-try", "/etc", "/etc",
            "--ro-bind-try", "/lib", "/lib", "--ro-bind-try", "/lib64", "/lib64",
            "--ro-bind-try", "/bin", "/bin", "--ro-bind-try", "/sbin", "/sbin",
            "--proc", "/proc", "--dev", "/dev"]
    from .resources import bwrap_has_size
    if tmp_mb and bwrap_has_size():
        args += ["--size", str(int(tmp_mb) << 20)]
    args += ["--tmpfs", "/tmp"]
    for root in python_roots():
        args += ["--ro-bind", str(root), str(root)]
    args += ["--ro-bind", str(libdir), LIB_MOUNT, "--bind", str(workdir), WORK_MOUNT, "--chdir", WORK_MOUNT]
    return args + list(argv)
