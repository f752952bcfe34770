"""A course term at scale: resume after kill -9, regrade only what changed, refuse a broken setup,
written answers round trip, notebook feedback, Dask workers, a PostgreSQL gradebook."""
import csv
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.grade import benchmark
from autograder.grade.autograde import autograde
from autograder.records.gradebook import open_gradebook
from classroom import FULL, WRITTEN

ROOT = Path(__file__).resolve().parents[3]
N = 8


def cli(*args, cache, python=sys.executable, **kw):
    env = dict(os.environ)  # as an instructor runs it: autograder is installed by requirements.txt (-e .)
    return subprocess.Popen([python, "-m", "autograder", "--set", f"cache_dir={cache}", *map(str, args)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, **kw)


def grades(out):
    with open(Path(out) / "grades.csv", newline="") as f:
        return sorted(csv.reader(f))


def results_in_journal(out):
    path = Path(out) / "journal.jsonl"
    return sum(1 for line in path.read_text().splitlines() if '"kind":"result"' in line) if path.exists() else 0


@pytest.fixture(scope="module")
def klass(tmp_path_factory, grading_config):
    base = tmp_path_factory.mktemp("klass")
    kinds = benchmark.build_class(base / "class", N)
    out = base / "full"
    autograde(base / "class", out, cfg=grading_config, log=lambda m: None)
    return {"base": base, "class": base / "class", "full": out, "kinds": kinds, "cache": grading_config.cache_dir}


@pytest.mark.slow
def test_kill_9_halfway_then_resume_gives_the_same_grades(klass, tmp_path):
    out = tmp_path / "out"
    proc = cli("autograde", klass["class"], "--out", out, "--workers", 1, cache=klass["cache"])
    deadline = time.monotonic() + 240
    while results_in_journal(out) < N // 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = results_in_journal(out)
    assert N // 2 <= done < N, f"killed too late to test anything ({done} of {N} graded)"
    assert not (out / "grades.csv").exists()
    resume = cli("autograde", klass["class"], "--out", out, "--workers", 2, cache=klass["cache"])
    log = resume.communicate(timeout=300)[0]
    assert resume.returncode == 0, log
    assert f"{N} submission(s) found, {N - done} to grade" in log
    assert grades(out) == grades(klass["full"])
    with open_gradebook(out / "gradebook.db") as gb:
        assert len(gb.students) == N


def test_rerun_grades_only_what_changed(klass, grading_config, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(klass["full"], out)
    cls = tmp_path / "class"
    shutil.copytree(klass["class"], cls)
    lines = []
    autograde(cls, out, cfg=grading_config, log=lines.append)
    assert f"{N} submission(s) found, 0 to grade, {N} unchanged since the last run" in lines
    # student001 submitted the untouched release; a new version with the reference answers replaces it
    shutil.copy(cls / "student000" / "optimizers" / "optimizers.ipynb", cls / "student001" / "optimizers" / "optimizers.ipynb")
    lines.clear()
    graded = dict(autograde(cls, out, cfg=grading_config, log=lines.append))
    assert f"{N} submission(s) found, 1 to grade, {N - 1} unchanged since the last run" in lines
    assert graded["student001"]["score"] == graded["student001"]["max_score"] == FULL
    lines.clear()
    autograde(cls, out, cfg=grading_config, log=lines.append, student="student002")
    assert "1 submission(s) found, 0 to grade, 1 unchanged since the last run" in lines
    lines.clear()
    autograde(cls, out, cfg=grading_config, log=lines.append, student="student002", force=True)
    assert "1 submission(s) found, 1 to grade (--force)" in lines
    assert len(grades(out)) == N + 1  # the other students' rows are kept
    with pytest.raises(Exception, match="no submissions of student 'nobody'"):
        autograde(cls, out, cfg=grading_config, log=lines.append, student="nobody")


def _refused(proc, out):
    log = proc.communicate(timeout=300)[0]
    lines = [l for l in log.splitlines() if l.startswith("error:")]
    assert proc.returncode == 2 and len(lines) == 1 and "setup check failed, nothing graded" in lines[0], log
    assert not (out / "journal.jsonl").exists() and not (out / "gradebook.db").exists()
    return lines[0]


def test_a_broken_setup_is_refused_and_records_nothing(klass, tmp_path):
    out = tmp_path / "out"
    # a kernel that cannot even start: an address-space limit far too small for Python and numpy
    message = _refused(cli("--set", "memory_limit_mb=40", "autograde", klass["class"], "--out", out,
                           cache=klass["cache"]), out)
    # the reference solution runs first for the run's fresh seed, under the same limits
    assert "cannot start" in message or "score" in message or "memory_limit_mb" in message


@pytest.mark.skipif(not shutil.which("bwrap"), reason="needs bubblewrap (apt-get install bubblewrap)")
def test_an_interpreter_the_sandbox_cannot_see_never_gives_everyone_zero(klass, tmp_path):
    """The environment reached through a symlink under /tmp (the sandbox has a private /tmp)."""
    link = Path("/tmp") / f"dlcourse-venv-link-{os.getpid()}"
    link.symlink_to(Path(sys.prefix))
    try:
        out = tmp_path / "out"
        proc = cli("--set", "sandbox=bwrap", "autograde", klass["class"], "--out", out, cache=klass["cache"],
                   python=str(link / "bin" / "python"))
        log = proc.communicate(timeout=300)[0]
        if proc.returncode == 2:
            assert "setup check failed, nothing graded" in log and "visible inside the sandbox" in log, log
            assert not (out / "gradebook.db").exists()
        else:  # a sandbox that binds the interpreter's path: then it must grade right
            assert proc.returncode == 0, log
            assert grades(out) == grades(klass["full"])
    finally:
        link.unlink()


def _fill(path, points, comment):
    rows = list(csv.DictReader(open(path, newline="")))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for n, row in enumerate(rows):
            row["points"], row["comment"] = points(n, row), comment(n, row)
            writer.writerow(row)


def test_written_answers_round_trip_into_grades_lms_and_feedback(klass, tmp_path):
    from nbgrader.plugins.export import CsvExportPlugin
    from autograder.records import manual
    out = tmp_path / "out"
    shutil.copytree(klass["full"], out)
    files = manual.export(tmp_path / "ta", out, "optimizers", log=lambda m: None)
    assert sorted(p.name for p in files) == ["optimizers.optimizers.q1_answer.csv", "optimizers.optimizers.q2_answer.csv"]
    page = (tmp_path / "ta" / "optimizers.optimizers.q1_answer.html").read_text()
    assert "AdaGrad keeps" in page and "Grading: 1 point" in page  # question, model answer and rubric
    rows = list(csv.DictReader(open(files[0])))
    assert len(rows) == N and {r["student"] for r in rows} == {f"student{i:03d}" for i in range(N)}
    reference_row = next(r for r in rows if r["student"] == "student000")
    assert "AdaGrad's cache is a *sum*" in reference_row["answer"]  # the reference-filled submission's answer

    # bad rows: nothing is imported, each is named
    bad = tmp_path / "bad.csv"
    shutil.copy(files[0], bad)
    _fill(bad, lambda n, r: {0: "3", 1: "lots"}.get(n, "1"), lambda n, r: "")
    with pytest.raises(Exception) as err:
        manual.import_([bad], out, log=lambda m: None)
    assert "row 2: points 3 outside 0..2" in str(err.value) and "row 3: points 'lots' is not a number" in str(err.value)
    assert all(r[5] in ("manual", "0") for r in grades(out))

    _fill(files[0], lambda n, r: "2" if r["student"] == "student000" else ("0.5" if n % 2 else ""),
          lambda n, r: "<b>clear</b> & right" if r["student"] == "student000" else "")
    _fill(files[1], lambda n, r: "4" if r["student"] == "student000" else "1", lambda n, r: "")
    assert manual.import_(files, out, log=lambda m: None) > N
    table = {r[0]: r for r in grades(out)[1:] if r[0] != "student"}
    head = [h for h in grades(out) if h[0] == "student"][0]
    top = dict(zip(head, table["student000"]))
    assert (top["score"], top["manual"], top["total"], top["total_max"], top["needs_manual"]) == (f"{FULL:g}", f"{WRITTEN:g}", f"{FULL + WRITTEN:g}", f"{FULL + WRITTEN:g}", "0")

    # nbgrader's own export reads the same totals
    export = tmp_path / "nbgrader.csv"
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        CsvExportPlugin(to=str(export)).export(gb)
    theirs = {r["student_id"]: r for r in csv.DictReader(open(export))}
    for student, r in table.items():
        mine = dict(zip(head, r))
        assert float(theirs[student]["score"]) == float(mine["total"]) and float(theirs[student]["max_score"]) == FULL + WRITTEN
    lms = list(csv.reader(open(out / "lms.csv")))
    assert lms[0] == ["student", "optimizers", "total", "max"] and [f"student000"] + [f"{FULL + WRITTEN:g}"] * 3 in lms

    # the feedback page was regenerated with the grader's comment, escaped
    fb = (out / "feedback" / "student000" / "optimizers" / "optimizers.html").read_text()
    assert "2 / 2 points" in fb and "&lt;b&gt;clear&lt;/b&gt; &amp; right" in fb and f"Total: <b>{FULL + WRITTEN:g} / {FULL + WRITTEN:g}</b>" in fb


def test_feedback_shows_their_notebook_never_the_hidden_tests(klass, grading_config, tmp_path):
    from autograder.notebook import read, write
    from autograder.transforms.fill import fill
    released = read(ROOT / "exercises" / "optimizers" / "optimizers.ipynb")
    source = read(ROOT / "solutions" / "optimizers" / "optimizers.ipynb")
    nb = fill(released, source, {"q1_answer": "My answer <script>alert(1)</script> [x](javascript:alert(2))"})
    write(nb, tmp_path / "class" / "eve" / "optimizers" / "optimizers.ipynb")
    autograde(tmp_path / "class", tmp_path / "out", cfg=grading_config, log=lambda m: None)
    page = (tmp_path / "out" / "feedback" / "eve" / "optimizers" / "optimizers.html").read_text()
    assert "def adam(w, dw, config=None):" in page  # their code
    assert "check_update_rule(&quot;adam&quot;, adam)" in page  # the visible part of a test cell
    assert "test_adam: passed, 3 / 3 points." in page
    from autograder.text import MATHJAX
    assert page.count(MATHJAX) == 1  # the only script: MathJax, as the book loads it
    assert "My answer &lt;script&gt;" in page and "<script" not in page.replace(MATHJAX, "")
    assert 'href="javascript' not in page
    assert "Written answer q1_answer: not graded yet." in page
    for hidden in ("BEGIN HIDDEN", "probe_update_rule", "hint_first", "cases="):
        assert hidden not in page
    assert page.index("def sgd_momentum") < page.index("test_sgd_momentum: passed") < page.index("def rmsprop")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_dask_scheduler_and_two_workers_give_the_local_grades(klass, tmp_path):
    pytest.importorskip("distributed", reason="pip install distributed")
    dask = Path(sys.executable).with_name("dask")
    port = _free_port()
    env = dict(os.environ)  # the guide's commands, no extra environment
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([str(dask), "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                                           "--no-dashboard", "--local-directory", str(tmp_path / "dask")],
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))
        out = tmp_path / "out"
        proc = cli("autograde", klass["class"], "--out", out, "--scheduler", f"tcp://127.0.0.1:{port}",
                   cache=klass["cache"])
        log = proc.communicate(timeout=400)[0]
        assert proc.returncode == 0, log
        assert "on the Dask cluster at" in log
        assert grades(out) == grades(klass["full"])
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def test_unreachable_scheduler_is_one_line(klass, tmp_path):
    pytest.importorskip("distributed", reason="pip install distributed")
    proc = cli("autograde", klass["class"], "--out", tmp_path / "out", "--force",
               "--scheduler", f"tcp://127.0.0.1:{_free_port()}", cache=klass["cache"])
    log = proc.communicate(timeout=120)[0]
    errors = [l for l in log.splitlines() if l.startswith("error:")]
    assert proc.returncode == 2 and len(errors) == 1 and "cannot reach the Dask scheduler" in errors[0], log


@pytest.mark.postgres
def test_postgresql_gradebook(klass, tmp_path, postgres_url):
    url = postgres_url
    out = tmp_path / "out"
    proc = cli("autograde", klass["class"], "--out", out, "--db", url, cache=klass["cache"])
    log = proc.communicate(timeout=300)[0]
    assert proc.returncode == 0, log
    assert grades(out) == grades(klass["full"]) and not (out / "gradebook.db").exists()
    with open_gradebook(url) as gb:
        assert sorted(s.id for s in gb.students) == [f"student{i:03d}" for i in range(N)]
        assert gb.find_submission("optimizers", "student000").score == FULL
        from nbgrader.plugins.export import CsvExportPlugin
        CsvExportPlugin(to=str(tmp_path / "nbgrader.csv")).export(gb)
    exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(open(tmp_path / "nbgrader.csv"))}
    assert exported == {r[0]: float(r[7]) for r in grades(out) if r[0] != "student"}


@pytest.mark.parametrize("args, words", [
    (["manual", "import", "{tmp}/missing.csv", "--out", "{full}"], "cannot be read as CSV"),
    (["manual", "import", "{tmp}/x.csv", "--out", "{tmp}"], "no gradebook.db here"),
    (["manual", "export", "{tmp}/ta", "--out", "{full}", "--assignment", "nope"], "unknown assignment 'nope'"),
    (["manual", "export", "{tmp}/ta", "--out", "{tmp}"], "no graded submissions"),
    (["autograde", "{class}", "--out", "{tmp}/o", "--db", "nosuchdriver://x/y"], "cannot open the gradebook"),
])
def test_bad_input_is_one_line(klass, tmp_path, args, words):
    (tmp_path / "x.csv").write_text("student,points\n")
    fill_in = {"tmp": tmp_path, "full": klass["full"], "class": klass["class"]}
    proc = cli(*[a.format(**fill_in) for a in args], cache=klass["cache"])
    log = proc.communicate(timeout=300)[0]
    errors = [l for l in log.splitlines() if l.startswith("error:")]
    assert proc.returncode == 2 and len(errors) == 1 and words in errors[0] and "Traceback" not in log, log


def test_a_lost_gradebook_is_rebuilt_from_the_journal(klass, grading_config, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(klass["full"], out)
    (out / "gradebook.db").unlink()
    lines = []
    autograde(klass["class"], out, cfg=grading_config, log=lines.append)
    assert f"{N} submission(s) found, 0 to grade, {N} unchanged since the last run" in lines
    assert grades(out) == grades(klass["full"])
    with open_gradebook(out / "gradebook.db") as gb:
        assert gb.find_submission("optimizers", "student000").score == FULL


def test_journal_ignores_a_torn_last_line_and_appends_after_it(tmp_path):
    from autograder.records.journal import Journal
    with Journal(tmp_path) as j:
        j.add_result(("ann", "a", "n.ipynb"), "fp1", "sha", "p", {"score": 1}, {})
        j.mark_stored(("ann", "a", "n.ipynb"))
        j.add_result(("bob", "a", "n.ipynb"), "fp2", "sha", "p", {"score": 2}, {})
    with open(tmp_path / "journal.jsonl", "ab") as f:
        f.write(b'{"kind":"result","key":["cid","a","n.ipynb"],"finger')  # killed mid-write
    j = Journal(tmp_path)
    assert set(j.latest) == {("ann", "a", "n.ipynb"), ("bob", "a", "n.ipynb")}
    assert not j.needs_store(("ann", "a", "n.ipynb")) and j.needs_store(("bob", "a", "n.ipynb"))
    assert j.is_current(("bob", "a", "n.ipynb"), "fp2") and not j.is_current(("bob", "a", "n.ipynb"), "fp3")
    j.add_result(("cid", "a", "n.ipynb"), "fp3", "sha", "p", {"score": 3}, {})
    j.close()
    assert Journal(tmp_path).latest[("cid", "a", "n.ipynb")]["result"] == {"score": 3}


@pytest.fixture(scope="module")
def handin_class(tmp_path_factory, grading_config):
    """A PyTorch class of two: the reference answers with a challenge model trained here, and the
    same answers with no model file; graded once (fixed seed: the views are the same every run)."""
    import classroom
    from dlcourse.challenge import save_model
    base = tmp_path_factory.mktemp("handin-class")
    released, source = classroom.notebooks("pytorch")
    model = save_model(classroom.train_challenge_model(epochs=6), base / "model.pt")
    for student in ("with-model", "without-model"):
        path = classroom.write_answers(base / "class" / student, released, source, "pytorch")
        if student == "with-model":
            shutil.copyfile(model, path.parent / "challenge_model.pt")
    cfg = dataclasses.replace(grading_config, seed=7)
    graded = dict(autograde(base / "class", base / "out", cfg=cfg, log=lambda m: None))
    return {"base": base, "class": base / "class", "out": base / "out", "cfg": cfg, "graded": graded}


def _challenge(result):
    return next(t for t in result["tests"] if t["id"] == "test_challenge")


def test_a_handin_is_part_of_the_submissions_fingerprint(handin_class, tmp_path):
    graded, cfg = handin_class["graded"], handin_class["cfg"]
    assert _challenge(graded["with-model"])["points"] > 0 and _challenge(graded["without-model"])["points"] == 0
    cls, out = tmp_path / "class", tmp_path / "out"
    shutil.copytree(handin_class["class"], cls)
    shutil.copytree(handin_class["out"], out)
    lines = []
    autograde(cls, out, cfg=cfg, log=lines.append)
    assert "2 submission(s) found, 0 to grade, 2 unchanged since the last run" in lines
    (cls / "with-model" / "pytorch" / "challenge_model.pt").unlink()  # the model deleted: regraded, 0 for it
    lines.clear()
    again = dict(autograde(cls, out, cfg=cfg, log=lines.append))
    assert "2 submission(s) found, 1 to grade, 1 unchanged since the last run" in lines
    assert _challenge(again["with-model"])["points"] == 0
    assert again["with-model"]["score"] == graded["with-model"]["score"] - _challenge(graded["with-model"])["points"]
    assert again["without-model"] == graded["without-model"]
    # handed in late, next to the notebook: graded again, and only that student
    shutil.copyfile(handin_class["base"] / "model.pt", cls / "without-model" / "pytorch" / "challenge_model.pt")
    lines.clear()
    late = dict(autograde(cls, out, cfg=cfg, log=lines.append))
    assert "2 submission(s) found, 1 to grade, 1 unchanged since the last run" in lines
    assert late["without-model"]["score"] == graded["with-model"]["score"]


def test_the_feedback_lists_the_handin(handin_class):
    import hashlib
    page = (handin_class["out"] / "feedback" / "with-model" / "pytorch" / "pytorch.html").read_text()
    digest = hashlib.sha256((handin_class["class"] / "with-model" / "pytorch" / "challenge_model.pt").read_bytes()).hexdigest()
    assert "Files handed in with the notebook" in page and f"challenge_model.pt: used (" in page and digest[:16] in page
    page = (handin_class["out"] / "feedback" / "without-model" / "pytorch" / "pytorch.html").read_text()
    assert "challenge_model.pt: not handed in next to the notebook" in page


@pytest.mark.slow
@pytest.mark.parametrize("case", ["used", "missing", "link", "folder", "over-the-limit"])
def test_a_dask_worker_judges_each_handin_as_a_local_run_does(case, tmp_path):
    """What the coordinator ships (distributed.payload of grade.shipped_handins) rebuilds, on the
    worker, a folder whose hand-ins grading uses or refuses for the same reason as the original."""
    from autograder.grade import distributed
    from autograder.grade.submission import handin_files, shipped_handins
    from autograder.notebook import read
    source = read(ROOT / "solutions" / "pytorch" / "pytorch.ipynb")
    local = tmp_path / "local"
    local.mkdir()
    notebook = local / "pytorch.ipynb"
    shutil.copyfile(ROOT / "exercises" / "pytorch" / "pytorch.ipynb", notebook)
    handin = local / "challenge_model.pt"
    if case == "used":
        handin.write_bytes(b"weights" * 1000)
    elif case == "link":
        (tmp_path / "elsewhere.pt").write_bytes(b"weights")
        handin.symlink_to(tmp_path / "elsewhere.pt")
    elif case == "folder":
        handin.mkdir()
    elif case == "over-the-limit":
        with open(handin, "wb") as f:
            f.truncate(64 * 2**20)
    files = distributed.payload(local, shipped_handins(notebook, "pytorch", ROOT))
    assert sum(len(item[1]) for item in files.values() if item[0] == "bytes") <= 7000  # nothing refused is read
    seen = {}

    def grade(assignment, path):
        seen["worker"] = handin_files(source, path)
        return {}

    distributed.grade_bytes(grade, "pytorch", notebook.name, notebook.read_bytes(), files)
    here, there = handin_files(source, notebook), seen["worker"]
    assert here[1] == there[1] and sorted(here[0]) == sorted(there[0])
    assert [p.read_bytes() for p in here[0].values()] == ([b"weights" * 1000] if case == "used" else [])
    assert bool(here[1]) == (case != "used")


@pytest.mark.slow
def test_dask_workers_get_the_handin(handin_class, tmp_path):
    pytest.importorskip("distributed", reason="pip install distributed")
    dask = Path(sys.executable).with_name("dask")
    port = _free_port()
    env = dict(os.environ)  # the guide's commands, no extra environment
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        procs.append(subprocess.Popen([str(dask), "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                                       "--no-dashboard", "--local-directory", str(tmp_path / "dask")],
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True))
        out = tmp_path / "out"
        proc = cli("--set", "seed=7", "autograde", handin_class["class"], "--out", out,
                   "--scheduler", f"tcp://127.0.0.1:{port}", cache=tmp_path / "cache")
        log = proc.communicate(timeout=500)[0]
        assert proc.returncode == 0, log
        assert grades(out) == grades(handin_class["out"])
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
