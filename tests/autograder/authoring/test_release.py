"""release: exercises/ is a fresh release, carries nothing of the solution, and leaks are refused;
it writes and removes only what it generates, and says what it did."""
import hashlib
import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder import course
from autograder.errors import GradingError
from autograder.authoring.release import check, plan, release, stale, student_version
from autograder.transforms import leaks, setup_cell

REPO = course.course_root()


def test_exercises_equal_a_fresh_release():
    assert stale() == []


def test_only_generated_files_are_committed_to_exercises():
    """release --check lets files release did not make pass (as notes: publish takes the plan, not
    the folder); one committed to this repository by mistake is caught here."""
    listed = subprocess.run(["git", "ls-files", "exercises"], cwd=REPO, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    outputs, _ = plan()
    generated = [p.relative_to(REPO).as_posix() for p in outputs] + ["exercises/.release.json"]
    assert sorted(listed.stdout.split()) == sorted(generated)


def test_release_is_deterministic():
    assert plan() == plan()


def test_released_notebook_is_clean(released_nb, source_nb):
    assert leaks.scan(released_nb, source_nb) == []
    secret = leaks.secret_lines(source_nb)
    assert len(secret) > 20
    released_lines = {line.strip() for c in released_nb.cells for line in c.source.splitlines()}
    assert not released_lines & secret
    stubs = [c for c in released_nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    answers = [c for c in source_nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    assert len(stubs) == len(answers) >= 3 and all("raise NotImplementedError()" in c.source for c in stubs)
    assert all(c.metadata["nbgrader"]["locked"] for c in released_nb.cells
               if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code")


def test_setup_cell_comes_from_config(released_nb):
    url, branch = course.repository()
    setup = [c for c in released_nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
    assert len(setup) == 1 and setup[0].source == setup_cell.setup_source(url, branch)
    assert f'COURSE_REPOSITORY = "{url}"' in setup[0].source and f"@{branch}" in setup[0].source


@pytest.mark.parametrize("ref", ["main", "v0.0.9", ""])
def test_students_are_pinned_to_the_release_tag(tmp_path, ref):
    """The setup cells and badges name the tag v<dlcourse version>; a moving branch or another
    version's tag is refused, saying which tag to set."""
    import dlcourse
    assert course.repository()[1] == f"v{dlcourse.__version__}"
    (tmp_path / "_config.yml").write_text(f"repository:\n  url: https://github.com/x/y\n  branch: '{ref}'\n")
    with pytest.raises(GradingError, match=f"set it to 'v{dlcourse.__version__}'"):
        course.repository(tmp_path)


@pytest.mark.parametrize("damage, words", [
    (lambda c: c.outputs.append(nbformat.v4.new_output("stream", text="1.1e-07")), "has outputs"),
    (lambda c: setattr(c, "source", c.source + "\n### BEGIN SOLUTION"), "marker"),
    (lambda c: setattr(c, "source", c.source + "\n    b1, b2, t = config[\"beta1\"], config[\"beta2\"], config[\"t\"] + 1"),
     "solution-only code"),
    (lambda c: setattr(c, "source", "from autograder.chapters.optimizers.probes import probe_update_rule\n" + c.source),
     "imports autograder"),
    (lambda c: setattr(c, "source", c.source + "\nimport autograder.chapters"), "imports autograder"),
])
def test_scan_finds_leaks(released_nb, source_nb, damage, words):
    nb = nbformat.from_dict(nbformat.reads(nbformat.writes(released_nb), as_version=4))
    damage(next(c for c in nb.cells if c.cell_type == "code" and c.metadata["nbgrader"].get("grade_id") == "adam"))
    found = leaks.scan(nb, source_nb)
    assert any(words in f for f in found), found


def test_no_released_notebook_imports_the_grader():
    """Hidden tests import autograder.chapters (in the grading kernel); no student notebook may."""
    released = sorted((course.course_root() / "exercises").glob("*/*.ipynb"))
    assert len(released) == 5
    for path in released:
        nb = nbformat.read(path, as_version=4)
        assert not [c for c in nb.cells if c.cell_type == "code" and leaks.GRADER_IMPORT.search(c.source)], path
        assert not any("autograder.chapters" in c.source for c in nb.cells), path


def test_release_refuses_a_source_without_end_marker(source_nb):
    nb = nbformat.from_dict(nbformat.reads(nbformat.writes(source_nb), as_version=4))
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "adam")
    cell.source = cell.source.replace("### END SOLUTION", "")
    with pytest.raises(GradingError, match="nbgrader could not release it"):
        student_version(nb)


def test_a_handed_in_file_left_by_a_run_of_the_solution_is_not_released(tmp_path):
    # running solutions/pytorch/pytorch.ipynb saves challenge_model.pt next to it (a hand-in, see
    # metadata.dlcourse.handin): the release must neither copy it nor call exercises/ stale for it
    root = tmp_path / "course"
    for part in ("solutions", "exercises"):
        shutil.copytree(course.course_root() / part, root / part, ignore=shutil.ignore_patterns("*.pt"))
    shutil.copy(course.course_root() / "_config.yml", root / "_config.yml")
    (root / "solutions" / "pytorch" / "challenge_model.pt").write_bytes(b"weights")
    (root / "solutions" / "pytorch" / "notes.txt").write_text("given data file")
    outputs, _ = plan(root)
    assert root / "exercises" / "pytorch" / "challenge_model.pt" not in outputs
    assert root / "exercises" / "pytorch" / "notes.txt" in outputs  # other files are still copied
    assert stale(root) == ["exercises/pytorch/notes.txt: missing",  # and so the manifest lacks it
                           "exercises/.release.json: differs from a fresh release"]


# --- what release writes, removes and leaves, in a one-chapter copy of the course ---------------


@pytest.fixture(scope="module")
def released_course(tmp_path_factory):
    """A course of the dropout chapter alone, released once by this code (its first release: no manifest)."""
    root = tmp_path_factory.mktemp("released") / "course"
    for part in ("solutions", "exercises"):
        shutil.copytree(REPO / part / "dropout", root / part / "dropout")
    shutil.copy(REPO / "_config.yml", root / "_config.yml")
    lines = []
    report = release(root, log=lines.append)
    assert lines == ["wrote exercises/.release.json"] and report.written == [root / "exercises" / ".release.json"]
    return root


@pytest.fixture
def root(released_course, tmp_path):
    shutil.copytree(released_course, tmp_path / "course")
    return tmp_path / "course"


def _release(root, **kw):
    lines = []
    report = release(root, log=lines.append, **kw)
    return report, lines


def _cli(root, *args):
    """`python -m autograder release`, run exactly as the authoring guide says (with --root)."""
    return subprocess.run([sys.executable, "-m", "autograder", "--root", str(root), "release", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def test_the_manifest_lists_every_generated_file_with_its_hash(root):
    manifest = json.loads((root / "exercises" / ".release.json").read_text())
    assert "python -m autograder release" in manifest["note"] and "don't edit" in manifest["note"]
    notebook = root / "exercises" / "dropout" / "dropout.ipynb"
    assert manifest["files"] == {"dropout/dropout.ipynb": hashlib.sha256(notebook.read_bytes()).hexdigest()}


def test_an_unchanged_release_says_exercises_are_up_to_date(root):
    report, lines = _release(root)
    assert lines == [] and report.written == report.removed == report.left == []
    assert report.summary == "exercises up to date (1 notebooks, 1 files)"


def test_a_file_release_did_not_make_is_left_in_place_and_pruned_only_when_asked(root):
    model = root / "exercises" / "dropout" / "challenge_model.pt"
    model.write_bytes(b"weights")
    report, lines = _release(root)
    assert model.read_bytes() == b"weights" and report.left == [model]
    assert lines == ["left exercises/dropout/challenge_model.pt in place: not made by release; "
                     "`release --prune` removes it"]
    assert report.summary == "exercises up to date (1 notebooks, 1 files); left 1 file(s) not made by release"
    assert stale(root) == [] and check(root)[1] == [
        "exercises/dropout/challenge_model.pt: not made by release (left alone; `publish` never takes it; "
        "`release --prune` removes it)"]
    report, lines = _release(root, prune=True)
    assert not model.exists() and report.removed == [model]
    assert lines == ["removed exercises/dropout/challenge_model.pt (not made by release; --prune)"]
    assert report.summary == "release: wrote 0, removed 1, left 0 in place (1 notebooks, 1 files)"


def test_a_file_no_longer_generated_is_removed_and_only_its_emptied_folder(root):
    (root / "solutions" / "dropout" / "data").mkdir()
    (root / "solutions" / "dropout" / "data" / "table.csv").write_text("a,b\n")
    (root / "exercises" / "empty").mkdir()  # an empty folder release did not make stays
    report, lines = _release(root)
    made = root / "exercises" / "dropout" / "data" / "table.csv"
    assert made.read_text() == "a,b\n" and lines == ["wrote exercises/dropout/data/table.csv",
                                                     "updated exercises/.release.json"]
    assert "dropout/data/table.csv" in json.loads((root / "exercises" / ".release.json").read_text())["files"]
    shutil.rmtree(root / "solutions" / "dropout" / "data")
    assert stale(root) == ["exercises/.release.json: differs from a fresh release",
                           "exercises/dropout/data/table.csv: no longer generated (a release removes it)"]
    report, lines = _release(root)
    assert lines == ["removed exercises/dropout/data/table.csv (no longer generated)", "updated exercises/.release.json"]
    assert not made.parent.exists() and (root / "exercises" / "empty").is_dir() and stale(root) == []


def test_a_hand_edited_file_is_overwritten_saying_so_and_a_changed_source_is_an_update(root):
    notebook = root / "exercises" / "dropout" / "dropout.ipynb"
    fresh = notebook.read_bytes()
    notebook.write_bytes(fresh.replace(b"raise NotImplementedError()", b"pass", 1))
    assert stale(root) == ["exercises/dropout/dropout.ipynb: differs from a fresh release "
                           "(edited by hand since the last release)"]
    report, lines = _release(root)
    assert notebook.read_bytes() == fresh and report.written == [notebook]
    assert lines == ["overwrote exercises/dropout/dropout.ipynb (edited by hand; it is generated from "
                     "solutions/dropout/dropout.ipynb)"]
    given = root / "solutions" / "dropout" / "given.txt"
    given.write_text("one")
    _release(root)
    given.write_text("two")  # the source changed, the released copy is what release wrote: an update
    report, lines = _release(root)
    assert lines == ["updated exercises/dropout/given.txt", "updated exercises/.release.json"]
    assert (root / "exercises" / "dropout" / "given.txt").read_text() == "two"


def test_without_a_manifest_the_planned_files_count_as_generated_and_others_are_left(root):
    (root / "exercises" / ".release.json").unlink()
    scratch = root / "exercises" / "dropout" / "scratch.py"
    scratch.write_text("x = 1\n")
    assert stale(root) == ["exercises/.release.json: missing"]
    report, lines = _release(root)
    assert lines == ["left exercises/dropout/scratch.py in place: not made by release; `release --prune` removes it",
                     "wrote exercises/.release.json"]
    assert scratch.exists() and stale(root) == []


def test_a_manifest_entry_outside_exercises_is_never_removed(root, tmp_path):
    outside = tmp_path / "keep.txt"
    outside.write_text("mine")
    manifest = root / "exercises" / ".release.json"
    data = json.loads(manifest.read_text())
    data["files"]["../../keep.txt"] = "0" * 64
    manifest.write_text(json.dumps(data))
    report, lines = _release(root)
    assert outside.read_text() == "mine" and report.removed == []
    assert lines == ["note: .release.json: ignored the entry '../../keep.txt' (not a file inside exercises/)",
                     "updated exercises/.release.json"]
    manifest.write_text("not json")
    report, lines = _release(root)
    assert lines == ["note: .release.json is not a release manifest; read as if there were none",
                     "updated exercises/.release.json"]


def test_the_cli_reports_and_check_exits_0_with_unknown_files_and_1_when_out_of_sync(root):
    model = root / "exercises" / "dropout" / "challenge_model.pt"
    model.write_bytes(b"weights")
    run = _cli(root)
    assert run.returncode == 0 and model.exists()
    assert run.stdout == "exercises up to date (1 notebooks, 1 files); left 1 file(s) not made by release\n"
    assert "left exercises/dropout/challenge_model.pt in place" in run.stderr
    run = _cli(root, "--check")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        "note: exercises/dropout/challenge_model.pt: not made by release (left alone; `publish` never "
        "takes it; `release --prune` removes it)", "exercises/ is in sync with solutions/"]
    (root / "exercises" / "dropout" / "dropout.ipynb").write_text("{}")
    run = _cli(root, "--check")
    assert run.returncode == 1 and "1 difference(s)" in run.stdout and "edited by hand" in run.stdout
    run = _cli(root, "--check", "--prune")
    assert run.returncode == 2 and run.stderr.startswith("error: --check only reports")
    run = _cli(root, "--prune")
    assert run.returncode == 0 and not model.exists()
    assert run.stdout == "release: wrote 1, removed 1, left 0 in place (1 notebooks, 1 files)\n"
    assert "removed exercises/dropout/challenge_model.pt (not made by release; --prune)" in run.stderr
    assert "overwrote exercises/dropout/dropout.ipynb (edited by hand" in run.stderr
    assert _cli(root, "--check").returncode == 0
