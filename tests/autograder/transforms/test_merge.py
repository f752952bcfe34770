"""transforms.merge: a student's own cells run where they stood in the student's notebook."""
from nbformat.v4 import new_code_cell

from autograder.notebook import grade_id, is_locked, is_solution
from autograder.transforms.fill import fill
from autograder.transforms.merge import merge


def _with_cell_after(nb, gid, code):
    at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == gid)
    nb.cells.insert(at + 1, new_code_cell(code))
    return nb


def _position(merged, code):
    return next(i for i, c in enumerate(merged.cells) if c.source == code)


def test_a_cell_added_after_a_locked_cell_runs_right_after_it(source_nb, released_nb):
    locked = next(grade_id(c) for c in source_nb.cells if is_locked(c) and grade_id(c) not in (None, "setup")
                  and c.cell_type == "code")
    code = "mine = np.zeros(3)  # uses the imports above"
    merged, problems = merge(source_nb, _with_cell_after(fill(released_nb, source_nb, {}), locked, code))
    at = _position(merged, code)
    assert grade_id(merged.cells[at - 1]) == locked, (locked, [grade_id(c) for c in merged.cells[:at + 1]])
    assert not problems


def test_a_cell_added_after_an_answer_or_a_test_stays_there(source_nb, released_nb):
    answer = next(grade_id(c) for c in source_nb.cells if is_solution(c) and c.cell_type == "code")
    order = [grade_id(c) for c in source_nb.cells]
    test = next(g for g in order[order.index(answer):] if g and g.startswith("test"))
    nb = _with_cell_after(_with_cell_after(fill(released_nb, source_nb, {}), answer, "a = 1"), test, "b = 2")
    merged, _ = merge(source_nb, nb)
    assert grade_id(merged.cells[_position(merged, "a = 1") - 1]) == answer
    assert grade_id(merged.cells[_position(merged, "b = 2") - 1]) == test


def test_a_cell_added_before_everything_comes_first(source_nb, released_nb):
    nb = fill(released_nb, source_nb, {})
    nb.cells.insert(0, new_code_cell("first = True"))
    merged, _ = merge(source_nb, nb)
    assert _position(merged, "first = True") == 0
