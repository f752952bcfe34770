"""Demo cells (metadata.dlcourse.grading = "skip") are not run when grading; everything else is."""
from autograder.config import Config
from autograder.grade.submission import _cells
from autograder.notebook import grade_id, is_demo


def test_demo_cells_are_left_out_of_grading(source_nb):
    demo = {grade_id(c) for c in source_nb.cells if is_demo(c)}
    assert demo == {"load_data", "train"}
    run = {grade_id(source_nb.cells[cell.index]) for cell in _cells(source_nb, Config())}
    assert not demo & run
    assert {"setup", "imports", "adam", "test_adam"} <= run


def test_malformed_course_metadata_is_no_demo_marker():
    from nbformat.v4 import new_code_cell
    for meta in ({"dlcourse": "skip"}, {"dlcourse": {"grading": ["skip"]}}, {"dlcourse": None}):
        cell = new_code_cell("x = 1", metadata=meta)
        assert not is_demo(cell)


def test_a_reference_test_cell_that_records_nothing_is_refused(tmp_path, source_nb):
    """Without reference records a test could only mean "the cell ran": refuse the notebook instead."""
    import copy

    import pytest

    from autograder.errors import GradingError
    from autograder.grade.submission import reference_records
    from autograder.notebook import write

    nb = copy.deepcopy(source_nb)
    for cell in nb.cells:
        if grade_id(cell) == "test_rmsprop":
            cell.source = "assert rmsprop is not None  # checks nothing the grader can see"
    write(nb, tmp_path / "optimizers.ipynb")
    with pytest.raises(GradingError, match="test_rmsprop.*recorded nothing"):
        reference_records(tmp_path / "optimizers.ipynb", Config(cache_dir=str(tmp_path / "cache"), seed=1))
