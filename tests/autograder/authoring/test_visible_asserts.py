"""Every visible assert of a test cell says what to fix (authoring guide, *Fair to every correct answer*)."""
import ast

import pytest

from autograder import course
from autograder.notebook import grade_id, is_autograded_test, read
from autograder.run.execute import split_test

NOTEBOOKS = sorted(course.solutions_dir().glob("*/*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_visible_assert_carries_a_message(path):
    bare = []
    for cell in read(path).cells:
        if not is_autograded_test(cell):
            continue
        visible = (split_test(cell.source) or (cell.source.split("### BEGIN HIDDEN TESTS")[0],))[0]
        for node in ast.walk(ast.parse(visible)):
            if isinstance(node, ast.Assert) and node.msg is None:
                bare.append(f"{grade_id(cell)} line {node.lineno}: {ast.get_source_segment(visible, node)[:80]}")
    assert not bare, "visible asserts without a message (a student would see a bare AssertionError): " + "; ".join(bare)
