"""Forbidden shortcuts are found in the student's source, outside the kernel, however imported."""
import pytest

from autograder.judge.forbidden import _covers, find
from autograder.notebook import forbid_rule

BN = ["torch.nn.functional.batch_norm", "torch.nn.BatchNorm1d", "torch.optim", "dlcourse.runtime.device"]
GIVEN = "import numpy as np\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


@pytest.mark.parametrize("code, name", [
    ("y = F.batch_norm(x, None, None, training=True)", "torch.nn.functional.batch_norm"),
    ("y = torch.nn.functional.batch_norm(x, None, None, training=True)", "torch.nn.functional.batch_norm"),
    ("from torch.nn.functional import batch_norm as bn\ny = bn(x)", "torch.nn.functional.batch_norm"),
    ("from torch.nn import functional\ny = functional.batch_norm(x)", "torch.nn.functional.batch_norm"),
    ("f = torch.nn.functional\ny = f.batch_norm(x)", "torch.nn.functional.batch_norm"),
    ("layer = nn.BatchNorm1d(3)", "torch.nn.BatchNorm1d"),
    ("y = getattr(F, 'batch_norm')(x)", "torch.nn.functional.batch_norm"),
    ("key = 'batch_norm'\ny = getattr(F, key)(x)", "batch_norm"),
    ("import importlib\nopt = importlib.import_module('torch.optim')", "torch.optim"),
    ("from torch import optim\nopt = optim.Adam([w])", "torch.optim"),
    ("import torch.optim\n", "torch.optim"),
    ("opt = torch.optim.SGD([w], lr=1)", "torch.optim"),
    ("%time y = F.batch_norm(x)\nz = 1", "torch.nn.functional.batch_norm"),  # a magic: scanned line by line
    # through the course library's re-exports (resolved by its introspected map)
    ("from dlcourse.torchkit import torch as T\ny = T.nn.functional.batch_norm(x)", "torch.nn.functional.batch_norm"),
    ("import dlcourse.torchkit as tk\ny = tk.torch.nn.functional.batch_norm(x)", "torch.nn.functional.batch_norm"),
    ("from dlcourse import resnet\ny = resnet.F.batch_norm(x)", "torch.nn.functional.batch_norm"),
    ("import dlcourse.torchkit as tk\nT = getattr(tk, 'torch')\ny = T.nn.functional.batch_norm(x)", "torch.nn.functional.batch_norm"),
    ("import dlcourse.resnet_checks as p\nlayer = p.nn.BatchNorm1d(3)", "torch.nn.BatchNorm1d"),
    # a library function re-exported by another library module (dlcourse.resnet imports runtime's device)
    ("from dlcourse.resnet import default_device\ndev = default_device()", "dlcourse.runtime.device"),
    ("import importlib\ndev = importlib.import_module('dlcourse.resnet').default_device()", "dlcourse.runtime.device"),
    ("dev = __import__('dlcourse.resnet', fromlist=['default_device']).default_device()", "dlcourse.runtime.device"),
    ("import dlcourse.torchkit as tk\nimport types\nm = types.SimpleNamespace()\nm.t = tk.torch\ny = m.t.optim", "torch.optim"),
    ("import dlcourse.torchkit as tk\ny = eval('tk.F.batch_norm')(x)", "torch.nn.functional.batch_norm"),
    ("exec(\"from dlcourse.resnet import F as G\\ny = G.batch_norm(x)\")", "torch.nn.functional.batch_norm"),
    # a name bound inside a function, class or comprehension leaves the outer alias alone
    ("def f():\n    F = 1\n    return F\n[F for F in range(2)]\ny = F.batch_norm(x)", "torch.nn.functional.batch_norm"),
])
def test_uses_are_found(code, name):
    hits = find([(GIVEN, False), (code, True)], BN)
    assert hits and hits[0][0] == name and hits[0][1] == 1


@pytest.mark.parametrize("code", [
    "def batchnorm(x, gamma, beta):\n    mu = x.mean(0)\n    var = x.var(0, unbiased=False)\n"
    "    return gamma * (x - mu) / torch.sqrt(var + 1e-5) + beta",
    "class BatchNorm(nn.Module):\n    '''Like F.batch_norm, written by hand.'''\n    pass",
    "optimizer_name = 'adam'\nbatch_norm_done = True",
    "F = None\ny = F",  # rebinding a name drops its alias
    "def run(model, F):\n    return F.batch_norm(model)",  # a parameter shadows the alias inside its function
    "from dlcourse.resnet import OptionAShortcut\nfrom dlcourse.data import load_cifar10\nx = load_cifar10, OptionAShortcut",
    "loaders = {'train': 1, 'batch_norm': 2}\nz = loaders['batch_norm']",  # a string that is only a key
])
def test_honest_code_is_clean(code):
    assert find([(GIVEN, False), (code, True)], BN) == []


def test_instructor_cells_may_use_what_students_may_not():
    given = GIVEN + "reference = F.batch_norm\n"
    assert find([(given, False), ("y = 1", True)], BN) == []


# --- every chapter: each forbidden thing, delegated through every module of the library that leads to it

CHAPTERS = ["optimizers", "normalization", "dropout", "pytorch", "resnet"]
# the fewest (test, forbidden thing, library module) cases a chapter must yield: the PyTorch chapter's
# answers are PyTorch code, and the library implements none of them, so it has no forbid rule
MINIMUM_CASES = {"optimizers": 3, "normalization": 9, "dropout": 3, "pytorch": 0, "resnet": 8}


def chapter(assignment):
    """(source, released) notebooks of an assignment."""
    from autograder import course
    from autograder.notebook import read
    [source] = sorted((course.solutions_dir() / assignment).glob("*.ipynb"))
    return read(source), read(course.exercises_dir() / assignment / source.name)


def routes(target):
    """{library module: a dotted chain through it that leads to `target` (or below it)}, from the
    library's introspected map: e.g. torch -> {"dlcourse.torchkit": "dlcourse.torchkit.torch", ...}."""
    from autograder.judge.forbidden import library_map
    found = {}
    for path, real in library_map().items():
        module = path.rpartition(".")[0]
        if _covers(real, target):
            chain = path
        elif target.startswith(real + "."):
            chain = path + target[len(real):]
        else:
            continue
        if module not in found or len(chain) < len(found[module]):
            found[module] = chain
    return found


def spellings(module, chain):
    """Ways a student's cell can use `chain` (a dotted path starting with `module`) through that module."""
    first, _, rest = chain[len(module) + 1:].partition(".")
    tail = f".{rest}" if rest else ""
    parent, _, leaf = module.rpartition(".")
    ways = [f"import {module} as _lib\n_use = _lib.{first}{tail}",
            f"from {module} import {first} as _x\n_use = _x{tail}",
            f"import importlib\n_use = getattr(importlib.import_module({module!r}), {first!r}){tail}",
            f"_use = __import__({module!r}, fromlist=[{first!r}]).{first}{tail}",
            f"import {module}\n_use = {chain}"]
    if parent:
        ways.append(f"from {parent} import {leaf} as _lib\n_use = _lib.{first}{tail}")
    return ways


def answer_before(nb, test_gid):
    """grade_id of the answer cell that comes last before a test cell."""
    from autograder.notebook import grade_id, is_solution
    answer = None
    for cell in nb.cells:
        if grade_id(cell) == test_gid:
            return answer
        if cell.cell_type == "code" and is_solution(cell):
            answer = grade_id(cell)


class Submission:
    """The reference answers, filled into the released notebook and merged as the grader merges a
    submission; `uses(test, answer, code)`: the forbidden uses the grader finds before that test
    with `code` appended to that answer cell."""

    def __init__(self, source, released):
        from autograder.notebook import grade_id, is_autograded_test
        from autograder.transforms.fill import fill
        from autograder.transforms.merge import merge
        self.source = source
        self.merged, _ = merge(source, fill(released, source))
        self.ids = {grade_id(c) for c in source.cells} - {None}
        self.at = {grade_id(c): n for n, c in enumerate(self.merged.cells) if grade_id(c)}
        self.rules = {grade_id(c): forbid_rule(c)[0] for c in source.cells if is_autograded_test(c) and forbid_rule(c)[0]}

    def uses(self, test, answer=None, code=""):
        from autograder.grade.submission import _forbidden_uses
        cell = self.merged.cells[self.at[answer]] if answer else None
        given = cell.source if cell else ""
        if cell:
            cell.source = given + "\n\n" + code
        try:
            return _forbidden_uses(self.merged, self.ids, self.at[test], self.rules[test])
        finally:
            if cell:
                cell.source = given


def given_imports(released):
    """The `from dlcourse... import name` pairs of the released notebook's given cells (what the
    exercise hands students)."""
    import ast
    from autograder.notebook import is_solution
    found = set()
    for cell in released.cells:
        if cell.cell_type == "code" and not is_solution(cell):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            found |= {(n.module, a.name) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                      and (n.module or "").startswith("dlcourse") for a in n.names}
    return found


@pytest.mark.parametrize("assignment", CHAPTERS)
def test_every_forbidden_thing_is_caught_through_every_library_module(assignment):
    import ast
    from autograder.judge.forbidden import library_map
    from autograder.notebook import grade_id, is_autograded_test
    source, released = chapter(assignment)
    sub = Submission(source, released)
    assert all(sub.uses(test) == [] for test in sub.rules), "the reference answers use a forbidden name"
    cases, missed = 0, []
    for test, forbid in sub.rules.items():
        answer = answer_before(source, test)
        for target in forbid:
            for module, chain in sorted(routes(target).items()):
                cases += 1
                missed += [(test, target, code) for code in spellings(module, chain) if not sub.uses(test, answer, code)]
    assert cases >= MINIMUM_CASES[assignment], cases
    assert not missed, f"{len(missed)} delegations not caught, e.g. {missed[:5]}"
    # the library's own implementations of a graded function (same name) are forbidden in its tests
    for cell in source.cells:
        if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
            defined = {n.name for n in ast.walk(ast.parse(cell.source)) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            tests = [grade_id(c) for c in source.cells if is_autograded_test(c) and answer_before(source, grade_id(c)) == grade_id(cell)]
            for path, real in library_map().items():
                if path.rpartition(".")[2] in defined:
                    for test in tests:
                        assert any(_covers(real, f) or _covers(path, f) for f in sub.rules.get(test, [])), (path, test)


@pytest.mark.parametrize("assignment", CHAPTERS)
def test_honest_use_of_what_the_exercise_gives_is_clean(assignment):
    from autograder.judge.forbidden import resolve
    source, released = chapter(assignment)
    sub = Submission(source, released)
    given = sorted(given_imports(released))
    assert given, "the exercise gives no library helpers?"
    for test, forbid in sub.rules.items():
        allowed = [(m, n) for m, n in given if not any(_covers(resolve(f"{m}.{n}"), f) or _covers(f"{m}.{n}", f)
                                                        for f in forbid)]
        assert allowed, test
        code = "\n".join(f"from {m} import {n}\n_keep = {n}\nimport {m} as _mod\n_again = _mod.{n}" for m, n in allowed)
        assert sub.uses(test, answer_before(source, test), code) == [], (test, allowed)
    assert len(sub.rules) >= min(1, MINIMUM_CASES[assignment])
