"""Every notebook runs in CI. The solutions run under nbval (pytest collects solutions/ with
--nbval-lax, see pytest.ini); the released exercises run here, where the only error allowed
is the NotImplementedError of an unwritten answer."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = sorted((ROOT / "exercises").glob("*/*.ipynb"))


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.parent.name)
def test_exercise_fails_only_with_not_implemented(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "committed with outputs"
    NotebookClient(nb, timeout=600, allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors, "an unanswered exercise should raise NotImplementedError somewhere"
    assert {e.ename for e in errors} == {"NotImplementedError"}, [(e.ename, e.evalue) for e in errors]


def test_solution_notebooks_are_collected_by_nbval():
    config = (ROOT / "pytest.ini").read_text()
    assert "--nbval-lax" in config and "solutions" in config
    assert sorted((ROOT / "solutions").glob("*/*.ipynb"))
