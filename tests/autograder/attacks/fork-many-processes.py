# answer: adam
# Many processes: start up to 1000 (root is not bound by RLIMIT_NPROC). With a pids cgroup per
# submission fork fails at the limit. Bounded: 1000 at most, each sleeps 5 s, all are killed
# and reaped before the answer returns.
def adam(w, dw, config=None):
    import os, signal, time
    children = []
    for _ in range(1000):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(5)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    for pid in children:
        os.waitpid(pid, 0)
    raise RuntimeError(f"started {len(children)} processes")
