"""A course start to finish, timed: python tests/autograder/measure_course.py [--students 100] [--workers 2]

Runs the grading guide's walk-through (*A course, start to finish*) command by command, exactly as
written, in one bash session in a fresh `git clone` of this checkout's HEAD: `source
.venv/bin/activate` first (the clone's `.venv` is a link to the environment running this script,
the README set-up's stand-in, as in tests/test_documented_commands.py), then

    release, publish, the dry run (grade the instructor notebook), collect (a Canvas download of
    N optimizers students), autograde, manual export, manual import (every written answer given
    its full points), stats, then an unchanged autograde rerun and `nbgrader export`,

with the environment a user's shell has (no PYTHONPATH, no DLCOURSE_ variables), printing the
wall time of each step. The class is `autograder.grade.benchmark.build_class`'s mix (reference
answers, the untouched release, every optimizers variant, broken notebooks), zipped with Canvas'
file names (`<name>_<user id>_<attachment id>_optimizers.ipynb`). Nothing is asserted: it prints
figures for the grading guide and the README's evidence table. Takes a few minutes for 100
students on 2 cores.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def canvas_zip(path, students):
    """The benchmark's class of `students` optimizers notebooks, as Canvas names them in a download."""
    from autograder.grade.benchmark import build_class
    with tempfile.TemporaryDirectory() as folder:
        kinds = build_class(folder, students)
        with zipfile.ZipFile(path, "w") as z:
            for i, kind in enumerate(kinds):
                nb = Path(folder) / f"student{i:03d}" / "optimizers" / "optimizers.ipynb"
                z.write(nb, f"student{i:03d}{kind.replace('-', '')}_{1000 + i}_{5000 + i}_optimizers.ipynb")
    return kinds


def full_marks(sheets, comment=""):
    """The TAs: every written answer still blank gets its full points (and `comment`)."""
    assert sheets, "manual export wrote no sheet"
    for sheet in sheets:
        with open(sheet, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            if not row["points"].strip():
                row["points"], row["comment"] = row["max_points"], comment
        with open(sheet, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the folder and print its path")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="dlcourse-course-"))
    course = work / "dl-course-instructors"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(course)], check=True)
    (course / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)  # the README's set-up
    kinds = canvas_zip(course / "submissions.zip", args.students)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLCOURSE", "PYTHON", "VIRTUAL_ENV"))}
    steps = [
        ("release", "python -m autograder release"),
        ("publish", "python -m autograder publish ../public"),
        ("dry run", "python -m autograder grade solutions/optimizers/optimizers.ipynb"),
        ("collect", "python -m autograder collect submissions.zip --assignment optimizers --out class/"),
        ("autograde", f"python -m autograder autograde class/ --out graded/ --assignment optimizers "
                      f"--workers {args.workers}"),
        ("manual export", "python -m autograder manual export ta/ --out graded/ --assignment optimizers"),
        ("manual import", "python -m autograder manual import ta/*.csv --out graded/"),
        ("stats", "python -m autograder stats graded/"),
        ("autograde again, nothing changed", f"python -m autograder autograde class/ --out graded/ "
                                             f"--assignment optimizers --workers {args.workers}"),
        ("nbgrader export", "nbgrader export --db sqlite:///graded/gradebook.db --to graded/nbgrader.csv"),
    ]
    print(f"a class of {args.students} ({len(set(kinds))} kinds of submission), {args.workers} workers, "
          f"{os.cpu_count()} cores, in {work}", flush=True)
    total = 0.0
    for name, command in steps:
        if name == "manual import":
            full_marks(sorted((course / "ta").glob("*.csv")))
        start = time.perf_counter()
        proc = subprocess.run(["bash", "-c", f"source .venv/bin/activate && {command}"], cwd=course, env=env,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        total += seconds
        last = (proc.stdout.strip().splitlines() or proc.stderr.strip().splitlines() or [""])[-1][:110]
        print(f"{name:34s} {seconds:7.1f} s  rc {proc.returncode}  {last}", flush=True)
        if proc.returncode not in (0,):
            print(proc.stderr[-2000:], file=sys.stderr)
    print(f"{'in all':34s} {total:7.1f} s")
    rows = list(csv.DictReader(open(course / "graded" / "grades.csv", newline="")))
    print(f"grades.csv: {len(rows)} rows; lms.csv: {len(open(course / 'graded' / 'lms.csv').readlines()) - 1} rows")
    if args.keep:
        print(work)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
