"""python -m autograder <verb>: a thin layer that parses arguments and forwards to the API.

Verbs: release, publish, collect, grade, autograde, stats, manual (export/import). Installed as the console script
``autograder`` (pyproject.toml), the same as ``python -m autograder``. Any bad input ends with one line "error: ..." and exit 2.
"""
import argparse
import json
import sys
from pathlib import Path
import warnings

from . import config as config_mod
from . import course
from .errors import GradingError
from .text import for_terminal


def _out(msg, **kw):
    """print, with a submission's control characters (terminal escapes) shown, never obeyed."""
    print(for_terminal(msg), **kw)


def _log(msg):
    _out(msg, file=sys.stderr, flush=True)


def _show_warning(message, *args, **kwargs):
    _log(f"WARNING: {message}")


def build_parser(prog="python -m autograder"):
    """The command line's argparse parser: every verb and option (the guides' commands are checked against it)."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="course root (default: $DLCOURSE_COURSE_ROOT or this checkout)")
    parser.add_argument("--config", help="grading settings file (default: <root>/grading.toml)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one setting")
    sub = parser.add_subparsers(dest="verb", required=True)

    p = sub.add_parser("release", help="regenerate exercises/ from solutions/ and scan it for leaks")
    p.add_argument("--check", action="store_true", help="only report whether exercises/ is in sync; exit 1 if not")
    p.add_argument("--prune", action="store_true", help="also remove files in exercises/ that release did not make")

    p = sub.add_parser("collect", help="an LMS download (Canvas, Moodle: .zip or folder) into SUBMISSIONS_DIR's layout")
    p.add_argument("source", help="the LMS download: a .zip file or the folder it was extracted to")
    p.add_argument("--assignment", required=True, help="the assignment the download holds")
    p.add_argument("--out", required=True, help="SUBMISSIONS_DIR: written as <student>/<assignment>/<notebook>.ipynb")
    p.add_argument("--map", help="CSV with the columns lms_id,student_id: the student folder of each LMS id")
    p.add_argument("--pattern", help="regular expression with the groups (?P<student>...) and (?P<file>...) for another LMS")

    p = sub.add_parser("publish", help="write the public course tree (book, student notebooks, student library) "
                                       "into OUT_DIR and scan it for leaks")
    p.add_argument("out_dir", help="an empty folder, a clone of the public repository, or an earlier tree")
    p.add_argument("--scan", action="store_true", help="only scan OUT_DIR (a tree, a clone, an installed dlcourse); "
                                                        "exit 1 on a leak")

    p = sub.add_parser("grade", help="grade one submitted notebook")
    p.add_argument("notebook")
    p.add_argument("--assignment", help="assignment name (default: guessed from the file name)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("autograde", help="grade a class: SUBMISSIONS_DIR/<student>/<assignment>/<notebook>.ipynb")
    p.add_argument("submissions")
    p.add_argument("--out", required=True, help="folder for gradebook.db, grades.csv and feedback/")
    p.add_argument("--workers", type=int, help="parallel submissions (default: the number of cores)")
    p.add_argument("--assignment", help="grade only this assignment")
    p.add_argument("--force", action="store_true", help="regrade everything, changed or not")
    p.add_argument("--student", help="grade only this student's submissions")
    p.add_argument("--scheduler", help="grade on a Dask cluster: tcp://HOST:PORT of its scheduler")
    p.add_argument("--db", help="gradebook: an SQLAlchemy URL (postgresql://...) or file (default OUT/gradebook.db)")

    p = sub.add_parser("stats", help="class statistics of an autograde run: rewrite OUT_DIR/stats.csv and stats.html")
    p.add_argument("out_dir", help="the autograde output folder")
    p.add_argument("--db", help="gradebook URL or file (default OUT/gradebook.db, when it exists)")

    p = sub.add_parser("manual", help="written answers: export files for graders, import their points")
    msub = p.add_subparsers(dest="action", required=True)
    q = msub.add_parser("export", help="one HTML page and one CSV per written question")
    q.add_argument("export_dir")
    q.add_argument("--out", required=True, help="the autograde output folder")
    q.add_argument("--assignment", help="only this assignment")
    q.add_argument("--db", help="gradebook URL or file (default OUT/gradebook.db)")
    q = msub.add_parser("import", help="store the points and comments of filled-in CSV files")
    q.add_argument("files", nargs="+")
    q.add_argument("--out", required=True, help="the autograde output folder")
    q.add_argument("--db", help="gradebook URL or file (default OUT/gradebook.db)")
    return parser


def main(argv=None):
    prog = "autograder" if Path(sys.argv[0]).name == "autograder" else "python -m autograder"
    args = build_parser(prog).parse_args(argv)
    try:
        root = course.course_root(args.root)
        overrides = list(args.set) + ([f"workers={args.workers}"] if getattr(args, "workers", None) else [])
        cfg = config_mod.load(root, args.config, overrides)
        if args.verb == "release":
            from .authoring.release import check, release
            if args.check:
                if args.prune:
                    raise GradingError("--check only reports; run `release --prune` without --check to remove files")
                problems, notes = check(root)
                for line in problems:
                    _out(line)
                for line in notes:
                    _out(f"note: {line}")
                print("exercises/ is in sync with solutions/" if not problems else f"{len(problems)} difference(s)")
                return 1 if problems else 0
            _out(release(root, log=_log, prune=args.prune).summary)
            return 0
        if args.verb == "collect":
            from .intake import collect
            mapping = collect.read_map(args.map) if args.map else None
            collect.collect(args.source, args.assignment, args.out, root, cfg, mapping, args.pattern, log=_out)
            return 0
        if args.verb == "publish":
            from .authoring import publish
            if args.scan:
                found = publish.scan(args.out_dir, root)
                for line in found:
                    _out(line)
                print(f"{len(found)} leak(s) in {args.out_dir}" if found else
                      f"leak scan of {args.out_dir}: clean ({', '.join(publish.CHECKS)})")
                return 1 if found else 0
            publish.publish(args.out_dir, root, log=_log)
            return 0
        if args.verb == "grade":
            from .grade.submission import grade_notebook
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                result = grade_notebook(args.notebook, args.assignment, root, cfg, log=_log)
            if args.json:
                _out(json.dumps(result, indent=1))  # JSON escapes control characters itself
            else:
                for t in result["tests"]:
                    _out(f"{t['id']:<22} {t['status']:<8} {t['points']:g}/{t['max_points']:g}  {t['message']}")
                for line in result.get("handins", []):
                    if line not in result["problems"]:
                        _out(f"hand-in: {line}")
                for problem in result["problems"]:
                    _out(f"note: {problem}")
                written = sum(t["max_points"] for t in result["tests"] if t["status"] == "manual")
                print(f"score: {result['score']:g} / {result['max_score']:g} (autograded)"
                      + (f"; written answers: {written:g} more points, graded by hand; total so far: "
                         f"{result['score']:g} / {result['max_score'] + written:g}" if written else ""))
            return 0
        if args.verb == "autograde":
            from .grade.autograde import autograde
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                autograde(args.submissions, args.out, root=root, cfg=cfg, assignment=args.assignment, log=_log,
                          force=args.force, student=args.student, scheduler=args.scheduler, db=args.db)
            return 0
        if args.verb == "stats":
            from .records import stats
            for line in stats.summary(stats.from_journal(args.out_dir, args.db, log=_log)):
                _out(line)
            return 0
        if args.verb == "manual":
            from .records import manual
            if args.action == "export":
                manual.export(args.export_dir, args.out, args.assignment, root, args.db, log=_log)
            else:
                manual.import_(args.files, args.out, root, args.db, log=_log, cfg=cfg)
            return 0
    except GradingError as exc:
        _out(f"error: {exc}", file=sys.stderr)
        return 2
    except RecursionError:
        print("error: the input is nested too deeply to be graded", file=sys.stderr)
        return 2
    return 0
