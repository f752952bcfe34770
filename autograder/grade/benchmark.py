"""Grading throughput: python -m autograder.grade.benchmark [--submissions 40] [--workers 1,2] [--dry-run]

Builds a class of submissions of the optimizers exercise: reference answers, the untouched
release, every wrong and valid answer of tests/autograder/variants/optimizers/, and broken ones (malformed
JSON, a kernel that exits, an endless loop, stripped metadata, a copied test cell). Grades the
class with 1, 2, ... workers and prints submissions per minute; then, for one notebook, the time
to grade it next to the time to just execute it with a Jupyter kernel (nbclient).
`--dry-run` uses 6 submissions and one worker count: a check that the script works.

`--scale` measures a course term instead (default 1,000 submissions), each run a real
`python -m autograder autograde` process: submissions per minute with 1 and 2 local workers and
through a Dask cluster of 2 local worker processes; the coordinating process's peak memory
(VmHWM); a run killed with SIGKILL halfway plus its resume, against an uninterrupted run; and a
rerun with nothing changed. `--scale --dry-run`: 6 submissions, 1 worker, no Dask.

`--repeat N --assignment A` measures verdict stability instead: the reference answers, the
untouched release and every variant of tests/autograder/variants/A/ graded N times, each time
with a fresh hidden-test seed (so new hidden inputs and, for random answers such as dropout
masks, new draws); prints each submission's score range over the N gradings and whether every
grading gave the expected verdict (reference and valid-*: max_score; wrong-*: fewer points on
each test its `# expect:` header names).

`--breakdown [--assignment A ...] [--submissions N]` says where a submission's time goes instead:
per chapter (default: every one) a tiny class (N submissions, default 4: the reference answers
and the untouched release, alternately) graded by one `autograde` run with 1 worker; a table of
the median wall seconds, kernel CPU seconds (its cgroup's cpuacct; "n/a" without) and grader CPU
seconds of each phase of grade.submission.PHASES, for the reference answers and the untouched
release apart (the median of a mixed class would fall between the two), as the grader measured them (result["timings"]),
the submission in all, the run's one reference run apart (from the setup check's line), and the
cold-start floor: N fresh interpreters (no sandbox, no IPython), 2 at a time, each only running the
import statements of the cells before the notebook's first answer cell (its wall time and the
child's CPU from its rusage). Medians per phase: they need not add up to the median in all.
"""
import argparse
import ast
import copy
import re
import statistics
import signal
import subprocess
import sys
import dataclasses
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .. import course
from ..judge import seeds
from .autograde import autograde
from ..config import Config
from .submission import PHASES, grade_notebook
from ..run.execute import child_env
from ..notebook import is_solution
from ..notebook import grade_id, read, write
from ..transforms.fill import fill

VARIANTS = course.course_root() / "tests" / "autograder" / "variants" / "optimizers"


def _header(path, key):
    line = next(l for l in path.read_text().splitlines() if l.startswith(f"# {key}:"))
    return line.split(":", 1)[1].strip()


def _answer(path):
    return _header(path, "answer")


def build_class(folder, n):
    """Write n submissions in nbgrader's layout; returns their kinds in order."""
    released = read(course.exercises_dir() / "optimizers" / "optimizers.ipynb")
    source = read(course.solutions_dir() / "optimizers" / "optimizers.ipynb")
    reference = fill(released, source)

    def extra_after(gid, code):
        nb = copy.deepcopy(reference)
        at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == gid)
        nb.cells.insert(at + 1, nbformat.v4.new_code_cell(code))
        return nb

    def stripped():
        nb = copy.deepcopy(reference)
        for cell in nb.cells:
            cell.metadata = {}
        return nb

    def copied_test():
        nb = copy.deepcopy(reference)
        at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "test_adam")
        twin = copy.deepcopy(nb.cells[at])
        twin.id += "-copy"
        nb.cells.insert(at + 1, twin)
        return nb

    kinds = [("reference", lambda: reference), ("untouched", lambda: released)]
    kinds += [(p.stem, lambda p=p: fill(released, source, {_answer(p): p.read_text()}))
              for p in sorted(VARIANTS.glob("*.py"))]
    kinds += [("malformed-json", None), ("kernel-exit", lambda: extra_after("rmsprop", "import os; os._exit(1)")),
              ("endless-loop", lambda: extra_after("adam", "while True:\n    pass")),
              ("metadata-stripped", stripped), ("test-cell-copied", copied_test)]
    made = []
    for i in range(n):
        kind, make = kinds[i % len(kinds)]
        path = Path(folder) / f"student{i:03d}" / "optimizers" / "optimizers.ipynb"
        if make is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text('{"cells": [')
        else:
            write(make(), path)
        made.append(kind)
    return made


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", default=",".join(str(w) for w in range(1, (os.cpu_count() or 1) + 1)),
                        help="comma-separated worker counts (default: 1 to the number of cores)")
    parser.add_argument("--cell-timeout", type=float, default=10.0, help="per-cell limit (the endless loops cost this)")
    parser.add_argument("--dry-run", action="store_true", help="6 submissions, the first worker count only")
    parser.add_argument("--scale", action="store_true", help="measure a course term (see above)")
    parser.add_argument("--repeat", type=int, default=0, help="grade an assignment's variants this many times")
    parser.add_argument("--assignment", action="append", default=None,
                        help="with --repeat: which assignment (default dropout); with --breakdown: "
                             "one chapter, repeatable (default every chapter)")
    parser.add_argument("--breakdown", action="store_true", help="where a submission's time goes (see above)")
    args = parser.parse_args(argv)
    if args.breakdown:
        known = course.assignments()
        chosen = args.assignment or sorted(known)
        unknown = [a for a in chosen if a not in known]
        if unknown:
            parser.error(f"unknown assignment(s) {', '.join(unknown)}; this course has: {', '.join(sorted(known))}")
        n = args.submissions if args.submissions != 40 else 4
        if n < 1:
            parser.error("--submissions must be at least 1")
        print(f"machine: {platform.platform()}, {os.cpu_count()} cores; sandbox: "
              f"{'bubblewrap' if shutil.which('bwrap') else 'none'}; load average "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min) at the start", flush=True)
        return {a: breakdown(a, n, args.cell_timeout) for a in chosen}
    if args.assignment is None:
        args.assignment = ["dropout"]
    elif len(args.assignment) > 1 and args.repeat:
        parser.error("--repeat takes one --assignment")
    args.assignment = args.assignment[0]
    if args.repeat:
        workers = int(args.workers.split(",")[-1])
        return repeat(args.assignment, args.repeat, workers, args.cell_timeout)
    if args.scale:
        return scale(6 if args.dry_run else args.submissions if args.submissions != 40 else 1000,
                     args.cell_timeout, full=not args.dry_run)
    n = 6 if args.dry_run else args.submissions
    counts = [int(w) for w in args.workers.split(",")][: 1 if args.dry_run else None]
    tmp = Path(tempfile.mkdtemp(prefix="dlcourse-bench-"))
    cfg = Config(cell_timeout=args.cell_timeout, cache_dir=str(tmp / "cache"))
    try:
        kinds = build_class(tmp / "class", n)
        print(f"machine: {platform.platform()}, {os.cpu_count()} cores; sandbox: "
              f"{'bubblewrap' if shutil.which('bwrap') else 'none'}; {n} submissions "
              f"({kinds.count('reference')} reference, {sum(k.startswith('wrong-') for k in kinds)} wrong, "
              f"{sum(k.startswith('valid-') for k in kinds)} valid, the rest untouched or broken)")
        seed = seeds.draw(cfg)  # one seed for both single gradings, as within one autograde run
        start = time.monotonic()
        grade_notebook(tmp / "class" / "student000" / "optimizers" / "optimizers.ipynb", cfg=cfg, seed=seed)
        cold = time.monotonic() - start
        print("\n| workers | seconds | submissions per minute |\n|---|---|---|")
        for workers in counts:
            start = time.monotonic()
            autograde(tmp / "class", tmp / f"out{workers}", cfg=dataclasses.replace(cfg, workers=workers),
                      log=lambda m: None)
            took = time.monotonic() - start
            print(f"| {workers} | {took:.1f} | {60 * n / took:.1f} |", flush=True)

        one = tmp / "class" / "student000" / "optimizers" / "optimizers.ipynb"
        start = time.monotonic()
        grade_notebook(one, cfg=cfg, seed=seed)
        warm = time.monotonic() - start
        nb = nbformat.read(one, as_version=4)
        start = time.monotonic()
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(tmp)}}).execute()
        execute = time.monotonic() - start
        print(f"\none notebook (reference answers): grade {warm:.1f} s (reference run cached), "
              f"{cold:.1f} s (first grade, reference run included); just execute it (nbclient) {execute:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _autograde(klass, out, settings, *extra, kill_after=None):
    """Run `python -m autograder autograde` as its own process; (seconds, peak MiB of it, killed)."""
    argv = [sys.executable, "-m", "autograder", *settings, "autograde", str(klass), "--out", str(out), *map(str, extra)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(course.course_root()), os.environ.get("PYTHONPATH", "")]))
    start, peak = time.monotonic(), 0
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    journal = Path(out) / "journal.jsonl"
    killed = False
    while proc.poll() is None:
        try:
            peak = max(peak, int(next(l for l in open(f"/proc/{proc.pid}/status") if l.startswith("VmHWM")).split()[1]))
        except (OSError, StopIteration, ValueError):
            pass
        if kill_after and journal.exists() and journal.read_bytes().count(b'"kind":"result"') >= kill_after:
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.25)
    err = proc.stderr.read()
    if proc.returncode != 0 and not killed:
        raise SystemExit(f"autograde failed: {err.strip().splitlines()[-1] if err.strip() else proc.returncode}")
    return time.monotonic() - start, peak / 1024, killed


def scale(n, cell_timeout, full=True):
    """The course-term benchmark (see the module docstring); prints a markdown table."""
    tmp = Path(tempfile.mkdtemp(prefix="dlcourse-scale-"))
    klass = tmp / "class"
    cache = ["--set", f"cache_dir={tmp / 'cache'}", "--set", f"cell_timeout={cell_timeout}"]
    cluster = None
    try:
        kinds = build_class(klass, n)
        print(f"machine: {platform.platform()}, {os.cpu_count()} cores; sandbox: "
              f"{'bubblewrap' if shutil.which('bwrap') else 'none'}; {n} submissions "
              f"({kinds.count('reference')} reference, {sum(k.startswith('wrong-') for k in kinds)} wrong, "
              f"{sum(k.startswith('valid-') for k in kinds)} valid, {kinds.count('untouched')} untouched, "
              f"the rest broken); cell_timeout {cell_timeout:g} s; each row one autograde process, "
              "setup check included", flush=True)
        _autograde(klass, tmp / "warm", cache, "--workers", 1, "--student", "student000")  # reference run cached
        print("\n| run | seconds | submissions per minute | coordinator peak MiB |\n|---|---|---|---|", flush=True)

        def row(label, seconds, peak, count=n):
            print(f"| {label} | {seconds:.1f} | {60 * count / seconds:.1f} | {peak:.0f} |", flush=True)

        runs = {}
        for workers in ([1, 2] if full else [1]):
            runs[workers] = _autograde(klass, tmp / f"local{workers}", cache, "--workers", workers)
            row(f"local, {workers} worker(s)", *runs[workers][:2])
        if full:
            from distributed import LocalCluster
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
            took, peak, _ = _autograde(klass, tmp / "dask", cache, "--scheduler", cluster.scheduler_address)
            row("Dask, 2 local worker processes", took, peak)
        workers = 2 if full else 1
        first, peak1, killed = _autograde(klass, tmp / "killed", cache, "--workers", workers, kill_after=n // 2)
        done = (tmp / "killed" / "journal.jsonl").read_bytes().count(b'"kind":"result"')
        second, peak2, _ = _autograde(klass, tmp / "killed", cache, "--workers", workers)
        row(f"kill -9 after {done} results ({'killed' if killed else 'finished first'}), {workers} worker(s)",
            first, peak1, done)
        row(f"resume: the {n - done} left", second, peak2, n - done)
        print(f"| time lost to the kill (killed run + resume - uninterrupted) | "
              f"{first + second - runs[workers][0]:.1f} | | |")
        took, peak, _ = _autograde(klass, tmp / f"local{workers}", cache, "--workers", workers)
        print(f"| rerun, nothing changed ({n} submissions) | {took:.1f} | | {peak:.0f} |", flush=True)
    finally:
        if cluster is not None:
            cluster.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _notebooks(assignment):
    """(source path, instructor notebook, released notebook) of a one-notebook assignment."""
    [source_path] = sorted((course.solutions_dir() / assignment).glob("*.ipynb"))
    return source_path, read(source_path), read(course.exercises_dir() / assignment / source_path.name)


def import_code(nb):
    """The import statements (top level) of the code cells before the notebook's first answer cell:
    what the cold-start floor's interpreters run."""
    first_answer = next((i for i, c in enumerate(nb.cells) if is_solution(c)), len(nb.cells))
    lines = []
    for cell in nb.cells[:first_answer]:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(lines)


def cold_start(code, n, at_once=2):
    """[(wall s, CPU s)] of n fresh interpreters running `code`, at_once at a time (the CPU from each
    child's rusage, os.wait4); the course library importable, the kernels' environment otherwise."""
    from concurrent.futures import ThreadPoolExecutor
    env = child_env({"PYTHONPATH": str(course.course_root())})

    def one(_):
        began = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"the cold-start interpreter failed: {err.decode(errors='replace').strip().splitlines()[-1:]}")
        return time.monotonic() - began, usage.ru_utime + usage.ru_stime

    with ThreadPoolExecutor(max_workers=at_once) as pool:
        return list(pool.map(one, range(n)))


def _median(values):
    values = list(values)
    return None if any(v is None for v in values) else statistics.median(values)


def _seconds(value):
    return "n/a" if value is None else f"{value:.2f}"


def in_all(timings):
    """run.execute.phase() of a graded submission in all: its grading (timings["total"]) and writing."""
    total, writing = timings["total"], timings.get("writing", {"wall": 0.0, "grader_cpu": 0.0})
    return {"wall": total["wall"] + writing["wall"], "cpu": total["cpu"],
            "grader_cpu": total["grader_cpu"] + writing["grader_cpu"]}


def breakdown(assignment, n, cell_timeout, log=lambda m: print(m, flush=True)):
    """Where a submission's time goes (module docstring); prints the chapter's table and returns
    {"results": [result of each submission, its timings with "writing" (autograde's)], "reference": the
    setup check's line, "cold": cold_start(),
    "run_wall": seconds of the autograde run, its setup check included}."""
    source_path, source, released = _notebooks(assignment)
    tmp = Path(tempfile.mkdtemp(prefix="dlcourse-breakdown-"))
    kinds = [("reference", fill(released, source)), ("untouched", released)]
    for i in range(n):
        write(kinds[i % 2][1], tmp / "class" / f"student{i:03d}" / assignment / source_path.name)
    lines = []
    cfg = Config(cell_timeout=cell_timeout, cache_dir=str(tmp / "cache"), workers=1)
    began, writing = time.monotonic(), {}
    try:
        graded = autograde(tmp / "class", tmp / "out", cfg=cfg, log=lines.append, force=True, writing=writing)
        run_wall = time.monotonic() - began
        results = [dict(r, timings=dict(r["timings"], writing=writing[(who, assignment, source_path.name)]))
                   for who, r in graded]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    reference = next((l for l in lines if l.startswith("setup check:") and "reference solution ran" in l), "")
    cold = cold_start(import_code(source), n)
    # medians per kind: over a mixed class, the median of 4 is halfway between the two kinds
    kinds = {"reference answers": [in_all(r["timings"]) | r["timings"] for r in results[0::2]],
             "untouched release": [in_all(r["timings"]) | r["timings"] for r in results[1::2]]}
    kinds = {kind: timed for kind, timed in kinds.items() if timed}

    def cells(key):
        return " | ".join(f"{_seconds(_median(t[key][part] if key != 'in all' else t[part] for t in timed))}"
                          for timed in kinds.values() for part in ("wall", "cpu", "grader_cpu"))

    log(f"\n{assignment}: {n} submissions ({(n + 1) // 2} with the reference answers, {n // 2} untouched), 1 worker, "
        f"cell_timeout {cell_timeout:g} s; load average {os.getloadavg()[0]:.1f} after it\n")
    log("| phase | " + " | ".join(f"{kind}: median wall s | median CPU s, kernel | median CPU s, grader" for kind in kinds)
        + " |\n|---|" + "---|---|---|" * len(kinds))
    for key, label in PHASES:
        log(f"| {label} | {cells(key)} |")
    log(f"| the submission in all (the reference run left out) | {cells('in all')} |")
    blank = " | | |" * (len(kinds) - 1)
    took = re.search(r"the reference solution ran in ([\d.]+) s \((?:([\d.]+) s CPU in its kernel, )?([\d.]+) s", reference)
    if took:
        log(f"| the reference solution, once per run (apart) | {took.group(1)} | {took.group(2) or 'n/a'} | {took.group(3)}{blank} |")
    log(f"| cold-start floor: a fresh interpreter running the notebook's imports ({n}, 2 at a time) | "
        f"{_seconds(statistics.median(w for w, _ in cold))} | {_seconds(statistics.median(c for _, c in cold))} | {blank} |")
    return {"results": results, "reference": reference, "cold": cold, "run_wall": run_wall}


def repeat(assignment, runs, workers, cell_timeout, seed=None, only=None, log=lambda m: print(m, flush=True)):
    """Grade an assignment's reference, untouched release and variants `runs` times with fresh seeds
    (seed: of the generator that draws the grading seeds; only: names of the submissions to grade).

    Returns {student: {"scores": [score per run], "max": max_score, "expect": set of test ids or
    None (reference: none may lose points), "unexpected": [run numbers with a wrong verdict]}}.
    """
    import random

    folder = course.course_root() / "tests" / "autograder" / "variants" / assignment
    source_path, source, released = _notebooks(assignment)
    tmp = Path(tempfile.mkdtemp(prefix="dlcourse-repeat-"))
    subs = {"reference": (fill(released, source), set()), "untouched": (released, None)}
    for path in sorted(folder.glob("*.py")):
        expect = _header(path, "expect")
        subs[path.stem] = (fill(released, source, {_answer(path): path.read_text()}),
                           set() if expect == "none" else set(expect.split()))
    subs = {k: v for k, v in subs.items() if only is None or k in only}
    for student, (nb, _) in subs.items():
        write(nb, tmp / "class" / student / assignment / source_path.name)
    draw = random.Random(seed)
    table = {s: {"scores": [], "expect": e, "max": None, "unexpected": []} for s, (_, e) in subs.items()}
    log(f"machine: {platform.platform()}, {os.cpu_count()} cores; {assignment}: {len(subs)} submissions "
        f"graded {runs} times with {workers} worker(s), a fresh hidden-test seed each time")
    try:
        for run in range(1, runs + 1):
            grading_seed = draw.randrange(2**31)
            cfg = Config(cell_timeout=cell_timeout, cache_dir=str(tmp / "cache"), workers=workers, seed=grading_seed)
            start = time.monotonic()
            results = dict(autograde(tmp / "class", tmp / f"out{run}", cfg=cfg, log=lambda m: None, force=True))
            for student, row in table.items():
                result = results[student]
                row["scores"].append(result["score"])
                row["max"] = result["max_score"]
                auto = [t for t in result["tests"] if t["status"] != "manual"]
                if row["expect"] is None:  # the untouched release: nothing earned
                    ok = result["score"] == 0
                else:
                    ok = all((t["points"] < t["max_points"]) == (t["id"] in row["expect"]) for t in auto)
                if not ok:
                    row["unexpected"].append(run)
            log(f"run {run}/{runs} (seed {grading_seed}): {time.monotonic() - start:.0f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log("\n| submission | expected | score min | score max | gradings with the expected verdict |\n|---|---|---|---|---|")
    for student, row in table.items():
        expected = ("0" if row["expect"] is None else f"{row['max']:g} (max)" if not row["expect"]
                    else "fewer points on " + ", ".join(sorted(row["expect"])))
        log(f"| {student} | {expected} | {min(row['scores']):g} | {max(row['scores']):g} | "
            f"{runs - len(row['unexpected'])}/{runs} |")
    return table


if __name__ == "__main__":
    main()
