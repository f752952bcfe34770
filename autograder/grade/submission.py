"""`grade`: grade one submission, no course database needed.

    result = grade_notebook("optimizers.ipynb")            # assignment guessed from the name
    result["score"], result["max_score"], result["tests"], result["problems"]

The reference solution (solutions/<assignment>/<notebook>.ipynb) is run once per seed (a fresh
secret per grading, see autograder.judge.seeds) and kept in memory (on disk too for a fixed debugging
seed); the submission runs in its own limited, isolated kernel; the judging happens here.

result["timings"] says where the submission's time went, measured by the grader (never by the
kernel): {phase: {"wall", "cpu", "grader_cpu"}} (run.execute.phase: wall seconds, the kernels' CPU
seconds from their cgroups, None without cgroup accounting, and the grading thread's own CPU) for
each key of PHASES, "total" (the submission from reading it to its result, the reference run left
out) and, when this grading ran the reference solution (once per seed, shared by a run),
"reference" apart. autograde measures "writing" (journal, gradebook, feedback) apart (its
`writing` argument). grades.csv and the feedback never show them.
"""
import hashlib
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat


from .. import course
from ..judge import forbidden, handin, seeds
from ..records import journal
from ..intake import folders
from ..run import sandbox
from ..config import Config
from ..errors import GradingError
from ..text import without_paths
from ..run.execute import add, grading_cells, join_stages, phase, run_cells
from ..judge.cell import first_cause, judge_cell
from ..judge import chapter
from ..notebook import (forbid_rule, grade_id, handin_specs, is_autograded_test, is_manual, is_solution, is_task, points, read,
                        timeout)
from ..transforms.merge import merge


PHASES = (  # (key in result["timings"], what it is), in the order a submission goes through them
    ("sandbox_start", "sandbox start (bubblewrap and the kernel up until it answers)"),
    ("imports", "interpreter and imports (the cells before the first answer cell: setup, imports)"),
    ("student_cells", "student cells (answer cells and the other cells grading runs after the first)"),
    ("tests_and_judging", "hidden tests and judging (test cells, both stages; hand-ins; judge)"),
    ("preparing", "preparing (read, merge, working folder made and removed)"),
    ("restarts", "restarts (a kernel again after a timeout or crash, earlier cells replayed)"),
    ("writing", "writing results (journal, gradebook, feedback)"),
)


def _kernel_time(timings):
    """phase() of everything a run_cells call's timings count: its kernels' starts, cells, restarts, folder."""
    total = phase()
    for part in ("start", "cells", "restarts", "folder"):
        add(total, **timings[part])
    return total


def _cell_phases(nb, cells, outcomes, into):
    """Add each run cell's figures to its phase in `into` (PHASES): the code cells before the
    notebook's first answer cell are "imports", autograded test cells "tests_and_judging", every
    other cell run "student_cells"."""
    first_answer = next((i for i, c in enumerate(nb.cells) if is_solution(c)), len(nb.cells))
    for cell, outcome in zip(cells, outcomes):
        kind = ("tests_and_judging" if is_autograded_test(nb.cells[cell.index])
                else "imports" if cell.index < first_answer else "student_cells")
        add(into[kind], outcome.seconds, outcome.cpu_seconds, outcome.grader_cpu)


def _cells(nb, cfg):
    """The code cells to run when grading (run.execute.grading_cells)."""
    return grading_cells(nb, cfg.cell_timeout)


def _joined(cells, outcomes):
    """(cells, outcomes), one per notebook cell: a test cell's visible and hidden stages joined
    (run.execute.join_stages)."""
    pairs = join_stages(cells, outcomes)
    return [c for c, _ in pairs], [o for _, o in pairs]


def _forbidden_uses(merged, source_ids, test_pos, forbid):
    """Forbidden names the student's code before merged.cells[test_pos] uses (see autograder.judge.forbidden)."""
    cells = [(c.source, is_solution(c) or grade_id(c) not in source_ids)
             for c in merged.cells[:test_pos] if c.cell_type == "code"]
    return forbidden.find(cells, forbid)


def forbidden_by_test(source, merged):
    """{test grade_id: (forbidden uses before it, fraction of its points a use costs)} for the test
    cells of `source` with a forbid rule (metadata.dlcourse.forbid), in the merged submission."""
    source_ids = {grade_id(c) for c in source.cells} - {None}
    position = {grade_id(c): n for n, c in enumerate(merged.cells) if grade_id(c) and is_autograded_test(c)}
    found = {}
    for cell in source.cells:
        forbid, penalty = forbid_rule(cell)
        if is_autograded_test(cell) and forbid and grade_id(cell) in position:
            found[grade_id(cell)] = (_forbidden_uses(merged, source_ids, position[grade_id(cell)], forbid), penalty)
    return found


_RELEASED = {}  # source notebook text -> {grade_id: released source} of its written answers


def unanswered(source, merged, gid):
    """Whether the written answer `gid` of the merged submission is still the released text (nbgrader's
    unchanged checksum: it scores 0 without a grader). The released text is derived from the
    instructor notebook, never read from the submission's metadata."""
    from ..authoring.release import student_version
    key = hashlib.sha256(nbformat.writes(source).encode()).hexdigest()
    if key not in _RELEASED:
        _RELEASED.clear()
        _RELEASED[key] = {grade_id(c): (c.cell_type, c.source) for c in student_version(source).cells if is_manual(c)}
    mine = next((c for c in merged.cells if grade_id(c) == gid), None)
    return mine is not None and _RELEASED[key].get(gid) == (mine.cell_type, mine.source)


def _student_failures(source, merged, cells, outcomes):
    """{merged cell index: [(label, source, outcome)]}: the student's cells (answers and added cells)
    that failed before each cell, in order (see judge.cell.first_cause)."""
    source_ids = {grade_id(c) for c in source.cells} - {None}
    failed, before = [], {}
    for cell, outcome in zip(cells, outcomes):
        before[cell.index] = list(failed)
        nb_cell = merged.cells[cell.index]
        if outcome.status in ("error", "timeout", "crashed") and (is_solution(nb_cell) or grade_id(nb_cell) not in source_ids):
            gid = grade_id(nb_cell)
            failed.append((f"`{gid}` (cell {cell.index + 1})" if gid else f"cell {cell.index + 1}", cell.source, outcome))
    return before


def _by_test(nb, cells, outcomes):
    """{grade_id: Outcome} for the autograded test cells."""
    result = {}
    for cell, outcome in zip(cells, outcomes):
        gid = grade_id(nb.cells[cell.index])
        if gid and is_autograded_test(nb.cells[cell.index]):
            result[gid] = outcome
    return result



_MEMORY = {}  # (source, seed, library) digest -> records, for the seeds of this process's gradings
_MEMORY_KEEP = 16
_LOCKS = {}
_LOCKS_GUARD = threading.Lock()


def reference_records(source_path, cfg, root=None, log=None, seed=None, assignment=None, timings=None):
    """{test grade_id: [records]} of the reference solution for this seed (default: cfg's fixed seed).

    Run once per source, seed and library: kept in memory (a few recent seeds), and in the on-disk
    cache only for a fixed seed (a fresh seed is a secret and is never written down). Concurrent
    gradings with the same seed wait for one run. assignment: the notebook's (its chapter's
    property checks count as known); None: the name of the source's folder. timings: a dict that
    gets "reference" (run.execute.phase) when this call ran the reference solution.
    """
    if seed is None:
        seed = seeds.draw(cfg)
    key = hashlib.sha256(Path(source_path).read_bytes() + f"|{seed}|{journal.library_digest()}".encode()).hexdigest()[:32]
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _MEMORY:
            began, grader_began, ran = time.monotonic(), time.thread_time(), {}
            records = _reference_records(source_path, cfg, root, log, seed, key, assignment, ran)
            if timings is not None:
                timings["reference"] = phase(time.monotonic() - began, _kernel_time(ran)["cpu"] if ran else 0.0,
                                             time.thread_time() - grader_began)
            while len(_MEMORY) >= _MEMORY_KEEP:
                _MEMORY.pop(next(iter(_MEMORY)))
            _MEMORY[key] = records
        return _MEMORY[key]


def _reference_records(source_path, cfg, root, log, seed, key, assignment=None, timings=None):
    assignment = assignment or Path(source_path).resolve().parent.name  # solutions/<assignment>/<notebook>.ipynb
    on_disk = seeds.fixed(cfg) and seed == cfg.seed
    cache_dir = Path(cfg.cache_dir) if cfg.cache_dir else course.course_root(root) / ".cache" / "grader"
    cache = cache_dir / f"{Path(source_path).stem}-{key}.json"
    if on_disk and cache.exists():
        return json.loads(cache.read_text())
    if log:
        log(f"running the reference solution {source_path} (once for this seed"
            + (f"; cached in {cache_dir})" if on_disk else "; kept in memory only)"))
    source = read(source_path)
    cells = _cells(source, cfg)
    # isolated like every submission: a poisoned environment would otherwise run here unsandboxed
    outcomes = run_cells(cells, seed=seed, cfg=cfg, sandbox_mode=sandbox.resolve(cfg.sandbox), timings=timings)
    cells, outcomes = _joined(cells, outcomes)
    for cell, outcome in zip(cells, outcomes):
        if outcome.status != "ok":
            raise GradingError(f"the reference solution {source_path} fails in cell {cell.index} "
                               f"({outcome.ename}: {outcome.evalue}); fix the source notebook, or the settings and "
                               "environment it runs in (memory_limit_mb, time limits, packages)")
    records = {gid: o.records for gid, o in _by_test(source, cells, outcomes).items()}
    silent = sorted(gid for gid, recs in records.items() if not recs and gid not in handin.judged_specs(source))
    if silent and not any(records.values()):
        # a plain nbgrader notebook (asserts, no test records): judged as nbgrader does, a test
        # passes when it runs without an error (judge.cell); the record-based defences do not apply
        if log:
            log(f"{source_path}: no test records(): plain nbgrader tests, passed when they run without an error")
    elif silent:
        raise GradingError(f"the reference solution {source_path}: test cell(s) {', '.join(silent)} recorded nothing; "
                           "every test must record() what it checks (a record line over the grader's size limit "
                           "is dropped: record less)")
    known = chapter.checks(assignment)
    unknown = sorted({r.get("check") for recs in records.values() for r in recs} - {None, ""} - set(known))
    if unknown:
        raise GradingError(f"the reference solution {source_path} names unknown property checks {unknown}; "
                           f"known: {', '.join(sorted(known))} ({chapter.where(assignment)})")
    if on_disk:
        cache_dir.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(records))
    return records


def resolve_notebook(path, assignment=None, root=None):
    """(assignment, notebook name, source path) for a submitted file."""
    stem = Path(path).stem
    match = folders.RENAMED.match(stem)
    name = match.group("name") if match else stem
    if assignment is None:
        try:
            assignment = course.guess_assignment(name, root)
        except GradingError:
            if name == stem:
                raise
            assignment = course.guess_assignment(stem, root)
            name = stem
    notebooks = sorted((course.solutions_dir(root) / assignment).glob("*.ipynb")) if assignment in course.assignments(root) else []
    if len(notebooks) == 1 and not (course.solutions_dir(root) / assignment / f"{name}.ipynb").exists():
        name = notebooks[0].stem  # a renamed download of a one-notebook assignment
    return assignment, name, course.source_notebook(assignment, name, root)


def handin_states(source, submitted_path):
    """[(name, state, size)] of the files a submission hands in next to its notebook, as grading
    judges them without reading a byte: state "ok" (a regular file within its limit), "missing",
    "irregular" (a link, a folder or anything else that is not a regular file) or "big" (over its
    limit; size in bytes)."""
    folder = Path(submitted_path).parent
    states = []
    for spec in handin_specs(source):
        name, target = spec["name"], folder / spec["name"]
        if not target.exists() and not target.is_symlink():
            states.append((name, "missing", 0))
        elif target.is_symlink() or not target.is_file():
            states.append((name, "irregular", 0))
        else:
            size = target.stat().st_size
            states.append((name, "big" if size > float(spec["max_mb"]) * 2**20 else "ok", size))
    return states


def handin_files(source, submitted_path):
    """({name: path}, problems) of the files a submission hands in next to its notebook.

    The instructor notebook lists them in ``metadata.dlcourse.handin``: [{"name": "model.pt",
    "max_mb": 20, "test": "<grade_id of the test that reads it>"}, ...]. A file is used when it is a regular file (not a link) within its size
    limit, checked before it is read (handin_states); otherwise it is left out and the problem is
    noted (the notebook's test then finds no file and says so).
    """
    folder = Path(submitted_path).parent
    limits = {spec["name"]: float(spec["max_mb"]) for spec in handin_specs(source)}
    files, problems = {}, []
    for name, state, size in handin_states(source, submitted_path):
        if state == "ok":
            files[name] = folder / name
        elif state == "missing":
            problems.append(f"{name}: not handed in next to the notebook")
        elif state == "irregular":
            problems.append(f"{name}: not a regular file (a link or a folder): not used")
        else:
            problems.append(f"{name}: {size / 2**20:.0f} MB, over the limit of {limits[name]:g} MB: not used")
    return files, problems


def shipped_handins(path, assignment=None, root=None):
    """[(name, state, size)] (handin_states) of a submitted notebook's hand-ins, for a job sent to
    another machine; nothing for a notebook whose assignment or instructor notebook is unknown."""
    try:
        _, _, source_path = resolve_notebook(path, assignment, root)
        return handin_states(read(source_path), path)
    except GradingError:
        return []


def submitted_handins(path, assignment=None, root=None):
    """({name: path}, problems) of the hand-ins next to a submitted notebook, as grading will use
    them (handin_files); nothing for a notebook whose assignment or instructor notebook is unknown."""
    try:
        _, _, source_path = resolve_notebook(path, assignment, root)
        return handin_files(read(source_path), path)
    except GradingError:
        return {}, []


def handin_listing(files, problems):
    """One line per hand-in for the result (and so the feedback): what was used, or why not."""
    used = [f"{name}: used ({path.stat().st_size / 2**20:.2f} MB, sha256 "
            f"{hashlib.sha256(path.read_bytes()).hexdigest()[:16]})" for name, path in sorted(files.items())]
    return used + list(problems)


def grader_paths(path, root=None, cfg=None):
    """{folder: what a student sees instead} of the grader's folders that may turn up in a result's
    texts (see text.without_paths): the submission's own folder (its file name stays), the course,
    the reference cache, the Python installation, the home and temporary folders."""
    paths = {course.course_root(root): "<course>", tempfile.gettempdir(): "<tmp>", Path.home(): "~"}
    paths.update({prefix: "<python>" for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}})
    if cfg is not None and cfg.cache_dir:
        paths[Path(cfg.cache_dir).absolute()] = "<cache>"
    paths.update({Path(path).absolute().parent: "", Path(path).resolve().parent: ""})
    return {str(folder): shown for folder, shown in paths.items()}


def public(result, seed, path, root=None, cfg=None):
    """A result (changed in place and returned) as students may read it: no seed (seeds.redact), no
    folder of the grader's (grader_paths) in any text. seed: None when none was drawn."""
    result = seeds.redact(result, seed) if seed is not None else result
    paths = grader_paths(path, root, cfg)
    for test in result.get("tests", []):
        test["message"] = without_paths(test.get("message"), paths)
    for key in ("problems", "handins"):
        if key in result:
            result[key] = [without_paths(p, paths) for p in result[key]]
    return result


def grade_notebook(path, assignment=None, root=None, cfg=None, log=None, seed=None):
    """Grade one submitted notebook; returns the result dict (see the module and README).

    seed: the hidden-test seed; None draws a fresh one (autograde passes its run's seed). It is
    redacted from every text of the result, and so are the grader's folders (public).
    """
    cfg = cfg or Config()
    seed = seeds.draw(cfg) if seed is None else seed
    return public(_grade(path, assignment, root, cfg, log, seed), seed, path, root, cfg)


def _grade(path, assignment, root, cfg, log, seed):
    began, grader_began = time.monotonic(), time.thread_time()
    timings = {key: phase() for key, _ in PHASES if key != "writing"}
    assignment, name, source_path = resolve_notebook(path, assignment, root)
    submitted = read(path, cfg.notebook_mb)
    source = read(source_path)
    add(timings["preparing"], time.monotonic() - began, 0.0, time.thread_time() - grader_began)
    reference_began, reference_grader = time.monotonic(), time.thread_time()
    reference = reference_records(source_path, cfg, root, log, seed, assignment, timings=timings)
    # the reference run, or the wait for another grading's, is not this submission's time
    reference_wall, reference_grader = time.monotonic() - reference_began, time.thread_time() - reference_grader
    step, grader_step = time.monotonic(), time.thread_time()
    merged, problems = merge(source, submitted)
    files, handin_problems = handin_files(source, path)
    problems += handin_problems
    handins = handin_listing(files, handin_problems)
    mode = sandbox.resolve(cfg.sandbox)
    cells = _cells(merged, cfg)
    if log:
        log(f"grading {path} ({assignment}/{name}, {len(cells)} code cells, sandbox: {mode})")
    add(timings["preparing"], time.monotonic() - step, 0.0, time.thread_time() - grader_step)
    ran = {}
    outcomes = run_cells(cells, seed=seed, cfg=cfg, sandbox_mode=mode, log=log, files=files, timings=ran)
    add(timings["sandbox_start"], **ran["start"])
    add(timings["restarts"], **ran["restarts"])
    add(timings["preparing"], **ran["folder"])
    _cell_phases(merged, cells, outcomes, timings)
    step, grader_step, kernel_cpu = time.monotonic(), time.thread_time(), 0.0
    cells, outcomes = _joined(cells, outcomes)
    by_test = _by_test(merged, cells, outcomes)
    failures = _student_failures(source, merged, cells, outcomes)
    test_index = {grade_id(merged.cells[c.index]): c.index for c in cells}
    for cell, outcome in zip(cells, outcomes):
        if outcome.status in ("timeout", "crashed") and not is_autograded_test(merged.cells[cell.index]):
            problems.append(f"cell {grade_id(merged.cells[cell.index]) or cell.index}: {outcome.evalue}")
    judged = {}  # test grade_id -> (reference records, student records, outcome) of hand-ins judged apart
    for gid, spec in handin.judged_specs(source).items():
        test_cell = next((c for c in source.cells if grade_id(c) == gid), None)
        own = {}
        ref, mine, outcome = handin.judge(spec, merged, files, assignment=assignment, seed=seed, cfg=cfg, sandbox_mode=mode,
                                          timeout=timeout(test_cell, cfg.cell_timeout) if test_cell else cfg.cell_timeout,
                                          timings=own)
        if own:  # the hand-in's own kernel: its CPU is judging's (its wall time is in the step's)
            cpu = _kernel_time(own)["cpu"]
            kernel_cpu = None if kernel_cpu is None or cpu is None else kernel_cpu + cpu
        if outcome is not None and outcome.status in ("timeout", "crashed"):
            problems.append(f"{spec['name']}: {outcome.evalue}")
        judged[gid] = ([ref], [mine] if mine else [], outcome)  # the test is the hand-in's alone
    tests = []
    forbidden_uses = forbidden_by_test(source, merged)
    for cell in source.cells:
        gid = grade_id(cell)
        if is_autograded_test(cell):
            if gid in judged:  # the hand-in's own run; the notebook's records of it do not count
                status, message, fraction = judge_cell(*judged[gid], assignment=assignment)
            else:
                status, message, fraction = judge_cell(reference.get(gid, []),
                                                       by_test.get(gid) and by_test[gid].records or [], by_test.get(gid),
                                                       assignment=assignment)
                cause = first_cause(by_test.get(gid), failures.get(test_index.get(gid), []))
                if cause and status == "error":  # the first real error, not the NameError it left behind
                    message = f"{cause}. Then: {message}"
            uses, penalty = forbidden_uses.get(gid, ([], 0.0))
            if uses and fraction > 0:
                used, _, line = uses[0]
                fraction = max(0.0, fraction - penalty)
                status = "failed" if fraction == 0 else "partial"
                message = (f"your code uses {used} (line {line} of one of your cells): this exercise asks you to "
                           f"write it yourself, so this test earns {1 - penalty:g} of its points at most. {message}").strip()
            tests.append({"id": gid, "points": round(points(cell) * fraction, 6),
                          "max_points": points(cell), "status": status, "message": message})
        elif is_manual(cell) and unanswered(source, merged, gid):
            tests.append({"id": gid, "points": 0.0, "max_points": points(cell), "status": "manual",
                          "unanswered": True, "message": "not answered (the released text unchanged): 0 points"})
        elif is_manual(cell) or is_task(cell):
            tests.append({"id": gid, "points": 0.0, "max_points": points(cell), "status": "manual",
                          "message": "graded by hand"})
    auto = [t for t in tests if t["status"] != "manual"]
    add(timings["tests_and_judging"], time.monotonic() - step, kernel_cpu, time.thread_time() - grader_step)
    timings["total"] = add(phase(time.monotonic() - began - reference_wall, _kernel_time(ran)["cpu"],
                                 time.thread_time() - grader_began - reference_grader), cpu=kernel_cpu)
    return {"assignment": assignment, "notebook": name, "score": sum(t["points"] for t in auto),
            "max_score": sum(t["max_points"] for t in auto), "tests": tests, "problems": problems,
            "handins": handins, "sandbox": mode, "timings": timings}
