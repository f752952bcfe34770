# answer: adam
# Memory over several processes: each child stays under the per-process limit, together they
# take several times the kernel's memory limit. With a memory cgroup per submission the
# kernel's OOM killer ends them at the limit. Bounded: 4 children of 700 MB, 5 s each.
def adam(w, dw, config=None):
    import os, time
    children = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            try:
                block = b"\1" * (700 << 20)  # written, so really resident
                time.sleep(5)
                os._exit(0 if len(block) else 1)
            except BaseException:
                os._exit(1)
        children.append(pid)
    held = sum(os.waitpid(pid, 0)[1] == 0 for pid in children)
    raise RuntimeError(f"held {held} x 700 MB at once")
