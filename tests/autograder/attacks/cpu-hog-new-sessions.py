# A CPU hog that escapes per-session CPU fairness: hundreds of children, each in a new session
# (setsid), spinning while the kernel grades on. Without a CPU controller per submission a
# neighbour graded in parallel gets a few per cent of a core and runs past its cell limits.
# Bounded: at most 300 children, each spinning 40 s at most; the kernel's pid namespace or its
# cgroup ends any that are left when the kernel is closed.
import os, time

_end = time.monotonic() + 40
for _ in range(300):
    try:
        _pid = os.fork()
    except OSError:  # a process count limit: spin with what we have
        break
    if _pid == 0:
        try:
            os.setsid()
            while time.monotonic() < _end:
                pass
        finally:
            os._exit(0)
