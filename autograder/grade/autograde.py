"""`autograde`: grade a whole class in nbgrader's layout, in parallel, into a gradebook.

    SUBMISSIONS_DIR/<student>/<assignment>/<notebook>.ipynb
      -> OUT_DIR/gradebook.db (nbgrader's gradebook, sqlite), OUT_DIR/grades.csv, OUT_DIR/stats.csv,
         OUT_DIR/stats.html,
         OUT_DIR/feedback/<student>/<assignment>/<notebook>.html

Each submission is graded in its own isolated kernel by a worker thread (or a Dask worker, see
autograder.grade.distributed); only this process writes the gradebook and the files, one result at a
time as it arrives, so parallel runs give the same results as one worker and never contend for
the database. A submission that cannot be graded (not a notebook, unknown assignment) gets 0,
its reason in the feedback, and the batch goes on.

Before anyone is graded, autograder.grade.selfcheck proves the setup (the reference answers get full
marks in the sandbox). Every result is journaled (autograder.records.journal, OUT_DIR/journal.jsonl) and
written to the gradebook the moment it arrives: a run killed at any point loses only the
submissions in flight, and the next run grades only what changed (see journal's docstring).
Then every submission's time (its timestamp.txt) and late penalty are written to the gradebook
(autograder.records.late: due dates and penalties come from the settings and are worked out again on
every run, so changing them regrades nothing), grades.csv, lms.csv and the feedback pages are
rebuilt (autograder.records.report), and the class statistics, stats.csv and stats.html (autograder.records.stats).

Where the time went: each result carries its grading's phases (result["timings"], see
grade.submission; journaled with it). What writing it cost, measured after, is given apart to a
caller that asks (`writing={}`: {key: run.execute.phase} of each submission graded now: its journal
entry and gradebook row, plus its share of the reports and statistics written after the last
result), so that a result reads the same whether it was graded now or read back from the journal.
"""
import time
from functools import partial
from pathlib import Path

from .. import course
from . import distributed, selfcheck
from ..intake import folders
from ..records import late, manual, report, stats
from ..judge import seeds
from ..records import journal as journal_mod
from ..run.execute import add, phase
from ..config import Config
from ..errors import GradingError
from .submission import grade_notebook, public, shipped_handins, submitted_handins
from ..records.gradebook import open_gradebook, register, store
from ..notebook import grade_id, is_autograded_test, is_manual, points, read


def discover(submissions_dir, assignment=None, root=None):
    """(student, assignment, path) for every notebook at SUBMISSIONS_DIR/<student>/<assignment>/*.ipynb
    (the exact rules: autograder.intake.folders)."""
    return folders.discover(submissions_dir, assignment, root)[0]


def _failed(assignment, path, reason, root, seed=None, cfg=None):
    """The result of a submission that could not be graded: 0 of what its notebook is worth, its
    written answers still listed (to grade by hand: nothing of them was read), so that every output
    gives the same maximum as for a graded notebook; texts as students may read them (public)."""
    max_score, tests = 0.0, []
    notebooks = ([p.stem for p in sorted((course.solutions_dir(root) / assignment).glob("*.ipynb"))]
                 if assignment in course.assignments(root) else [])
    name = folders.notebook_name(path, notebooks)
    try:
        for cell in read(course.source_notebook(assignment, name, root)).cells:
            if is_autograded_test(cell):
                max_score += points(cell)
                tests.append({"id": grade_id(cell), "points": 0.0, "max_points": points(cell),
                              "status": "error", "message": "not graded: see the notes"})
            elif is_manual(cell):
                tests.append({"id": grade_id(cell), "points": 0.0, "max_points": points(cell),
                              "status": "manual", "message": "graded by hand: nothing of it was read (see the notes)"})
    except GradingError:
        pass
    return public({"assignment": assignment, "notebook": name, "score": 0.0, "max_score": max_score,
                   "tests": tests, "problems": [f"not graded: {reason}"]}, seed, path, root, cfg)


def grade_one(assignment, path, root=None, cfg=None, known=(), seed=None):
    """Grade one submission, never raising for bad input: what cannot be graded scores 0 with its reason.

    seed: the run's hidden-test seed (autograder.judge.seeds; None: a fresh one), redacted from the result."""
    path = Path(path)
    if assignment not in known:
        return _failed(assignment, path, f"unknown assignment {assignment!r} (this course has: {', '.join(sorted(known))})", root)
    seed = seeds.draw(cfg or Config()) if seed is None else seed
    try:
        return grade_notebook(path, assignment, root, cfg, seed=seed)
    except GradingError as exc:
        return _failed(assignment, path, str(exc), root, seed, cfg)
    except Exception as exc:  # noqa: BLE001 - one submission must never end the batch
        return _failed(assignment, path, f"the grader could not handle this submission "
                                         f"({exc.__class__.__name__}: {str(exc)[:200]})", root, seed, cfg)


def _jobs(todo, refused, grade, workers, scheduler, root):
    """(key, result) of every job: refused files at once (never opened), the rest from the runner."""
    for key, assign, path in todo:
        if path in refused:
            yield key, _failed(assign, path, refused[path], root)
    yield from distributed.run([job for job in todo if job[2] not in refused], grade, workers, scheduler,
                               handins=partial(shipped_handins, root=root))


def autograde(submissions_dir, out_dir, root=None, cfg=None, assignment=None, log=print, *,
              force=False, student=None, scheduler=None, db=None, writing=None):
    """Grade what changed since the last run (everything with force, one student with student);
    returns a list of (student, result) for every submission found. See the module docstring.

    - scheduler: a Dask scheduler address (tcp://HOST:PORT); None grades with cfg.workers threads.
    - db: an SQLAlchemy URL or file for the gradebook (default OUT_DIR/gradebook.db).
    - writing: a dict filled with {(student, assignment, notebook file): phase} of what writing each
      result graded now took (module docstring).
    """
    writing = {} if writing is None else writing
    cfg = cfg or Config()
    root = course.course_root(root)
    late.check_assignments(cfg, course.assignments(root))
    penalty = late.plugin(cfg.late_penalty, root)  # a bad setting stops the run before anything is read
    jobs, refused, notes = folders.discover(submissions_dir, assignment, root, cfg.notebook_mb)
    times, time_notes = folders.timestamps(submissions_dir, jobs)
    notes += time_notes
    for note in notes:
        log(f"intake: {note}")
    selected = [job for job in jobs if student is None or job[0] == student]
    if not selected:
        raise GradingError(f"no submissions of student {student!r} in {submissions_dir}")
    out = Path(out_dir)
    known = set(course.assignments(root))
    library = journal_mod.library_digest()
    instructor = {a: journal_mod.instructor_digest(course.solutions_dir(root) / a) for a in known}
    out.mkdir(parents=True, exist_ok=True)
    with journal_mod.Journal(out) as journal:
        todo, meta = [], {}
        for who, assign, path in jobs:
            key = (who, assign, path.name)
            try:
                digest = journal_mod.sha256(b"refused: " + refused[path].encode() if path in refused
                                            else path.read_bytes())
                if path not in refused and assign in known:
                    digest = journal_mod.with_handins(digest, *submitted_handins(path, assign, root))
            except OSError as exc:  # vanished or unreadable since intake looked
                refused[path] = f"cannot read {path.name}: {exc.strerror or exc}"
                digest = journal_mod.sha256(b"refused: " + refused[path].encode())
            fp = journal_mod.fingerprint(digest, instructor.get(assign, "-"), library, cfg)
            meta[key] = (who, path, digest, fp)
            if (student is None or who == student) and (force or not journal.is_current(key, fp)):
                todo.append((key, assign, path))
        log(f"{len(selected)} submission(s) found, {len(todo)} to grade"
            + (" (--force)" if force else f", {len(selected) - len(todo)} unchanged since the last run"))
        if seeds.fixed(cfg):
            log(f"warning: the hidden-test seed is fixed (seed = {cfg.seed}): every student and every resubmission "
                "gets the same hidden inputs; use this only to debug, never for a real class")
        seed = seeds.draw(cfg)  # this run's secret: the setup check and every submission graded now
        if todo:
            selfcheck.check({a for _, a, _ in todo} & known, root, cfg, log, seed=seed)

        with open_gradebook(db, out) as gb:
            for a in sorted({a for _, a, _ in jobs} & known):
                register(gb, a, root)
            late.set_due_dates(gb, cfg, sorted({a for _, a, _ in jobs} & known))
            if not gb.students:
                journal.stored.clear()  # a new (or replaced) gradebook: everything journaled goes in
            for key in meta:  # results journaled by a run killed before it reached the gradebook
                if key[1] in known and journal.needs_store(key):
                    entry = journal.latest[key]
                    store(gb, key[0], entry["result"], answers_changed=True)
                    journal.mark_stored(key)

            start = time.monotonic()
            grade = partial(grade_one, root=str(root), cfg=cfg, known=frozenset(known), seed=seed)
            if todo:
                log(f"grading {len(todo)} submission(s) " + (f"on the Dask cluster at {scheduler}" if scheduler
                                                              else f"with {cfg.workers} worker(s)"))
            graded = set()
            for n, (key, result) in enumerate(_jobs(todo, refused, grade, cfg.workers, scheduler, root), 1):
                wrote, grader_wrote = time.monotonic(), time.thread_time()
                graded.add(key)
                who, path, digest, fp = meta[key]
                previous = journal.latest.get(key)
                answers = {} if path in refused else manual.answers(path, result, root, cfg.notebook_mb)
                journal.add_result(key, fp, digest, path.absolute(), result, answers)
                if key[1] in known:
                    before = None if previous is None else previous.get("answers", {})
                    store(gb, who, result, answers_changed=True if before is None else
                          {g for g in set(before) | set(answers) if before.get(g) != answers.get(g)})
                    journal.mark_stored(key)
                log(f"[{n}/{len(todo)}] {who} {key[1]}/{result['notebook']}: {result['score']:g}/{result['max_score']:g} "
                    f"({time.monotonic() - start:.0f}s)")
                writing[key] = phase(time.monotonic() - wrote, 0.0, time.thread_time() - grader_wrote)
            wrote, grader_wrote = time.monotonic(), time.thread_time()
            changed = {(who, assign) for who, assign in sorted({(k[0], k[1]) for k in meta if k[1] in known})
                       if late.record(gb, who, assign, times.get((who, assign)), penalty, cfg.late_penalty)}
            current = {key: journal.latest[key] for key in meta if key in journal.latest}
            report.write_all(out, gb, current, root, log, pages=graded | {k for k in current if k[:2] in changed})
            stats.write(out, stats.latest(current.items()), gb, log)
            shared = (time.monotonic() - wrote, time.thread_time() - grader_wrote)
            for own in writing.values():
                add(own, shared[0] / len(writing), 0.0, shared[1] / len(writing))
    if notes:
        (out / "intake.txt").write_text("".join(n + "\n" for n in notes), encoding="utf-8")
    # ordered by (student, assignment, file): results are dicts, never compared
    return [(key[0], current[key]["result"]) for key in sorted(current)]
