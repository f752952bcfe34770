"""Prove the grading setup before grading anyone.

The released notebook filled with the reference answers (autograder.transforms.fill) must get
its max_score when graded exactly as the students' submissions will be: same settings, same
sandbox. If it does not, grading the class would give everyone wrong marks, so nothing is
graded and nothing is recorded; the GradingError says what to fix. When the kernel cannot even
start, the sandbox command is run once with a trivial program and its own error is quoted
(e.g. an interpreter reached through a symlink in /tmp, which the sandbox cannot see).
"""
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import course
from ..run import resources, sandbox
from ..errors import GradingError
from ..notebook import handin_specs, read, write
from ..transforms.fill import fill


def probe(mode, uid=sandbox.SANDBOX_UID):
    """None when the sandboxed interpreter starts and imports what grading needs, else its error."""
    with tempfile.TemporaryDirectory(prefix="dlcourse-probe-") as tmp:
        work, lib = Path(tmp) / "work", Path(tmp) / "lib"
        work.mkdir()
        lib.mkdir()
        argv = sandbox.command(mode, work, lib, [sys.executable, "-c", "import IPython, numpy"], uid=uid)
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                                  cwd=str(work) if mode == "none" else None)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{exc.__class__.__name__}: {exc}"
    if proc.returncode == 0:
        return None
    lines = [l for l in (proc.stderr or proc.stdout).strip().splitlines() if l.strip()]
    return lines[-1] if lines else f"exit status {proc.returncode}"


def _advice(mode, error):
    exe = Path(sys.executable)
    real = Path(sys.prefix).resolve() / "bin" / exe.name
    hint = (f"the interpreter {exe} must be visible inside the sandbox, which has its own /tmp and follows no "
            f"symlinks: run the grader as {real} (or from an environment outside /tmp), or set sandbox=none "
            "to grade unisolated" if mode == "bwrap" else "check that this environment has IPython and numpy")
    if "No module named" in error:
        hint = f"install the missing package into {sys.prefix} (pip install -r requirements.txt)"
    elif "bwrap" in error and ("No such file" not in error):
        hint = "bubblewrap cannot create its sandbox here (user namespaces?): fix it, or set sandbox=none"
    return hint


def reference_took(result):
    """"; the reference solution ran in W s (C s CPU)" when grading `result` ran it (its
    timings["reference"], see grade.submission), else "": the run's one reference run, said once."""
    ran = result.get("timings", {}).get("reference")
    if not ran:
        return ""
    cpu = "" if ran["cpu"] is None else f"{ran['cpu']:.1f} s CPU in its kernel, "
    return f"; the reference solution ran in {ran['wall']:.1f} s ({cpu}{ran['grader_cpu']:.1f} s the grader's)"


def check(assignments, root=None, cfg=None, log=None, seed=None):
    """Raise GradingError unless every notebook of these assignments gets max_score from its reference answers
    (graded with `seed`, the run's hidden-test seed: also its reference run, then reused by the class)."""
    from .submission import grade_notebook  # late: grade imports much of the package

    mode = sandbox.resolve(cfg.sandbox)
    error = probe(mode, cfg.sandbox_uid)
    if error:
        raise GradingError(f"setup check failed, nothing graded: the grading kernel cannot start in sandbox "
                           f"{mode!r} ({error}); fix: {_advice(mode, error)}")
    if log:
        log(resources.describe(mode) if cfg.cgroups != "off" else "resource isolation: cgroups off (cgroups = \"off\")")
    resources.sweep()
    for assignment in sorted(assignments):
        for source_path in sorted((course.solutions_dir(root) / assignment).glob("*.ipynb")):
            released_path = course.exercises_dir(root) / assignment / source_path.name
            if not released_path.exists():
                raise GradingError(f"setup check failed, nothing graded: {released_path} is missing; "
                                   "run python -m autograder release")
            with tempfile.TemporaryDirectory(prefix="dlcourse-selfcheck-") as tmp:
                filled = Path(tmp) / source_path.name
                write(fill(read(released_path), read(source_path)), filled)
                try:  # runs the reference solution too, for this run's seed
                    result = grade_notebook(filled, assignment, root, cfg, seed=seed)
                except GradingError as exc:
                    raise GradingError(f"setup check failed, nothing graded: {exc}") from None
            # A test that judges a handed-in file (metadata.dlcourse.handin, e.g. a trained model) has
            # no file to judge here: the reference answers come without one. It is left out of the check.
            handin = {spec.get("test") for spec in handin_specs(read(source_path))}
            checked = [t for t in result["tests"] if t["id"] not in handin and t["status"] != "manual"]
            score, max_score = sum(t["points"] for t in checked), sum(t["max_points"] for t in checked)
            if log:
                left_out = f" (left out: {', '.join(sorted(handin))}, which judge(s) a handed-in file)" if handin else ""
                log(f"setup check: {assignment}/{source_path.stem} reference answers score "
                    f"{score:g}/{max_score:g} in sandbox {mode!r}{left_out}" + reference_took(result))
            if score < max_score:
                lost = "; ".join(f"{t['id']}: {t['status']} {t['message']}"[:200] for t in checked
                                 if t["status"] != "passed")
                raise GradingError(f"setup check failed, nothing graded: the reference answers of {assignment}/"
                                   f"{source_path.stem} score {score:g}/{max_score:g} here "
                                   f"({lost}); fix the environment (missing package? time limits too short for "
                                   "this machine?) or the instructor notebook, then run again")
    return mode
