"""Due dates and late penalties (autograder/records/late.py), as nbgrader counts them: a class of the
optimizers exercise (reference answers: 7 autograded points, 6 written) with submissions on time,
two hours late, without timestamp.txt and with a malformed one, graded once and then re-read under
each penalty (none, zero, a course's own LateSubmissionPlugin); grades.csv, lms.csv, the feedback
page and `nbgrader export` of the gradebook agree; `collect` writes timestamp.txt from a Canvas
zip entry's time."""
import csv
import dataclasses
import datetime
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.plugins import LateSubmissionPlugin

from autograder import config
from autograder.errors import GradingError
from autograder.grade.autograde import autograde
from autograder.intake import collect
from autograder.records import manual
from autograder.records.gradebook import open_gradebook
from classroom import FULL, WRITTEN, notebooks, write_answers


def g(points):
    """Points as the CSV files and pages write them."""
    return f"{round(points, 6):g}"

ROOT = Path(__file__).resolve().parents[3]
DUE = "2026-12-01T23:59:00+01:00"  # 22:59 UTC
STAMPS = {"ontime": "2026-12-01 22:00:00.000000 UTC", "late": "2026-12-02 00:59:00.000000 UTC",
          "badstamp": "the night before the deadline"}


class TenthPerHour(LateSubmissionPlugin):
    """A course's own rule: 10 % of the notebook's score per hour late, begun hours counted whole."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return score * 0.1 * -(-total_seconds_late // 3600)


def quiet(message):
    pass


def grades(out):
    with open(out / "grades.csv", newline="") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, grading_config):
    """(class folder, out folder, log) of one autograde run with a due date and no penalty."""
    base = tmp_path_factory.mktemp("late")
    released, source = notebooks("optimizers")
    for student in ("ontime", "late", "nostamp", "badstamp"):
        path = write_answers(base / "class" / student, released, source, "optimizers")
        if student in STAMPS:
            (path.parent / "timestamp.txt").write_text(STAMPS[student] + "\n")
    log = []
    cfg = dataclasses.replace(grading_config, due_dates={"optimizers": DUE})
    autograde(base / "class", base / "out", cfg=cfg, log=log.append)
    return base / "class", base / "out", log, cfg


@pytest.fixture
def run(graded, tmp_path):
    """A copy of the graded output, and a function that runs autograde on it again with a penalty."""
    subs, out, _, cfg = graded
    copy = tmp_path / "out"
    shutil.copytree(out, copy)

    def again(penalty):
        lines = []
        autograde(subs, copy, cfg=dataclasses.replace(cfg, late_penalty=penalty), log=lines.append)
        return lines
    return copy, again


def test_late_is_recorded_and_no_penalty_keeps_the_score(graded):
    subs, out, log, _ = graded
    table = grades(out)
    assert table["late"]["timestamp"] == "2026-12-02T00:59:00+00:00" and table["late"]["seconds_late"] == "7200"
    assert table["ontime"]["timestamp"] == "2026-12-01T22:00:00+00:00" and table["ontime"]["seconds_late"] == "0"
    assert all(r["total"] == g(FULL) and r["late_penalty"] == "0" for r in table.values())
    # missing and malformed timestamp.txt: no time, not late; the malformed one is named, never a traceback
    assert table["nostamp"]["timestamp"] == table["badstamp"]["timestamp"] == ""
    note = "badstamp/optimizers/timestamp.txt: 'the night before the deadline' is not a date and time"
    assert any(note in line for line in log), log
    intake = (out / "intake.txt").read_text()
    assert note in intake and "nostamp" not in intake and "timestamp.txt: skipped" not in intake
    page = (out / "feedback" / "late" / "optimizers" / "optimizers.html").read_text()
    assert "late by <b>2 h</b> (due 2026-12-01 22:59 UTC): late penalty <b>0</b>" in page
    assert "on time (due 2026-12-01 22:59 UTC)" in (out / "feedback" / "ontime" / "optimizers" / "optimizers.html").read_text()


def test_zero_penalty_scores_a_late_submission_zero_everywhere(run):
    out, again = run
    lines = again("zero")
    assert "4 submission(s) found, 0 to grade, 4 unchanged since the last run" in lines  # nothing regraded
    table = grades(out)
    assert (table["late"]["total"], table["late"]["late_penalty"], table["late"]["score"]) == ("0", g(FULL), g(FULL))
    assert {s: r["total"] for s, r in table.items() if s != "late"} == {"ontime": g(FULL), "nostamp": g(FULL), "badstamp": g(FULL)}
    lms = {r["student"]: r for r in csv.DictReader(open(out / "lms.csv"))}
    assert (lms["late"]["optimizers"], lms["late"]["total"], lms["late"]["optimizers_seconds_late"],
            lms["late"]["optimizers_late_penalty"]) == ("0", "0", "7200", g(FULL))
    assert lms["ontime"]["optimizers"] == g(FULL) and lms["ontime"]["optimizers_late_penalty"] == "0"
    page = (out / "feedback" / "late" / "optimizers" / "optimizers.html").read_text()
    assert f"late penalty <b>{g(FULL)}</b> point(s)" in page and f"Total: <b>0 / {g(FULL + WRITTEN)}</b>" in page
    with open_gradebook(out / "gradebook.db") as gb:
        assert gb.find_submission_notebook("optimizers", "optimizers", "late").late_submission_penalty == FULL
        assert gb.find_submission_notebook("optimizers", "optimizers", "ontime").late_submission_penalty is None


def test_a_course_plugin_is_applied_again_after_manual_import(run, tmp_path):
    out, again = run
    again(f"{__name__}:TenthPerHour")
    assert grades(out)["late"]["late_penalty"] == g(FULL * 0.2) and grades(out)["late"]["total"] == g(FULL * 0.8)  # 2 h x 10 %
    # the TA's points raise the score: the penalty follows (nbgrader computes it only at autograde)
    files = manual.export(tmp_path / "ta", out, "optimizers", log=quiet)
    q1 = next(p for p in files if p.name.endswith("q1_answer.csv"))
    rows = list(csv.reader(open(q1, newline="")))
    at = rows[0].index("points")
    for r in rows[1:]:
        r[at] = "2" if r[0] == "late" else ""
    csv.writer(open(q1, "w", newline="")).writerows(rows)
    cfg = dataclasses.replace(config.Config(), late_penalty=f"{__name__}:TenthPerHour")
    manual.import_([q1], out, log=quiet, cfg=cfg)
    table = grades(out)
    assert (table["late"]["manual"], table["late"]["late_penalty"], table["late"]["total"]) == ("2", g((FULL + 2) * 0.2), g((FULL + 2) * 0.8))
    assert f"Total: <b>{g((FULL + 2) * 0.8)} / {g(FULL + WRITTEN)}</b>" in (out / "feedback" / "late" / "optimizers" / "optimizers.html").read_text()


def test_nbgrader_export_shows_the_same_totals_and_timestamps(run, tmp_path):
    out, again = run
    again("zero")
    exported = tmp_path / "nbgrader.csv"
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--db", f"sqlite:///{out / 'gradebook.db'}",
                           "--to", str(exported)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "is not absolute" not in proc.stdout + proc.stderr, proc.stderr
    theirs = {r["student_id"]: r for r in csv.DictReader(open(exported))}
    mine = grades(out)
    assert sorted(theirs) == sorted(mine)
    for student, row in mine.items():
        assert float(theirs[student]["score"]) == float(row["total"]), student
        assert float(theirs[student]["late_submission_penalty"]) == float(row["late_penalty"]), student
        stamp = theirs[student]["timestamp"]
        assert (datetime.datetime.fromisoformat(stamp).replace(tzinfo=datetime.timezone.utc).isoformat()
                if stamp else "") == row["timestamp"], student
        assert theirs[student]["duedate"] == "2026-12-01 22:59:00"
    assert (theirs["late"]["raw_score"], theirs["late"]["score"]) == (f"{FULL:.1f}", "0.0")


def test_bad_late_settings_are_one_clear_line(tmp_path):
    with pytest.raises(GradingError, match="has no UTC offset"):
        config.load(tmp_path, overrides=["due_dates.optimizers=2026-12-01T23:59:00"])
    with pytest.raises(GradingError, match="late_penalty must be none, zero or module:Class"):
        config.load(tmp_path, overrides=["late_penalty=half"])
    (tmp_path / "grading.toml").write_text('late_penalty = "zero"\n[due_dates]\noptimizers = "2026-12-01T23:59:00Z"\n')
    cfg = config.load(tmp_path)
    assert config.due_date(cfg, "optimizers") == datetime.datetime(2026, 12, 1, 23, 59) and cfg.late_penalty == "zero"
    proc = subprocess.run([sys.executable, "-m", "autograder", "--set", "late_penalty=nosuchmodule:Plugin",
                           "autograde", str(tmp_path), "--out", str(tmp_path / "o")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "error: late_penalty 'nosuchmodule:Plugin': cannot import nosuchmodule (ModuleNotFoundError: "
        "No module named 'nosuchmodule')"], proc.stderr


def _entry(name, when, utc=None):
    """A zip entry dated `when` (DOS time); with `utc`, also the extended-timestamp field (seconds)."""
    info = zipfile.ZipInfo(name, date_time=when)
    if utc is not None:
        info.extra = struct.pack("<HHBi", 0x5455, 5, 1, utc)
    return info


def test_collect_writes_timestamp_txt_from_the_canvas_zip_entry_time(tmp_path):
    released, _ = notebooks("optimizers")
    data = nbformat.writes(released)
    download = tmp_path / "submissions.zip"
    utc = int(datetime.datetime(2026, 12, 2, 0, 59, tzinfo=datetime.timezone.utc).timestamp())
    with zipfile.ZipFile(download, "w") as z:
        z.writestr(_entry("smithjohn_1001_5009_optimizers.ipynb", (2026, 12, 1, 21, 30, 0)), data)
        z.writestr(_entry("doejane_LATE_1002_5003_optimizers.ipynb", (2026, 12, 2, 1, 59, 0), utc=utc), data)
    lines = []
    collect.collect(download, "optimizers", tmp_path / "class", log=lines.append)
    local = datetime.datetime(2026, 12, 1, 21, 30).timestamp()  # a DOS time has no zone: the local one
    assert (tmp_path / "class" / "1001" / "optimizers" / "timestamp.txt").read_text() == \
        datetime.datetime.fromtimestamp(local, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC") + "\n"
    assert (tmp_path / "class" / "1002" / "optimizers" / "timestamp.txt").read_text() == \
        "2026-12-02 00:59:00.000000 UTC\n"  # the extended-timestamp field, UTC, wins over the DOS time
    assert "2 timestamp.txt written" in lines[-1]
    # the grader reads what collect wrote
    from autograder.intake.folders import read_timestamp
    assert read_timestamp(tmp_path / "class" / "1002" / "optimizers") == (datetime.datetime(2026, 12, 2, 0, 59), None)

    # every file of the download at one time (Canvas stamps entries when it makes the zip): none written
    same = tmp_path / "same.zip"
    with zipfile.ZipFile(same, "w") as z:
        for n, name in enumerate(["smithjohn_1001_5009_optimizers.ipynb", "doejane_1002_5003_optimizers.ipynb"]):
            z.writestr(_entry(name, (2026, 12, 5, 9, 0, 2 * n)), data)
    lines.clear()
    collect.collect(same, "optimizers", tmp_path / "class2", log=lines.append)
    assert not list((tmp_path / "class2").rglob("timestamp.txt"))
    assert any("timestamp.txt not written: every file of this download carries the same time" in l for l in lines)
