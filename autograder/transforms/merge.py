"""Build the notebook to grade from the instructor's source and a student's submission.

The source notebook gives the structure: its order, its locked cells and its tests (hidden
parts included) are used as they are, whatever the submission did to them. The submission
gives only what the student may write: the answer cells (matched by grade_id) and any cells
the student added (kept after the cell of the source they followed, answer, locked or test cell,
so they run where they ran in the student's notebook; before every source cell when they came
first). What was damaged is repaired
where the cell can still be recognised, and every repair is reported:

- a cell whose nbgrader metadata was stripped (a text editor, an old Colab) is recognised:
  an answer cell by the function it defines, a locked cell by its text, a written answer by
  its place right after its (recognised) question;
- copies of a cell (duplicate grade_id) are kept as student code if they are answers, dropped
  if they are locked or tests;
- deleted, re-ordered, edited or re-typed locked/test cells come back from the source.
"""
import re

import nbformat

from ..notebook import grade_id, is_locked, is_solution

DEF = re.compile(r"^\s*def\s+([A-Za-z_]\w*)\s*\(", re.M)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[ \t]*$", re.M | re.S)


def _normal(text):
    """Text of a cell as the student saw it (hidden tests cut), blank lines and indentation ignored."""
    return "\n".join(line.strip() for line in HIDDEN.sub("", text).splitlines() if line.strip())


def _defined(cell):
    return set(DEF.findall(cell.source)) if cell.get("cell_type") == "code" else set()


def merge(source_nb, submitted_nb):
    """Returns (notebook to run, list of problems found and repaired)."""
    problems = []
    answers = {grade_id(c): c for c in source_nb.cells if is_solution(c) and grade_id(c)}
    locked = {grade_id(c) for c in source_nb.cells if is_locked(c) and grade_id(c)}
    answer_defs = {gid: _defined(c) for gid, c in answers.items()}
    locked_text = {_normal(c.source): grade_id(c) for c in source_nb.cells if is_locked(c) and grade_id(c)}

    order = [grade_id(c) for c in source_nb.cells]
    follows = {a: b for a, b in zip(order, order[1:]) if a and b in answers}

    # 1. name every submitted cell: an answer id, a locked id (ignored), or None (student's own)
    named, seen, previous = [], set(), None
    for pos, cell in enumerate(submitted_nb.cells):
        gid = grade_id(cell)
        if gid is not None and gid not in answers and gid not in locked:
            problems.append(f"cell {pos} has an unknown grade_id {gid!r} (kept as your own code)")
            gid = None
        if gid is None and _normal(cell.source) in locked_text and cell.source.strip():
            gid = locked_text[_normal(cell.source)]
            if gid not in seen:
                problems.append(f"cell {pos} had lost its nbgrader metadata; recognised as locked cell {gid!r}")
        if gid is None and cell.get("cell_type") == "markdown" and follows.get(previous) not in (None, *seen) \
                and source_cell_type(source_nb, follows[previous]) == "markdown":
            gid = follows[previous]
            problems.append(f"cell {pos} had lost its nbgrader metadata; recognised as answer cell {gid!r} by its place")
        if gid is None and cell.get("cell_type") == "code":
            hits = [a for a, names in answer_defs.items() if names and names & _defined(cell) and a not in seen]
            if len(hits) == 1:
                gid = hits[0]
                problems.append(f"cell {pos} had lost its nbgrader metadata; recognised as answer cell {gid!r}")
        if gid in seen:
            if gid in answers:
                problems.append(f"answer cell {gid!r} appears more than once; every copy runs, in your order")
                named.append((None, cell))
            else:
                problems.append(f"cell {gid!r} was duplicated; the copy was dropped")
            continue
        if gid is not None:
            seen.add(gid)
        previous = gid
        named.append((gid, cell))

    # 2. group the student's own cells behind the source cell they follow
    extras, current = {}, None
    for gid, cell in named:
        if gid is not None:
            current = gid
        elif gid is None:
            extras.setdefault(current, []).append(cell)
    student_answers = {gid: cell for gid, cell in named if gid in answers}

    # 3. walk the source in order
    out = []
    def add_extras(key):
        for cell in extras.pop(key, []):
            out.append(nbformat.from_dict(dict(cell, outputs=[], execution_count=None) if cell.cell_type == "code"
                                          else dict(cell)))
    add_extras(None)
    for cell in source_nb.cells:
        gid = grade_id(cell)
        if gid in answers:
            mine = student_answers.get(gid)
            fixed = nbformat.from_dict(dict(cell))
            if mine is None:
                problems.append(f"answer cell {gid!r} is missing: it counts as unanswered")
                if cell.cell_type == "code":
                    fixed.source = "raise NotImplementedError('this answer cell was deleted from the submission')"
                else:
                    fixed.source = ""
            else:
                if mine.cell_type != cell.cell_type:
                    problems.append(f"answer cell {gid!r} was changed from {cell.cell_type} to {mine.cell_type}; "
                                    f"graded as {cell.cell_type}")
                fixed.source = mine.source
            if fixed.cell_type == "code":
                fixed.outputs, fixed.execution_count = [], None
            out.append(fixed)
            add_extras(gid)
        else:
            if gid in locked and gid not in seen and cell.cell_type == "code" and gid != "setup":
                problems.append(f"locked cell {gid!r} was missing from the submission; restored from the source")
            out.append(nbformat.from_dict(dict(cell)))
            if gid:
                add_extras(gid)
    for leftover in list(extras):
        add_extras(leftover)
    ids = set()
    for n, cell in enumerate(out):  # copies and the student's own cells may repeat an id
        if cell.get("id") in ids or not cell.get("id"):
            cell["id"] = f"merged-{n}"
        ids.add(cell["id"])
    merged = nbformat.v4.new_notebook(cells=out, metadata=source_nb.metadata)
    return merged, problems


def source_cell_type(source_nb, gid):
    return next(c.cell_type for c in source_nb.cells if grade_id(c) == gid)
