"""release: exercises/ is a fresh release, carries nothing of the solution, and leaks are refused."""
import nbformat
import pytest

from autograder import course
from autograder.errors import GradingError
from autograder.authoring.release import plan, stale, student_version
from autograder.transforms import leaks, setup_cell


def test_exercises_equal_a_fresh_release():
    assert stale() == []


def test_release_is_deterministic():
    assert plan() == plan()


def test_released_notebook_is_clean(released_nb, source_nb):
    assert leaks.scan(released_nb, source_nb) == []
    secret = leaks.secret_lines(source_nb)
    assert len(secret) > 20
    released_lines = {line.strip() for c in released_nb.cells for line in c.source.splitlines()}
    assert not released_lines & secret
    stubs = [c for c in released_nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    assert len(stubs) == 3 and all("raise NotImplementedError()" in c.source for c in stubs)
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
    import shutil
    root = tmp_path / "course"
    for part in ("solutions", "exercises"):
        shutil.copytree(course.course_root() / part, root / part, ignore=shutil.ignore_patterns("*.pt"))
    shutil.copy(course.course_root() / "_config.yml", root / "_config.yml")
    (root / "solutions" / "pytorch" / "challenge_model.pt").write_bytes(b"weights")
    (root / "solutions" / "pytorch" / "notes.txt").write_text("given data file")
    outputs, _ = plan(root)
    assert root / "exercises" / "pytorch" / "challenge_model.pt" not in outputs
    assert root / "exercises" / "pytorch" / "notes.txt" in outputs  # other files are still copied
    assert stale(root) == [f"{root / 'exercises' / 'pytorch' / 'notes.txt'}: missing"]
