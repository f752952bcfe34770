"""Where grading jobs run: local threads (the default) or a Dask distributed cluster.

    run(jobs, grade, workers=4)                              # threads in this process
    run(jobs, grade, scheduler="tcp://10.0.0.5:8786")        # Dask workers, any number of machines

`jobs` are (key, assignment, path); `grade(assignment, path)` returns a result dict. Results
come back one at a time as they finish (an iterator of (key, result)), so the caller, the
coordinating process, stores each one at once and alone writes the gradebook.

On Dask a submission travels whole with its job (workers need no shared file system for the
submissions): the notebook's bytes and, given `handins(path, assignment)` (grade.shipped_handins:
each hand-in's state, judged before a byte is read), the bytes of each hand-in grading would use,
and for each one it would refuse a stand-in the worker's own check refuses for the same reason (a
dangling link for a link or folder, a sparse file of the same size for one over its limit,
nothing for a missing one): the worker grades, notes and lists exactly what a local run does. At
most IN_FLIGHT jobs per worker thread are sent ahead, so the coordinator never holds a whole
class's files at once. Each worker needs the course checkout, its Python environment and
bubblewrap, and finds the course as `autograde` does ($DLCOURSE_COURSE_ROOT or its own checkout).
Start them:

    dask scheduler --host 0.0.0.0 --port 8786          # on the coordinator
    dask worker tcp://COORDINATOR:8786 --nthreads 2    # on each grading machine
"""
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ..errors import GradingError


IN_FLIGHT = 2  # jobs sent ahead per worker thread of the cluster


def payload(folder, states):
    """{name: ("bytes", data) | ("big", size) | ("irregular",)} for grade.shipped_handins states of
    the hand-ins in folder: what a worker rebuilds next to the notebook (nothing for a missing one)."""
    out = {}
    for name, state, size in states:
        if state == "ok":
            out[name] = ("bytes", (Path(folder) / name).read_bytes())
        elif state in ("big", "irregular"):
            out[name] = (state, int(size))
    return out


def _rebuild(folder, files):
    """Write a payload() into folder (on a worker): bytes as files, stand-ins for refused ones."""
    for name, (kind, content) in files.items():
        if Path(name).name != name or name in ("", ".", ".."):
            raise GradingError(f"hand-in name {name!r}: expected a plain file name")
        target = folder / name
        if kind == "bytes":
            target.write_bytes(content)
        elif kind == "big":
            with open(target, "wb") as f:
                f.truncate(content)  # sparse: refused by its size before a byte is read
        else:
            target.symlink_to(folder / f".{name}.not-handed-in")  # a link is refused, never followed


def grade_bytes(grade, assignment, name, data, files=None):
    """Grade a submission given as bytes (on a Dask worker): written, with its hand-ins (payload()),
    to a private folder first."""
    with tempfile.TemporaryDirectory(prefix="dlcourse-job-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        _rebuild(Path(tmp), {n: f for n, f in (files or {}).items() if n != name})
        return grade(assignment, path)


def run(jobs, grade, workers=1, scheduler=None, handins=None):
    """Yield (key, result) for every job, in the order they finish.

    handins(path, assignment) -> grade.shipped_handins() states: the hand-ins to ship with a job
    to Dask (locally they are read where they are)."""
    if scheduler:
        yield from _dask(jobs, grade, scheduler, handins)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(grade, assignment, path): key for key, assignment, path in jobs}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()


def _dask(jobs, grade, scheduler, handins=None):
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise GradingError("--scheduler needs Dask distributed: pip install distributed") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise GradingError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        if not client.scheduler_info().get("workers"):
            client.wait_for_workers(1, timeout=60)
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
        pending, futures = iter(jobs), {}

        def send():
            job = next(pending, None)
            if job is None:
                return None
            key, assignment, path = job
            files = payload(Path(path).parent, handins(path, assignment)) if handins else {}
            fut = client.submit(grade_bytes, grade, assignment, Path(path).name, Path(path).read_bytes(), files,
                                pure=False)
            futures[fut] = key
            return fut

        done = dask_completed([f for f in (send() for _ in range(max(1, threads) * IN_FLIGHT)) if f is not None])
        for fut in done:
            key, result = futures.pop(fut), fut.result()
            fut.release()
            more = send()
            if more is not None:
                done.add(more)
            yield key, result
    except TimeoutError:
        raise GradingError(f"the Dask scheduler {scheduler} has no workers (start some: dask worker {scheduler})") from None
    finally:
        client.close()
