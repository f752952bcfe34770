"""`python -m autograder publish OUT_DIR`: the public course tree, its leak scan, and that it stands alone.

Fixtures (tests/conftest.py): `public_tree` is published once per session as the publishing guide
says; `student_install` runs the tree's README install command in it; `public_book` its README
build command (the publishing workflow's steps).
"""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import yaml

from autograder import course
from autograder.authoring import publish
from autograder.notebook import grade_id, read
from autograder.transforms.fill import fill

ROOT = Path(__file__).resolve().parents[3]
ASSIGNMENTS = course.assignments(ROOT)


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_the_tree_holds_the_public_course_and_nothing_of_the_instructors(public_tree):
    top = {p.name for p in public_tree.iterdir()} - {".venv", "_build"}
    assert top == {"README.md", "requirements.txt", "requirements-book.txt", "pyproject.toml", "_config.yml",
                   "_toc.yml", "book", "exercises", "dlcourse", ".gitignore", ".course-release.json"}
    assert not (public_tree / "book" / "instructors").exists() and not (public_tree / "book" / "_tools").exists()
    assert sorted(p.parent.name for p in (public_tree / "exercises").glob("*/*.ipynb")) == ASSIGNMENTS
    for nb in (public_tree / "exercises").glob("*/*.ipynb"):  # exactly what release generates
        assert nb.read_bytes() == (ROOT / "exercises" / nb.relative_to(public_tree / "exercises")).read_bytes()
    toc = (public_tree / "_toc.yml").read_text()
    assert "book/instructors" not in toc and all(f"book/{a}/{a}" in toc for a in ASSIGNMENTS)
    intro = (public_tree / "book" / "intro.md").read_text()
    assert "instructors/" not in intro and "## Syllabus" in intro
    assert "instructors/grading" in (ROOT / "book" / "intro.md").read_text()  # the instructors' book keeps them
    project = (public_tree / "pyproject.toml").read_text()
    assert 'include = ["dlcourse*"]' in project and "autograder" not in project.split("\n", 1)[1]
    manifest = json.loads((public_tree / publish.MANIFEST).read_text())
    listed = {p for p in manifest["files"]}
    on_disk = {str(p.relative_to(public_tree)) for p in public_tree.rglob("*")
               if p.is_file() and p.relative_to(public_tree).parts[0] not in (".venv", "_build", publish.MANIFEST)}
    assert listed == on_disk
    size = sum(p.stat().st_size for p in public_tree.rglob("*") if p.is_file()
               and p.relative_to(public_tree).parts[0] not in (".venv", "_build"))
    assert size < 12e6, size  # the library's data slice is most of it (7.4 MB measured)


def test_the_tree_scans_clean_by_itself(public_tree):
    proc = cli("publish", "--scan", public_tree)
    assert proc.returncode == 0, proc.stdout
    assert "clean" in proc.stdout and "held-out images" in proc.stdout


def test_every_colab_link_and_setup_cell_names_the_public_repository_at_the_release_tag(public_tree):
    url, tag = course.repository(ROOT)
    assert re.fullmatch(r"v\d+\.\d+\.\d+", tag)
    config = yaml.safe_load((public_tree / "_config.yml").read_text())
    assert config["repository"] == {"url": url, "branch": tag}  # the badges (course_badges.py) read these two
    for nb in (public_tree / "exercises").glob("*/*.ipynb"):
        setup = [c for c in read(nb).cells if grade_id(c) == "setup"]
        assert len(setup) == 1 and f'COURSE_REPOSITORY = "{url}"' in setup[0].source
        assert "git+{COURSE_REPOSITORY}@" + tag + '"' in setup[0].source, setup[0].source
        assert "@main" not in setup[0].source
    readme = (public_tree / "README.md").read_text()
    assert f"git clone {url}.git" in readme and tag in readme


# --- planted leaks: each kind makes the scan (and publish) fail -------------------------------------------------

def _secret_line(assignment, kind="SOLUTION"):
    from autograder.transforms.leaks import secret_lines
    lines = sorted(line for line in secret_lines(read(ROOT / "solutions" / assignment / f"{assignment}.ipynb"),
                                                 publish.MIN_SECRET, kinds=(kind,))
                   if publish._norm(line) not in publish.ALLOWED)
    assert lines, (assignment, kind)
    return lines[len(lines) // 2]


def _model_answer_line():
    for assignment in ASSIGNMENTS:
        nb = read(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "BEGIN SOLUTION" in cell.source:
                inside = cell.source.split("BEGIN SOLUTION", 1)[1].split("END SOLUTION", 1)[0]
                lines = [ln for ln in inside.splitlines() if len(ln.strip()) > 40]
                if lines:
                    return lines[0]
    raise AssertionError("no model answer found")


def _plant_heldout_copy(tree):
    shutil.copy(ROOT / "autograder" / "data" / "cifar10-heldout.npz", tree / "dlcourse" / "data" / "extra.npz")


def _plant_heldout_images(tree):  # the same images re-saved: other file bytes, other container, NCHW
    with np.load(ROOT / "autograder" / "data" / "cifar10-heldout.npz") as data:
        key = next(k for k in data.files if data[k].ndim == 4)
        images = data[key][:5]
    np.save(tree / "book" / "pytorch" / "samples.npy", np.ascontiguousarray(images.transpose(0, 3, 1, 2)))


def _append(rel, text):
    def plant(tree):
        with open(tree / rel, "a", encoding="utf-8") as f:
            f.write("\n" + text + "\n")
    return plant


def _notebook_with_outputs(tree):
    path = tree / "exercises" / "optimizers" / "optimizers.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="reference output\n")]
    nbformat.write(nb, path)


def _grader_folder(tree):
    (tree / "solutions").mkdir()
    (tree / "solutions" / "notes.txt").write_text("x")


PLANTS = {
    "solution line": (lambda t: _append("dlcourse/plots.py", "    " + _secret_line("optimizers"))(t),
                      "solution, hidden tests or model answers"),
    "hidden-test line": (lambda t: _append("book/dropout/dropout.md", _secret_line("dropout", "HIDDEN TESTS"))(t),
                         "solution, hidden tests or model answers"),
    "hidden-test marker": (_append("book/resnet/study.py", "# ### BEGIN HIDDEN TESTS"), "marker"),
    "model answer": (lambda t: _append("README.md", _model_answer_line())(t), "model answers"),
    "held-out file": (_plant_heldout_copy, "copy of autograder/data/cifar10-heldout.npz"),
    "held-out images": (_plant_heldout_images, "held-out image"),
    "grader import": (_append("dlcourse/checks.py", "from autograder.judge import properties"), "imports the grader"),
    "notebook outputs": (_notebook_with_outputs, "outputs"),
    "instructors' folder": (_grader_folder, "instructors' files"),
}


@pytest.mark.parametrize("kind", sorted(PLANTS))
def test_a_planted_leak_of_each_kind_fails_the_scan(public_tree, tmp_path, kind):
    tree = tmp_path / "tree"
    shutil.copytree(public_tree, tree, ignore=shutil.ignore_patterns(".venv", "_build"))
    plant, expected = PLANTS[kind]
    plant(tree)
    found = publish.scan(tree, ROOT)
    assert any(expected in line for line in found), found
    proc = cli("publish", "--scan", tree)
    assert proc.returncode == 1 and expected in proc.stdout


def course_copy(tmp_path):
    """A copy of what publish reads of the course (its sources), for planting leaks at the source."""
    copy = tmp_path / "course"
    for name in ("book", "dlcourse", "solutions", "exercises"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_build"))
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, copy / name)
    return copy


def test_publish_fails_on_a_leak_in_its_sources_and_names_it(tmp_path):
    copy = course_copy(tmp_path)
    line = _secret_line("normalization")
    _append("book/normalization/torch_layers.py", "    " + line)(copy)
    proc = cli("--root", copy, "publish", tmp_path / "out")
    assert proc.returncode == 2
    assert "would leak" in proc.stderr and "book/normalization/torch_layers.py" in proc.stderr
    assert "solutions/normalization/normalization.ipynb" in proc.stderr


def test_publish_refuses_a_folder_that_is_not_a_tree_and_keeps_a_clone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("my work")
    proc = cli("publish", out)
    assert proc.returncode == 2 and "not a published course tree" in proc.stderr
    assert (out / "thesis.tex").read_text() == "my work"
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert cli("publish", clone).returncode == 0
    (clone / "exercises" / "stale.ipynb").write_text("{}")  # a file of an earlier tree: replaced
    proc = cli("publish", clone)
    assert proc.returncode == 0, proc.stderr
    assert (clone / ".git" / "HEAD").is_file() and not (clone / "exercises" / "stale.ipynb").exists()
    assert "published" in proc.stderr and "leak scan: clean" in proc.stderr
    assert cli("publish", ROOT / "exercises").returncode == 2  # never into the instructors' repository


# --- the tree stands alone: the student install, the notebooks, the book -----------------------------------------

@pytest.mark.slow  # a fresh venv / the public book build: minutes
def test_the_student_install_is_light_and_holds_no_grader(student_install):
    proc, venv = student_install
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    python = venv / "bin" / "python"
    code = ("import importlib.util as u, json, dlcourse; print(json.dumps({n: u.find_spec(n) is not None for n in "
            "['autograder', 'nbgrader', 'jupyter_book', 'distributed', 'psycopg2', 'selenium', 'torch', "
            "'torchvision', 'jupyterlab']} | {'file': dlcourse.__file__}))")
    found = json.loads(subprocess.check_output([python, "-c", code], cwd="/", text=True))
    assert found.pop("file").startswith(str(venv))  # installed into the venv, not read from the tree
    assert found == {"autograder": False, "nbgrader": False, "jupyter_book": False, "distributed": False,
                     "psycopg2": False, "selenium": False, "torch": True, "torchvision": True, "jupyterlab": True}
    installed = next(venv.glob("lib/python*/site-packages/dlcourse"))
    assert publish.scan(installed, ROOT) == []  # the leak scan covers the installed package
    assert not list(venv.glob("lib/python*/site-packages/autograder"))


@pytest.mark.slow  # needs the student install
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_notebook_answered_runs_in_the_student_install(student_install, public_tree, assignment, tmp_path,
                                                            user_env):
    """A student who answers every cell (here: the reference answers) runs the whole notebook in the
    light install, in smoke mode, with `jupyter execute` (what `jupyter lab`'s Run All does)."""
    proc, venv = student_install
    assert proc.returncode == 0, proc.stderr[-3000:]
    released = read(public_tree / "exercises" / assignment / f"{assignment}.ipynb")
    answered = fill(released, read(ROOT / "solutions" / assignment / f"{assignment}.ipynb"))
    path = tmp_path / f"{assignment}.ipynb"
    nbformat.write(answered, path)
    env = user_env
    env["DLCOURSE_DATA"] = str(tmp_path / "data")
    run = subprocess.run([venv / "bin" / "jupyter", "execute", "--inplace", path.name], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-4000:]
    executed = nbformat.read(path, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors and any(c.get("outputs") for c in executed.cells if c.cell_type == "code")


@pytest.mark.slow  # a fresh venv / the public book build: minutes
def test_the_public_book_builds_from_the_tree_alone(public_book, public_tree):
    proc, html = public_book
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-3000:]
    url, tag = course.repository(ROOT)
    slug = url[len("https://github.com/"):]
    pages = sorted(html.rglob("*.html"))
    assert not [p for p in pages if "instructors" in str(p.relative_to(html))]
    colab = {link for p in pages for link in re.findall(r'https://colab\.research\.google\.com/github/[^"\s<]+',
                                                        p.read_text())}
    assert colab == {f"https://colab.research.google.com/github/{slug}/blob/{tag}/exercises/{a}/{a}.ipynb"
                     for a in ASSIGNMENTS}
    for a in ASSIGNMENTS:
        page = (html / "book" / a / f"{a}.html").read_text()
        assert "Traceback" not in page and f"exercises/{a}/{a}.ipynb" in page
