"""The repository's layout, read from the sources (ast; nothing is imported or run).

- the student library (dlcourse) imports nothing of the grader, the book or the tests;
- no import cycle among the modules of autograder/ and dlcourse/ (function-level imports and
  ``importlib.import_module``/``__import__`` of constant text count);
- autograder's packages import only packages earlier in a submission's path (ORDER below);
- every module of autograder/ and dlcourse/ has a docstring;
- dlcourse holds what the notebooks import: its __init__ lists, per module, every name the released
  notebooks import, each listed name exists, and every module is reached from the notebooks;
- no two test modules share a basename (tests/ has no __init__.py: pytest's default import mode
  refuses the second one at collection, which stops the whole run).
"""
import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograder", "dlcourse")

# A submission's path through autograder (autograder/__init__.py): each entry may import the
# entries before it and itself, never one after it. To add a package, insert it where it belongs.
ORDER = [
    ("shared", ["autograder", "autograder.errors", "autograder.text", "autograder.config", "autograder.course",
                "autograder.notebook", "autograder.transforms"]),
    ("intake", ["autograder.intake"]),
    ("run", ["autograder.run"]),
    ("judge", ["autograder.judge"]),
    ("records", ["autograder.records"]),
    ("authoring", ["autograder.authoring"]),
    ("chapters", ["autograder.chapters"]),
    ("grade", ["autograder.grade"]),
    ("cli", ["autograder.cli", "autograder.__main__"]),
]
# Narrower than ORDER: a chapter's probes run in the student's kernel beside the hidden tests, so a
# chapter package imports the student library and itself only; its checks.py (the judge's side) also
# autograder.judge. {package: (what its modules may import, {module name: what that one may add})}
NARROWER = {"autograder.chapters": (["dlcourse", "autograder.chapters"], {"checks": ["autograder.judge"]})}


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _package(module):
    return module if FILES[module].name == "__init__.py" else module.rpartition(".")[0]


def _absolute(module, name, level):
    """The absolute dotted name of `from <level dots><name> import` written in `module`."""
    if not level:
        return name
    base = _package(module).split(".")
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _known(dotted):
    """The module of ours that importing `dotted` names (its longest prefix in FILES), or None."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        if ".".join(parts[:k]) in FILES:
            return ".".join(parts[:k])
    return None


def imports(module, source=None):
    """[(line, dotted name imported)] of a module: every import statement anywhere in it, and every
    importlib.import_module / __import__ of constant text (relative ones resolved)."""
    tree = ast.parse(source if source is not None else FILES[module].read_text(), str(FILES.get(module, module)))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node.module or "", node.level)
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.append((node.lineno, sub if sub in FILES else base))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if func in ("import_module", "__import__"):
                text = node.args[0].value
                level = len(text) - len(text.lstrip("."))
                found.append((node.lineno, _absolute(module, text[level:], level) if level else text))
    return sorted(found)


def graph():
    """{module: {imported module of ours: first line}}."""
    edges = {}
    for module in FILES:
        edges[module] = {}
        for line, name in imports(module):
            target = _known(name)
            if target and target != module:
                edges[module].setdefault(target, line)
    return edges


def find_cycle(edges):
    """One import cycle as a list [a, b, ..., a], or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def _within(module, prefixes):
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _entry(module):
    """(rank in ORDER, package) of a module: the longest ORDER prefix it is in (autograder.judge for
    autograder.judge.cell; the root package autograder only for itself), or (None, module)."""
    found = [(len(p), rank, p) for rank, (_, prefixes) in enumerate(ORDER) for p in prefixes
             if module == p or (p != "autograder" and module.startswith(p + "."))]
    return max(found)[1:] if found else (None, module)


def layer_violations(edges):
    """['a (line n) imports b: why'] for every import against ORDER or NARROWER."""
    bad = []
    for module, targets in sorted(edges.items()):
        if not module.startswith("autograder"):
            continue
        rank, package = _entry(module)
        if rank is None:
            bad.append(f"{module}: in no package of ORDER (tests/test_layout.py): add it where it belongs")
            continue
        for target, line in sorted(targets.items()):
            narrow = next((v for k, v in NARROWER.items() if _within(module, [k])), None)
            if narrow is not None:
                allowed = narrow[0] + narrow[1].get(module.rpartition(".")[2], [])
                if not _within(target, allowed):
                    bad.append(f"{module} (line {line}) imports {target}: a module of {package} "
                               f"may import only {', '.join(allowed)}")
                continue
            if not target.startswith("autograder"):
                continue
            target_rank, _ = _entry(target)
            if target_rank is None or target_rank > rank:
                bad.append(f"{module} (line {line}) imports {target}: {ORDER[rank][0]} may import only packages "
                           f"earlier in a submission's path ({', '.join(n for n, _ in ORDER[:rank]) or 'none'}), "
                           f"not {ORDER[target_rank][0] if target_rank is not None else 'a package outside ORDER'}")
    return bad


def outside_names():
    """Top-level import names that would reach the grader, the book or the tests."""
    names = {"autograder", "book", "tests"}
    for folder in ("book", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            names.add(path.stem)
            names.update(p.name for p in path.relative_to(ROOT / folder).parents if p.name)
    return names - {"__init__", "conftest", "dlcourse"}  # tests/dlcourse/ is the library's tests' folder


def student_library_violations(sources=None):
    """['dlcourse.x (line n) imports y'] for every import of dlcourse that leaves the library
    (of the modules in `sources`, {module: text}, when given)."""
    outside = outside_names()
    bad = []
    for module in sorted(sources or (m for m in FILES if m.split(".")[0] == "dlcourse")):
        source = (sources or {}).get(module)
        for line, name in imports(module, source):
            if name.split(".")[0] in outside and f"{module} (line {line}) imports {name}" not in bad:
                bad.append(f"{module} (line {line}) imports {name}")
    return bad


# --- the checks

def test_the_student_library_imports_nothing_of_the_grader_the_book_or_the_tests():
    bad = student_library_violations()
    assert not bad, ("the student library (dlcourse) ships to students alone: it must not import the grader, "
                     "the book or the tests:\n  " + "\n  ".join(bad))


def test_the_check_sees_every_kind_of_import():
    source = ('"""x"""\nimport importlib\n\n\ndef f():\n    from autograder.judge import cell\n'
              '    importlib.import_module("book.resnet")\n    __import__("tests.conftest")\n    import study\n')
    bad = student_library_violations({"dlcourse.runtime": source})
    assert bad == ["dlcourse.runtime (line 6) imports autograder.judge.cell", "dlcourse.runtime (line 7) imports book.resnet",
                   "dlcourse.runtime (line 8) imports tests.conftest", "dlcourse.runtime (line 9) imports study"]


def test_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}, "c": {"a": 1, "b": 1}}) is None


def test_autograder_packages_import_only_earlier_ones():
    bad = layer_violations(graph())
    assert not bad, "against the order of a submission's path (autograder/__init__.py):\n  " + "\n  ".join(bad)


def test_the_order_check_refuses_a_later_package():
    edges = {"autograder.judge.cell": {"autograder.grade.submission": 3, "autograder.run.execute": 4, "autograder.text": 5},
             "autograder.errors": {"autograder.notebook": 1},
             "autograder.chapters.dropout.probes": {"dlcourse.grading": 1, "autograder.judge.cell": 2},
             "autograder.chapters.dropout.checks": {"autograder.judge.properties": 1}}
    assert layer_violations(edges) == [
        "autograder.chapters.dropout.probes (line 2) imports autograder.judge.cell: a module of autograder.chapters "
        "may import only dlcourse, autograder.chapters",
        "autograder.judge.cell (line 3) imports autograder.grade.submission: judge may import only packages earlier "
        "in a submission's path (shared, intake, run), not grade"]


@pytest.mark.parametrize("module", sorted(FILES))
def test_every_module_has_a_docstring(module):
    assert ast.get_docstring(ast.parse(FILES[module].read_text())), \
        f"{FILES[module].relative_to(ROOT)}: no module docstring (say what it is for and its contract)"


# --- dlcourse holds what the notebooks import, and says so

def notebook_imports(pattern):
    """{dlcourse module: {names}} that the code cells of the notebooks matching `pattern` import."""
    found = {}
    for path in sorted(ROOT.glob(pattern)):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "\n".join(line for line in "".join(cell["source"]).splitlines()
                               if not line.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "dlcourse":
                    found.setdefault(node.module, set()).update(a.name for a in node.names)
                elif isinstance(node, ast.Import):
                    for a in node.names:
                        if a.name.split(".")[0] == "dlcourse":
                            found.setdefault(a.name, set())
                elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "dlcourse":
                    found.setdefault("dlcourse", set()).add(node.attr)
    return found


def listed_api():
    """{module: [names]} of the API list in dlcourse/__init__.py's docstring."""
    doc = ast.get_docstring(ast.parse(FILES["dlcourse"].read_text()))
    return {m.group(1): [n.strip() for n in m.group(2).split(",")]
            for m in re.finditer(r"^    (dlcourse(?:\.\w+)?) {2,}(\S.*)$", doc, re.M)}


def top_level_names(module):
    names = set()
    for node in ast.parse(FILES[module].read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def test_the_api_list_names_what_the_released_notebooks_import():
    listed = listed_api()
    assert len(listed) >= 10, "dlcourse/__init__.py lists the public API, one `    dlcourse.module  names` line each"
    missing = [f"{m}: {', '.join(sorted(set(names) - set(listed.get(m, []))))}"
               for m, names in sorted(notebook_imports("exercises/*/*.ipynb").items())
               if set(names) - set(listed.get(m, []))]
    assert not missing, "the released notebooks import names dlcourse/__init__.py does not list:\n  " + "\n  ".join(missing)


def test_every_listed_name_exists():
    wrong = [f"{m}.{n}" for m, names in listed_api().items() for n in names
             if m not in FILES or n not in top_level_names(m) | {"__version__"}]
    assert not wrong, f"dlcourse/__init__.py lists names that do not exist: {', '.join(wrong)}"


def test_every_library_module_is_reached_from_a_notebook():
    edges = graph()
    seen, todo = set(), [m for pattern in ("exercises/*/*.ipynb", "solutions/*/*.ipynb")
                         for m in notebook_imports(pattern)]
    while todo:
        module = _known(todo.pop())
        if module and module not in seen:
            seen.add(module)
            todo += list(edges[module])
    unused = sorted(m for m in FILES if m.split(".")[0] == "dlcourse" and m not in seen)
    assert not unused, (f"dlcourse modules no notebook needs: {', '.join(unused)}; code only the book or a benchmark "
                        "uses lives beside its page (book/<chapter>/) or in book/_lib/")


def _same_basenames(paths):
    seen = {}
    for p in paths:
        seen.setdefault(p.name, []).append(p)
    return {name: ps for name, ps in seen.items() if len(ps) > 1}


def test_no_two_test_modules_share_a_basename():
    tests = sorted((ROOT / "tests").rglob("test_*.py"))
    assert tests
    clashes = _same_basenames(tests)
    assert not clashes, {n: [str(p.relative_to(ROOT)) for p in ps] for n, ps in clashes.items()}


def test_the_basename_check_finds_a_clash():
    assert _same_basenames([Path("a/test_x.py"), Path("b/test_x.py"), Path("b/test_y.py")]) == {
        "test_x.py": [Path("a/test_x.py"), Path("b/test_x.py")]}
