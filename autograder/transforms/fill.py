"""Fill a released notebook's answer cells: with the reference solution, or with given code.

Used to check the course itself: the released notebook filled with the reference solution must
score max_score, and a filled-in known-wrong answer must lose its points.
"""
import re

import nbformat

from ..notebook import grade_id, is_solution

MARKER = re.compile(r"^\s*(#+\s*)?(### )?(BEGIN|END) (SOLUTION|MARK SCHEME)\s*$")


def reference_answer(source_cell):
    """The answer as a student would write it: the source cell without its region markers."""
    return "\n".join(line for line in source_cell.source.splitlines() if not MARKER.match(line))


def fill(released_nb, source_nb, answers=None):
    """A copy of released_nb whose answer cells hold the reference answers, except those in
    `answers` ({grade_id: source}), which are used as given."""
    answers = answers or {}
    reference = {grade_id(c): c for c in source_nb.cells if is_solution(c)}
    unknown = set(answers) - set(reference)
    if unknown:
        raise KeyError(f"no answer cells named {sorted(unknown)}; answer cells: {sorted(reference)}")
    nb = nbformat.from_dict(nbformat.reads(nbformat.writes(released_nb), as_version=4))
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in reference and is_solution(cell):
            cell.source = answers.get(gid, reference_answer(reference[gid]))
    return nb
