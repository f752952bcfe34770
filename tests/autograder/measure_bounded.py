"""Measure what a submission's records, notebook size and written answers cost the grader (issue 17).

    cd <checkout> && python tests/autograder/measure_bounded.py records|notebook|markdown

Each measurement runs in a fresh child process and prints JSON: the grader-side work alone, no
kernel (records are fed to Kernel._lines and judged as a kernel would send them; the notebook is
read, merged, its answers and feedback page made as autograde does; answers are rendered as the TA
page and the feedback page render them). Run it in an older checkout for the "before" numbers.
Not a test: the tests are in test_bounded.py.
"""
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("MEASURE_ROOT") or HERE.parent.parent)  # another checkout: its "before"


def tiny_dict_records(total_mb):
    """Well-formed record lines of many tiny dicts (the cheapest JSON per byte, the dearest in Python)."""
    entry = {f"k{i}": {"error": ""} for i in range(20000)}
    line = (json.dumps({"key": "adam/case1/step1", "value": {"dict": entry}}) + "\n").encode()
    return line, max(1, (total_mb << 20) // len(line))


def records(fill=""):
    """127 MiB of tiny-dict records over 8 cells; with fill, only as many per cell as its caps keep
    (the most a submission can make the grader hold)."""
    from autograder.run import execute
    from autograder.run.execute import Kernel, Outcome
    from autograder.judge.cell import judge_cell
    line, count = tiny_dict_records(127)
    per_cell = count // 8 + 1
    if fill and hasattr(execute, "record_cost"):
        per_cell = (32 << 20) // execute.record_cost(line)
    kernel = Kernel.__new__(Kernel)
    kernel.cell_cap, kernel.cell_count, kernel.budget, kernel.pending = 32 << 20, 1000, [128 << 20], b""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcomes = []
    for cell in range(8):  # as many cells as the 127 MiB need, each up to the caps
        outcome = Outcome("crashed")
        for _ in range(per_cell):
            kernel._lines(line, cell, outcome)
        kernel._lines(b'{"op": "done", "index": %d, "ok": true}\n' % cell, cell, outcome)
        outcomes.append(outcome)
    ref = [{"key": "adam/case1/step1", "value": {"dict": {"k0": {"shape": [1], "f64": "AAAAAAAAAAA="}}}}]
    for outcome in outcomes:
        judge_cell(ref, outcome.records, outcome)
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return {"sent_mib": round(len(line) * per_cell * 8 / 2**20, 1), "kept_records": sum(len(o.records) for o in outcomes),
            "grader_peak_grew_mib": round(grew)}


def big_notebook(path, mb):
    """A notebook of the reference answers plus ~mb MiB of empty objects in a cell's metadata."""
    from autograder.notebook import read
    from autograder.transforms.fill import fill
    released = read(ROOT / "exercises" / "optimizers" / "optimizers.ipynb")
    source = read(ROOT / "solutions" / "optimizers" / "optimizers.ipynb")
    nb = fill(released, source)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell["metadata"]["x"] = [{}] * ((mb << 20) // 4)  # "{}, " : the dearest JSON per byte in Python
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")  # compact, as a crafted file would be
    return path


def notebook(path):
    """What autograde does with the file before its kernel starts: intake, read and merge, answers."""
    from autograder.intake import folders as intake
    from autograder.records import manual
    from autograder.notebook import read
    from autograder.transforms.merge import merge
    path = Path(path)
    size = path.stat().st_size
    source = read(ROOT / "solutions" / "optimizers" / "optimizers.ipynb")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    jobs, refused, notes = intake.discover(path.parent.parent.parent, root=ROOT)
    if path in refused:
        outcome = f"refused: {refused[path]}"
    else:
        outcome = "read"
        try:
            merge(source, read(path))
            manual.answers(path, {"assignment": "optimizers", "notebook": "optimizers"}, ROOT)
        except Exception as exc:  # noqa: BLE001 - refused while reading
            outcome = f"refused: {str(exc).split(': ', 1)[1]}"
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return {"notebook_mib": round(size / 2**20, 1), "outcome": outcome, "grader_peak_grew_mib": round(grew)}


CRAFTED = {"reference-definitions": "[a]: b\n", "emphasis-runs": "*a_"}


def markdown():
    from autograder.records import manual
    sizes = (9000, 18000, 72000)
    out = {}
    for name, unit in CRAFTED.items():
        for n in sizes:
            text = unit * (n // len(unit))
            rows = [dict(dict.fromkeys(manual.HEADER, ""), student="s", status=manual.NEW, max_points="2",
                         assignment="optimizers", notebook="optimizers", question="q", answer=text)]
            start = time.perf_counter()
            manual._page("optimizers", "optimizers", "q", 2, "Q", "A", rows)
            out[f"{name} {n // 1000} KB"] = round(time.perf_counter() - start, 2)
    return out


if __name__ == "__main__":
    what = sys.argv[1]
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) == 2:  # a fresh child per measurement: its peak memory is its own
        args = []
        if what == "records-fill":
            what, args = "records", ["fill"]
        if what == "notebook":
            import tempfile
            args = [str(big_notebook(Path(tempfile.mkdtemp()) / "student" / "optimizers" / "optimizers.ipynb", 17))]
        sys.exit(subprocess.call([sys.executable, __file__, what, "child", *args], cwd=ROOT))
    print(json.dumps({what: {"records": records, "notebook": notebook, "markdown": markdown}[what](*sys.argv[3:])}))
