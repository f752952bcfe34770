"""`python -m autograder collect`: Canvas and Moodle downloads into the class layout, the report,
reruns that rewrite only what changed, hostile archives, and the command line as an installed tool."""
import csv
import io
import os
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.transforms.fill import fill
from classroom import FULL, ROOT, notebooks


def run(*args, cache=None, cwd=ROOT):
    settings = ["--set", f"cache_dir={cache}"] if cache else []
    proc = subprocess.run([sys.executable, "-m", "autograder", *settings, *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def make_zip(path, files):
    """files: {name in the zip: bytes}, in that order (the LMS order)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def report(folder, assignment):
    with open(Path(folder) / f"collect-{assignment}.csv", newline="", encoding="utf-8") as f:
        return {row["source"]: row for row in csv.DictReader(f)}


def layout(folder):
    """The files placed, without the report and the submissions' times (timestamp.txt: test_late.py)."""
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*")
                  if p.is_file() and not p.name.endswith(".csv") and p.name != "timestamp.txt")


def notebook_bytes(text):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    return nbformat.writes(nb).encode()


CANVAS = {
    "smithjohn_1001_5001_pytorch.ipynb": notebook_bytes("first try"),
    "smithjohn_1001_5009_pytorch-1.ipynb": notebook_bytes("handed in again"),  # newer attachment id
    "smithjohn_1001_5010_challenge_model.pt": b"model bytes",
    "doejane_LATE_1002_5003_Pytorch (1).ipynb": notebook_bytes("late"),
    "doejane_LATE_1002_5004_notes.txt": b"my notes",
    "README.txt": b"stray file of the download",
    "roebob_1003_5005_homework.ipynb": notebook_bytes("unknown notebook name"),
}


def test_canvas_download(tmp_path):
    source = make_zip(tmp_path / "submissions.zip", CANVAS)
    out = tmp_path / "class"
    code, stdout, stderr = run("collect", str(source), "--assignment", "pytorch", "--out", str(out))
    assert code == 0, stderr
    assert layout(out) == ["1001/pytorch/challenge_model.pt", "1001/pytorch/pytorch.ipynb", "1002/pytorch/pytorch.ipynb"]
    assert (out / "1001/pytorch/pytorch.ipynb").read_bytes() == CANVAS["smithjohn_1001_5009_pytorch-1.ipynb"]
    assert (out / "1001/pytorch/challenge_model.pt").read_bytes() == b"model bytes"
    rows = report(out, "pytorch")
    assert set(rows) == set(CANVAS)  # every file of the download, once
    assert {s for s, r in rows.items() if r["kept"] == "yes"} == {
        "smithjohn_1001_5009_pytorch-1.ipynb", "smithjohn_1001_5010_challenge_model.pt", "doejane_LATE_1002_5003_Pytorch (1).ipynb"}
    assert rows["doejane_LATE_1002_5003_Pytorch (1).ipynb"]["late"] == "yes"
    assert rows["smithjohn_1001_5009_pytorch-1.ipynb"]["late"] == "no"
    assert rows["smithjohn_1001_5009_pytorch-1.ipynb"]["file"] == "1001/pytorch/pytorch.ipynb"
    assert "older copy of pytorch.ipynb" in rows["smithjohn_1001_5001_pytorch.ipynb"]["reason"]
    assert "not a notebook or hand-in of pytorch" in rows["doejane_LATE_1002_5004_notes.txt"]["reason"]
    assert "not named as a Canvas or Moodle submission" in rows["README.txt"]["reason"]
    assert "'homework.ipynb' is not a notebook or hand-in" in rows["roebob_1003_5005_homework.ipynb"]["reason"]
    assert "collected 3 file(s) of 2 student(s)" in stdout and "(3 new, 0 updated, 0 unchanged; 1 late); 4 not placed" in stdout
    assert "README.txt: skipped" in stdout  # everything not placed is also printed

    # a newer download: only the changed notebook is rewritten
    kept = out / "1001/pytorch/pytorch.ipynb"
    os.utime(kept, (1_000_000, 1_000_000))
    newer = dict(CANVAS, **{"doejane_LATE_1002_5011_pytorch-2.ipynb": notebook_bytes("later still")})
    code, stdout, stderr = run("collect", str(make_zip(tmp_path / "newer.zip", newer)), "--assignment", "pytorch",
                               "--out", str(out))
    assert code == 0, stderr
    assert "(0 new, 1 updated, 2 unchanged" in stdout
    assert kept.stat().st_mtime == 1_000_000  # untouched: autograde's fingerprint sees no change
    assert (out / "1002/pytorch/pytorch.ipynb").read_bytes() == newer["doejane_LATE_1002_5011_pytorch-2.ipynb"]


def test_map_names_the_student_folders(tmp_path):
    source = make_zip(tmp_path / "submissions.zip", CANVAS)
    (tmp_path / "map.csv").write_text("lms_id,student_id\n1001,alice\n1002,bob\n")
    out = tmp_path / "class"
    code, stdout, stderr = run("collect", str(source), "--assignment", "pytorch", "--out", str(out),
                               "--map", str(tmp_path / "map.csv"))
    assert code == 0, stderr
    assert layout(out) == ["alice/pytorch/challenge_model.pt", "alice/pytorch/pytorch.ipynb", "bob/pytorch/pytorch.ipynb"]
    rows = report(out, "pytorch")
    assert rows["roebob_1003_5005_homework.ipynb"]["reason"] == "skipped: LMS id 1003 is not in --map"
    # a map whose student id folders.py would not grade is refused whole
    (tmp_path / "bad.csv").write_text("lms_id,student_id\n1001,.alice\n")
    code, stdout, stderr = run("collect", str(source), "--assignment", "pytorch", "--out", str(tmp_path / "o2"),
                               "--map", str(tmp_path / "bad.csv"))
    assert code == 2 and stderr.count("\n") == 1 and "cannot be a folder: a hidden name" in stderr


def test_moodle_download_is_graded(tmp_path):
    released, source = notebooks("optimizers")
    answered = nbformat.writes(fill(released, source)).encode()
    files = {
        "Alice Smith_201_assignsubmission_file/optimizers.ipynb": answered,  # Moodle >= 3.1: a folder per student
        "Bob Jones_202_assignsubmission_file_Optimizers (1).ipynb": nbformat.writes(released).encode(),  # flat variant
        "Carol Roe_203_assignsubmission_onlinetext/onlinetext.html": b"<p>text</p>",
        "Dan Poe_204_assignsubmission_file_/optimizers.ipynb": answered,  # Moodle < 3.1's folder name
    }
    out = tmp_path / "class"
    code, stdout, stderr = run("collect", str(make_zip(tmp_path / "moodle.zip", files)), "--assignment", "optimizers",
                               "--out", str(out))
    assert code == 0, stderr
    assert layout(out) == ["201/optimizers/optimizers.ipynb", "202/optimizers/optimizers.ipynb",
                           "204/optimizers/optimizers.ipynb"]
    rows = report(out, "optimizers")
    assert "assignsubmission_onlinetext (not a file submission)" in rows[
        "Carol Roe_203_assignsubmission_onlinetext/onlinetext.html"]["reason"]
    assert {r["late"] for r in rows.values()} == {""}  # Moodle's names do not say
    code, stdout, stderr = run("autograde", str(out), "--out", str(tmp_path / "graded"), "--workers", "2",
                               cache=tmp_path / "cache")
    assert code == 0, stderr
    with open(tmp_path / "graded" / "grades.csv", newline="") as f:
        scores = {r["student"]: (float(r["score"]), float(r["max_score"])) for r in csv.DictReader(f)}
    assert scores == {"201": (FULL, FULL), "202": (0, FULL), "204": (FULL, FULL)}


def test_a_folder_download_and_a_pattern(tmp_path):
    download = tmp_path / "download"
    download.mkdir()
    (download / "alice-optimizers.ipynb").write_bytes(notebook_bytes("a"))
    (download / "bob-Optimizers.ipynb").write_bytes(notebook_bytes("b"))
    (download / "carol-optimizers.ipynb").symlink_to(ROOT / "solutions/optimizers/optimizers.ipynb")
    os.mkfifo(download / "dan-optimizers.ipynb")
    out = tmp_path / "class"
    code, stdout, stderr = run("collect", str(download), "--assignment", "optimizers", "--out", str(out),
                               "--pattern", r"(?P<student>[a-z]+)-(?P<file>.+)")
    assert code == 0, stderr
    assert layout(out) == ["alice/optimizers/optimizers.ipynb", "bob/optimizers/optimizers.ipynb"]
    rows = report(out, "optimizers")
    assert rows["carol-optimizers.ipynb"]["reason"] == "refused: a symbolic link (not followed)"
    assert rows["dan-optimizers.ipynb"]["reason"].startswith("refused: not a regular file")
    code, stdout, stderr = run("collect", str(download), "--assignment", "optimizers", "--out", str(out),
                               "--pattern", r"(?P<who>[a-z]+)")
    assert code == 2 and "needs the named groups" in stderr


@pytest.mark.parametrize("name", ["../escaped_1_2_optimizers.ipynb", "/tmp/abs_1_2_optimizers.ipynb",
                                  "a/../../up_1_2_optimizers.ipynb"])
def test_an_archive_that_leaves_its_folder_is_refused(tmp_path, name):
    info = zipfile.ZipInfo(name)  # ZipFile.writestr would sanitize nothing of it either
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as z:
        z.writestr("ok_1_1_optimizers.ipynb", notebook_bytes("fine"))
        z.writestr(info, notebook_bytes("evil"))
    out = tmp_path / "deep" / "class"
    code, stdout, stderr = run("collect", str(tmp_path / "evil.zip"), "--assignment", "optimizers", "--out", str(out))
    assert code == 2 and stderr.startswith("error: ") and stderr.count("\n") == 1
    assert "leaves the archive's folder" in stderr and "Traceback" not in stderr
    assert not out.exists() and not list(tmp_path.rglob("*_optimizers.ipynb"))


def test_hostile_entries_are_listed_not_extracted(tmp_path):
    link = zipfile.ZipInfo("link_1_1_optimizers.ipynb")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(tmp_path / "mixed.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(link, "/etc/passwd")
        z.writestr("bomb_2_2_optimizers.ipynb", b"\0" * (21 << 20))  # 21 MiB of zeros: a 21 KB entry
        z.writestr("fine_3_3_optimizers.ipynb", notebook_bytes("fine"))
        z.writestr("__MACOSX/._fine_3_3_optimizers.ipynb", b"resource fork")
    out = tmp_path / "class"
    code, stdout, stderr = run("collect", str(tmp_path / "mixed.zip"), "--assignment", "optimizers", "--out", str(out))
    assert code == 0, stderr
    assert layout(out) == ["3/optimizers/optimizers.ipynb"]
    rows = report(out, "optimizers")
    assert rows["link_1_1_optimizers.ipynb"]["reason"] == "refused: a symbolic link (not followed)"
    assert "over the grader's limit of 20 MiB" in rows["bomb_2_2_optimizers.ipynb"]["reason"]
    assert rows["__MACOSX/._fine_3_3_optimizers.ipynb"]["reason"] == "skipped: a system or hidden file"


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_text("not a zip"), "not a readable zip file"),
    (lambda p: None, "no such zip file or folder"),
])
def test_bad_input_is_one_line(tmp_path, make, words):
    make(tmp_path / "download.zip")
    code, stdout, stderr = run("collect", str(tmp_path / "download.zip"), "--assignment", "optimizers",
                               "--out", str(tmp_path / "class"))
    assert code == 2 and stderr.startswith("error: ") and stderr.count("\n") == 1 and words in stderr
    code, stdout, stderr = run("collect", str(tmp_path), "--assignment", "transformers", "--out", str(tmp_path / "c"))
    assert code == 2 and "unknown assignment 'transformers'" in stderr


def test_nothing_collected_is_an_error_that_points_at_the_report(tmp_path):
    source = make_zip(tmp_path / "s.zip", {"README.txt": b"x"})
    code, stdout, stderr = run("collect", str(source), "--assignment", "optimizers", "--out", str(tmp_path / "c"))
    assert code == 2 and "no file is a submission of optimizers" in stderr
    assert report(tmp_path / "c", "optimizers")["README.txt"]["kept"] == "no"


def test_a_python_without_the_requirements_gets_one_line():
    """The module itself, run by an interpreter that sees no site-packages (-S): stdlib only."""
    code = ("import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); "
            "runpy.run_module('autograder', run_name='__main__', alter_sys=True)")
    proc = subprocess.run([sys.executable, "-S", "-c", code, str(ROOT), "collect", "--help"],
                          capture_output=True, text=True, timeout=60, env={"PATH": os.environ["PATH"]})
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: the autograder needs the Python package pyyaml (import yaml)")
    assert f"-m pip install -r {ROOT / 'requirements.txt'}" in proc.stderr
    # with site-packages the same module runs the CLI
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT), "collect", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "usage: python -m autograder collect" in proc.stdout


def test_the_console_script():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"autograder": "autograder.cli:main"}
    # what pip's generated script does: sys.exit(main()) with argv[0] the script's path
    wrapper = ("import sys; sys.argv[0] = '/venv/bin/autograder'; from autograder.cli import main; sys.exit(main())")
    proc = subprocess.run([sys.executable, "-c", wrapper, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: autograder ") and "collect" in proc.stdout
    proc = subprocess.run([sys.executable, "-c", wrapper, "grade", "/nonexistent.ipynb"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ")
