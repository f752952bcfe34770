"""The released notebooks in a Colab-like environment.

A fresh virtualenv gets only what Colab provides (numpy, torch, torchvision, matplotlib and what
they depend on, linked from this environment to save a 5 GB download), nothing of the course.
The notebook's own setup cell then runs with `google.colab` imported, so it takes its Colab
branch and pip-installs the course library, here from the public course tree that `publish` wrote
(DLCOURSE_PIP_SPEC; the `public_tree` fixture) instead of the public repository's URL at its tag. Then the stub cells run: the only error allowed is NotImplementedError.
"""
import json
import re
import subprocess
import venv
from importlib import metadata
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a fresh venv and a pip install of the public tree: minutes

ROOT = Path(__file__).resolve().parent.parent
COLAB_PACKAGES = ["numpy", "torch", "torchvision", "matplotlib"]

RUN_CELLS = r'''
import json, sys, types, traceback
sys.modules["google.colab"] = types.ModuleType("google.colab")  # what makes the setup cell take its Colab branch
nb = json.load(open(sys.argv[1]))
scope, report = {"__name__": "__main__"}, []
for cell in nb["cells"]:
    if cell["cell_type"] != "code":
        continue
    source = "".join(cell["source"])
    try:
        exec(compile(source, "<cell>", "exec"), scope)
        report.append(["ok", ""])
    except Exception as exc:
        report.append([type(exc).__name__, str(exc)[:300]])
import dlcourse
print(json.dumps({"cells": report, "dlcourse_file": dlcourse.__file__}))
'''


def closure(names):
    """Distributions needed by `names` (their requirements, recursively; extras ignored)."""
    seen, todo = {}, list(names)
    while todo:
        name = re.split(r"[ ;<>=!~\[(]", todo.pop(), maxsplit=1)[0]
        key = name.lower().replace("_", "-")
        if not key or key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a platform-specific requirement that is not installed here
        seen[key] = dist
        for req in dist.requires or []:
            if "extra ==" not in req and ("sys_platform" not in req or "linux" in req):
                todo.append(req)
    return seen


@pytest.fixture(scope="module")
def colab_python(tmp_path_factory):
    base = tmp_path_factory.mktemp("colab")
    venv.create(base / "env", with_pip=True)
    python = base / "env" / "bin" / "python"
    own = {p.lower() for p in ("pip", "setuptools", "wheel")}
    linked = base / "preinstalled"
    linked.mkdir()
    for key, dist in closure(COLAB_PACKAGES).items():
        if key in own:
            continue
        site = Path(dist.locate_file(""))
        for top in {Path(f).parts[0] for f in dist.files or []}:
            src = site / top
            if src.exists() and not (linked / top).exists() and not top.startswith(".."):
                (linked / top).symlink_to(src)
    purelib = subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                      text=True).strip()
    Path(purelib, "colab-preinstalled.pth").write_text(str(linked) + "\n")
    return python


def test_colab_environment_has_no_course_library(colab_python):
    code = "import importlib.util as u; print(u.find_spec('dlcourse'), u.find_spec('nbgrader'), u.find_spec('torch') is not None)"
    out = subprocess.check_output([colab_python, "-c", code], cwd="/", text=True).split()
    assert out == ["None", "None", "True"]


@pytest.mark.parametrize("assignment", sorted(p.parent.name for p in (ROOT / "exercises").glob("*/*.ipynb")))
def test_setup_and_stub_cells_in_colab(colab_python, public_tree, assignment, tmp_path, user_env):
    notebook = public_tree / "exercises" / assignment / f"{assignment}.ipynb"
    env = user_env
    env.update(DLCOURSE_PIP_SPEC=str(public_tree), MPLBACKEND="Agg", DLCOURSE_DATA=str(tmp_path / "data"))
    script = tmp_path / "run_cells.py"
    script.write_text(RUN_CELLS)
    proc = subprocess.run([colab_python, script, notebook], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    cells = result["cells"]
    assert cells[0] == ["ok", ""], cells[0]  # the setup cell installed and checked the library
    assert str(ROOT) not in result["dlcourse_file"] and str(public_tree) not in result["dlcourse_file"]
    assert "site-packages" in result["dlcourse_file"]
    errors = {status for status, _ in cells if status != "ok"}
    assert errors == {"NotImplementedError"}, cells
