"""A test cell runs as two stages: its visible checks, then its hidden tests (run.execute)."""
import nbformat

from autograder.config import Config
from autograder.run.execute import Cell, Outcome, grading_cells, join_stages, run_cells, split_test

TEST = '''x = 1
assert x == 2, "x should be 2"
### BEGIN HIDDEN TESTS
from dlcourse.grading import record
record("hidden/x", x)
### END HIDDEN TESTS
'''


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for source, meta in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata.update(meta)
        nb.cells.append(cell)
    return nb


TEST_META = {"nbgrader": {"grade": True, "solution": False, "locked": True, "grade_id": "test_x", "points": 1,
                          "schema_version": 3}}


def test_split_cuts_at_the_marker_and_keeps_line_numbers():
    visible, hidden = split_test(TEST)
    assert visible == 'x = 1\nassert x == 2, "x should be 2"\n'
    assert hidden.startswith("\n\n### BEGIN HIDDEN TESTS") and hidden.count("\n") == TEST.count("\n")
    assert visible + hidden.lstrip("\n") == TEST
    assert split_test("x = 1\n") is None  # no hidden part
    assert split_test("# only a comment\n### BEGIN HIDDEN TESTS\nrecord('a', 1)\n") is None  # nothing visible to run


def test_grading_cells_split_only_test_cells():
    nb = notebook(("y = 0\n### BEGIN HIDDEN TESTS\n", {}), (TEST, TEST_META))
    cells = grading_cells(nb, 30)
    assert [(c.index, c.stage, c.replay) for c in cells] == [(0, None, True), (1, "visible", False), (1, "hidden", False)]
    assert [c.command for c in cells] == [0, "1:visible", "1:hidden"]


def test_join_stages_tags_records_and_keeps_both_outcomes():
    cells = [Cell(3, "a\n", 5, replay=False, stage="visible"), Cell(3, "\n### BEGIN HIDDEN TESTS\nb\n", 5, replay=False, stage="hidden")]
    first = Outcome("error", "AssertionError", "x should be 2", records=[{"key": "v", "stage": "forged"}])
    second = Outcome("ok", records=[{"key": "h"}])
    [(cell, joined)] = join_stages(cells, [first, second])
    assert cell.index == 3 and cell.source == "a\n### BEGIN HIDDEN TESTS\nb\n" and cell.stage is None
    assert (joined.status, joined.ename) == ("error", "AssertionError")
    assert [(r["key"], r["stage"]) for r in joined.records] == [("v", "visible"), ("h", "hidden")]
    assert joined.stages == {"visible": first, "hidden": second}


def test_a_failing_visible_assert_does_not_stop_the_hidden_tests():
    cells = grading_cells(notebook((TEST, TEST_META)), 30)
    outcomes = run_cells(cells, seed=1, cfg=Config(cgroups="off"), sandbox_mode="none")
    [(_, joined)] = join_stages(cells, outcomes)
    visible, hidden = joined.stages["visible"], joined.stages["hidden"]
    assert (visible.status, visible.ename, visible.evalue) == ("error", "AssertionError", "x should be 2")
    assert hidden.status == "ok" and [r["key"] for r in hidden.records] == ["hidden/x"]
    assert [r["stage"] for r in joined.records] == ["hidden"]
