"""Scan a released notebook for anything of the solution: markers, solution-only code, outputs,
and imports of the grader (autograder, which students never install: only hidden tests use it)."""
import re

from ..notebook import grade_id

MARKERS = re.compile(r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS|BEGIN MARK SCHEME|END MARK SCHEME")
REGIONS = ("SOLUTION", "HIDDEN TESTS", "MARK SCHEME")
GRADER_IMPORT = re.compile(r"^\s*(from|import)\s+autograder\b|\b__import__\(\s*['\"]autograder|import_module\(\s*['\"]autograder",
                           re.MULTILINE)


def secret_lines(source_nb, min_length=12, kinds=REGIONS):
    """Lines found only inside the given kinds of regions (default: all) of the source notebook."""
    begin = re.compile(r"BEGIN (%s)" % "|".join(kinds))
    end = re.compile(r"END (%s)" % "|".join(kinds))
    inside_lines, outside_lines = set(), set()
    for cell in source_nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if begin.search(line):
                inside = True
            elif end.search(line):
                inside = False
            else:
                (inside_lines if inside else outside_lines).add(line.strip())
    return {line for line in inside_lines - outside_lines if len(line) >= min_length}


def scan(released_nb, source_nb, name="notebook"):
    """Return a list of leak descriptions (empty when clean)."""
    leaks, secret = [], secret_lines(source_nb)
    for i, cell in enumerate(released_nb.cells):
        where = f"{name}, cell {i} ({grade_id(cell) or 'no id'})"
        if MARKERS.search(cell.source):
            leaks.append(f"{where}: solution or hidden-test marker")
        leaks += [f"{where}: solution-only code: {line.strip()[:60]}"
                  for line in cell.source.splitlines() if line.strip() in secret]
        if cell.cell_type == "code" and GRADER_IMPORT.search(cell.source):
            leaks.append(f"{where}: imports autograder (grading code students do not have; hidden tests only)")
        if cell.get("outputs"):
            leaks.append(f"{where}: has outputs")
        if cell.get("execution_count"):
            leaks.append(f"{where}: has an execution count")
    return leaks
