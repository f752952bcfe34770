"""What a grading kernel is given of autograder: the kernel side of the chapters (their probes and
hand-in code) and what those import, never a chapter's checks, the held-out data or the grader."""
from pathlib import Path

from autograder.run.execute import kernel_library

ROOT = Path(__file__).resolve().parents[3]
CHAPTERS = ("dropout", "normalization", "optimizers", "pytorch", "resnet")


def test_kernels_get_every_chapters_probes_and_nothing_else_of_autograder():
    names = {name for name, _ in kernel_library()}
    grader = sorted(n for n in names if n.startswith("autograder/"))
    expected = {"autograder/__init__.py", "autograder/errors.py", "autograder/chapters/__init__.py",
                "autograder/chapters/pytorch/handin.py"}
    for chapter in CHAPTERS:
        expected |= {f"autograder/chapters/{chapter}/__init__.py", f"autograder/chapters/{chapter}/probes.py"}
    assert set(grader) == expected
    assert not [n for n in names if n.endswith("checks.py") and n.startswith("autograder/")]
    assert not [n for n in names if "data" in Path(n).parts and n.startswith("autograder/")]
    assert not [n for n in names if "heldout" in n]
    assert "runner.py" in names and "dlcourse/grading.py" in names


def test_the_kernel_side_imports_no_other_part_of_autograder():
    """A kernel has only these files of autograder: what they import must be among them."""
    import ast
    given = {name for name, _ in kernel_library()}
    for name, path in kernel_library():
        if not name.startswith("autograder/"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [("." * node.level) + (node.module or "")] if isinstance(node, ast.ImportFrom) else []
            for module in modules:
                if module.startswith(".") or module.split(".")[0] == "autograder":
                    dotted = module if not module.startswith(".") else _absolute(name, module)
                    target = dotted.replace(".", "/")
                    assert f"{target}.py" in given or f"{target}/__init__.py" in given, (name, module)


def _absolute(name, module):
    level = len(module) - len(module.lstrip("."))
    package = Path(name).parent.parts[:len(Path(name).parent.parts) - (level - 1)]
    return ".".join(package + tuple(p for p in module.lstrip(".").split(".") if p))
