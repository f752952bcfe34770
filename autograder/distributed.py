"""Where grading jobs run: local threads (the default) or a Dask distributed cluster.

    run(jobs, grade, workers=4)                              # threads in this process
    run(jobs, grade, scheduler="tcp://10.0.0.5:8786")        # Dask workers, any number of machines

`jobs` are (key, assignment, path); `grade(assignment, path)` returns a result dict. Results
come back one at a time as they finish (an iterator of (key, result)), so the caller, the
coordinating process, stores each one at once and alone writes the gradebook.

On Dask the submission's bytes travel with the job, and so do its hand-ins (those grading would
use: regular files within their size limits, checked before they are read), written next to the
notebook on the worker (workers need no shared file system for the submissions); each worker needs the course checkout, its Python environment and bubblewrap, and
finds the course as `autograde` does ($DLCOURSE_COURSE_ROOT or its own checkout). Start them:

    dask scheduler --host 0.0.0.0 --port 8786          # on the coordinator
    dask worker tcp://COORDINATOR:8786 --nthreads 2    # on each grading machine
"""
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .errors import GradingError


def grade_bytes(grade, assignment, name, data, handins=None):
    """Grade a submission given as bytes (on a Dask worker), and its hand-ins {name: bytes}: written
    to a private folder first."""
    with tempfile.TemporaryDirectory(prefix="dlcourse-job-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        for other, content in (handins or {}).items():
            if Path(other).name == other and other != name:  # a plain file name next to the notebook
                (Path(tmp) / other).write_bytes(content)
        return grade(assignment, path)


def run(jobs, grade, workers=1, scheduler=None, handins=None):
    """Yield (key, result) for every job, in the order they finish.

    handins(path, assignment) -> ({name: path}, problems): the hand-ins to ship with a job to Dask."""
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
        futures = {}
        for key, assignment, path in jobs:
            files = handins(path, assignment)[0] if handins else {}
            fut = client.submit(grade_bytes, grade, assignment, Path(path).name, Path(path).read_bytes(),
                                {n: Path(p).read_bytes() for n, p in files.items()}, pure=False)
            futures[fut] = key
        for fut in dask_completed(futures):
            yield futures[fut], fut.result()
    except TimeoutError:
        raise GradingError(f"the Dask scheduler {scheduler} has no workers (start some: dask worker {scheduler})") from None
    finally:
        client.close()
