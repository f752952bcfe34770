"""Forbidden shortcuts: calls an answer must not use, found in the submitted source, outside the kernel.

An instructor notebook names them per test cell (``metadata.dlcourse.forbid``: dotted names,
each also forbidding everything below it, so ``torch.optim`` covers ``torch.optim.Adam``). The
names may be external APIs (``torch.nn.functional.batch_norm``) or objects of the course library
(``dlcourse.data._read_batch``, ``dlcourse.torchkit.train_part``).

The student's code is parsed, never run, here. What a name stands for is resolved in notebook
order, over every code cell before the test, and a use counts when it stands in a cell the
student wrote:

- import aliases and rebindings: ``import torch.nn.functional as F``, ``from torch import optim``,
  ``f = torch.nn.functional``, ``from dlcourse.torchkit import *``; a ``def``/``class`` of the
  student's own, or an assignment of something unknown, drops the alias of that name;
- re-exports through the course library, by introspection outside the kernel: once per grading
  process a child process of the grader imports every module of the grader's copy of ``dlcourse``
  and maps every dotted path through it to the module, class or function it really leads to
  (``library_map``: ``dlcourse.torchkit.torch`` -> ``torch``, ``dlcourse.torchkit.load_cifar10``
  -> ``dlcourse.data.load_cifar10``, ``dlcourse.torchkit.F`` -> ``torch.nn.functional``); any
  attribute chain through the library (``tk.torch.nn.functional.batch_norm``, ``from dlcourse
  import torchkit; torchkit.F.batch_norm``, ``getattr(tk, "torch")``) is rewritten by that map,
  repeatedly, to the object it really is, and compared with the forbid list under both names;
- dynamic lookups with constant text: ``getattr(x, "name")``, ``vars(x)["name"]``,
  ``x.__dict__["name"]``, ``importlib.import_module("dlcourse.torchkit")`` (also relative, with a
  package), ``__import__("a.b")`` (``a``; ``a.b`` with a fromlist), ``sys.modules["a.b"]``;
- attributes a student's code rebinds: ``m.x = tk.torch`` or ``setattr(m, "x", tk.torch)`` make
  ``m.x`` stand for ``torch`` in later cells;
- an instance of a library class stands for its class (``TensorBatches(...).augment``,
  ``tb = TensorBatches(...); tb.augment``);
- a chain that runs through another module's re-export ends in a forbidden name
  (``somepackage.module.torch.nn.functional.batch_norm``): the part from a segment that starts a
  forbidden name on is compared too;
- ``eval``/``exec``/``compile`` of constant text: the text is scanned as code of the cell;
- scopes: a parameter, or a name bound inside a function, class, lambda or comprehension, shadows
  an outer alias there only (``global``/``nonlocal`` names excepted); a ``for``/``with`` target or
  ``del`` at the top drops the alias;
- string constants naming a forbidden thing (``"torch.optim"``, ``"dlcourse.torchkit.train_part"``)
  count; the last part of one (``"batch_norm"``) counts as the key of a ``getattr``-like lookup
  (also held in a variable: ``key = "batch_norm"; getattr(x, key)``), not elsewhere (``"train"``
  is also a dictionary key).

Not resolved (the threat model in the grading guide says so): text computed at run time
(``getattr(tk, "tor" + "ch")``, ``eval``/``exec`` of built text), objects reached through
values rather than names (a function's ``__globals__``, ``type(x).__mro__``, ``gc``), values
passed through containers, loop variables or conditional expressions (``T = tk.torch if c else
None`` drops the alias), and re-exports through third-party packages under another name
(``somepackage.F`` for ``torch.nn.functional``).
"""
import ast
import json
import os
import subprocess
import sys
import threading
import warnings
from functools import lru_cache
from pathlib import Path

LIBRARY = "dlcourse"
_MAX_NAME = 400  # longer text is no dotted name of the library: not resolved (keeps the scan linear)
_MAX_REWRITES = 16  # re-exports of re-exports: more than enough for the library, and no loop runs forever
_MAP_TIMEOUT = 300  # seconds for the process that imports the library (torch, matplotlib: about 3 s)


def _covers(name, forbidden):
    return name == forbidden or name.startswith(forbidden + ".")


# --- the course library's map ------------------------------------------------------------------

# Run in a child process of the grader (never in a student's kernel): imports every module of the
# grader's own copy of the library and prints {dotted path through the library: real name}.
_INTROSPECT = r"""
import importlib, json, pkgutil, sys, types
sys.path.insert(0, sys.argv[1])
library = importlib.import_module(sys.argv[2])
modules = [library.__name__] + sorted(m.name for m in pkgutil.walk_packages(library.__path__, library.__name__ + "."))
failed = {}
for name in modules:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"

def lookup(dotted):
    # the object a dotted name stands for, importing its longest importable module prefix
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except BaseException:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise LookupError(dotted)

def real_name(obj):
    # module.qualname of a module, class or function, when that name leads back to the very object
    if isinstance(obj, types.ModuleType):
        candidates = [obj.__name__]
    else:
        try:
            module, qualname = obj.__module__, obj.__qualname__
        except BaseException:
            return None
        if not (isinstance(module, str) and isinstance(qualname, str)):
            return None
        candidates = [f"{module}.{qualname}"]
        home = sys.modules.get(module)  # a C function's qualname may not be its public name
        candidates += [f"{module}.{k}" for k, v in vars(home).items() if v is obj] if home else []
    for name in candidates:
        try:
            if lookup(name) is obj:
                return name
        except BaseException:
            pass
    return None

found = {}
for name in modules:
    module = sys.modules.get(name)
    for attr, obj in list(vars(module).items()) if module else []:
        if not attr.startswith("__"):
            real = real_name(obj)
            if real:
                found[f"{name}.{attr}"] = real
print(json.dumps({"map": found, "modules": modules, "failed": failed}))
"""


_MAP_LOCK = threading.Lock()  # grading threads share one map, built once


def library_map():
    """The library's map (see _build_map), built on first use, once per process."""
    with _MAP_LOCK:
        return _build_map()


@lru_cache(maxsize=1)
def _build_map():
    """{dotted path through the library: the real module.qualname of the object it leads to}.

    Built once per grading process by introspection, outside any kernel: a child process of the
    grader imports every module of the grader's own copy of the library (the one the kernels get a
    copy of) and lists every module-level attribute that is a module, class or function, under the
    name that really leads to it: ``dlcourse.torchkit.torch`` -> ``torch``, ``dlcourse.torchkit.F``
    -> ``torch.nn.functional``, ``dlcourse.torchkit.load_cifar10`` -> ``dlcourse.data.load_cifar10``,
    ``dlcourse.torchkit.default_device`` -> ``dlcourse.runtime.device``, the package's submodules
    (``dlcourse.torchkit`` -> itself). A name is kept only when importing it gives
    back the very same object. Values (numbers, tuples, instances) are left out.
    If the library cannot be imported, a warning says so and only the names as written count.
    """
    import dlcourse

    root = str(Path(dlcourse.__file__).resolve().parent.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    try:
        done = subprocess.run([sys.executable, "-I", "-c", _INTROSPECT, root, LIBRARY], capture_output=True,
                              text=True, timeout=_MAP_TIMEOUT, env=env, cwd=root)
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
        warnings.warn(f"the forbidden-call check could not import the course library to resolve re-exports "
                      f"({type(exc).__name__}: {exc}); only names as written are compared", RuntimeWarning)
        return {}
    if result["failed"]:
        warnings.warn(f"the forbidden-call check could not import {sorted(result['failed'])} of the course library: "
                      f"re-exports through them are not resolved", RuntimeWarning)
    return result["map"]


def resolve(name, extra=None):
    """What a dotted name really is: its longest prefix found in the library map (or in `extra`,
    attributes the student's code rebound) replaced by what it binds, repeatedly."""
    if len(name) > _MAX_NAME or not all(part.isidentifier() for part in name.split(".")):
        return name  # not a dotted name (a string constant's text): nothing to resolve
    table = library_map()
    for _ in range(_MAX_REWRITES):
        parts = name.split(".")
        for cut in range(len(parts), 1, -1):
            prefix = ".".join(parts[:cut])
            target = (extra or {}).get(prefix) or table.get(prefix)
            if target is not None and target != prefix:
                name = ".".join([target, *parts[cut:]])
                break
        else:
            return name
    return name


# --- the student's code ------------------------------------------------------------------------

def _absolute(module, package, level):
    """The absolute module of a relative import `from <level dots><module> import ...` in `package`."""
    base = package.split(".")
    base = base[:max(0, len(base) - level + 1)]
    return ".".join(base + ([module] if module else []))


_LOOKUPS = ("getattr", "builtins.getattr", "hasattr", "builtins.hasattr", "setattr", "builtins.setattr",
            "delattr", "builtins.delattr")


_EVALS = ("eval", "exec", "compile", "builtins.eval", "builtins.exec", "builtins.compile")
_MAX_EVAL_DEPTH = 8  # exec("exec('...')") nested deeper than this is not read


def _const(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _call_name(node, aliases):
    """The dotted name a call's result stands for, when the call is a known lookup or a library class."""
    func = _dotted(node.func, aliases)
    args = node.args
    if func in ("getattr", "builtins.getattr") and len(args) >= 2 and _const(args[1]):
        base = _dotted(args[0], aliases)
        return f"{base}.{_const(args[1])}" if base else None
    if func == "importlib.import_module" and args and _const(args[0]):
        target = _const(args[0])
        if target.startswith("."):
            package = _const(args[1]) if len(args) > 1 else next(
                (_const(k.value) for k in node.keywords if k.arg == "package"), None)
            if not package:
                return None
            level = len(target) - len(target.lstrip("."))
            target = _absolute(target.lstrip("."), package, level)
        return target
    if func in ("__import__", "builtins.__import__", "importlib.__import__") and args and _const(args[0]):
        fromlist = args[3] if len(args) > 3 else next((k.value for k in node.keywords if k.arg == "fromlist"), None)
        empty = fromlist is None or (isinstance(fromlist, (ast.List, ast.Tuple)) and not fromlist.elts) or \
            (isinstance(fromlist, ast.Constant) and not fromlist.value)
        return _const(args[0]).split(".")[0] if empty else _const(args[0])
    if func in ("vars",) and len(args) == 1:
        return _dotted(args[0], aliases)  # vars(x)["a"]: the subscript below adds ".a"
    if func and resolve(func).startswith(LIBRARY + "."):
        return func  # an instance of a library class: its attributes are the class's
    return None


def _dotted(node, aliases):
    """The dotted name an expression stands for, with aliases resolved; None when it is not a name."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr == "__dict__":  # x.__dict__["a"] is x.a
                node = node.value
                continue
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript) and _const(node.slice) is not None:
            key = _const(node.slice)
            if isinstance(node.value, ast.Attribute) and node.value.attr == "modules" and \
                    _dotted(node.value.value, aliases) == "sys":
                head = key  # sys.modules["a.b"]
                break
            parts.append(key)
            node = node.value
        elif isinstance(node, ast.Call):
            head = _call_name(node, aliases)
            if head is None:
                return None
            break
        elif isinstance(node, ast.Name):
            head = aliases.get(node.id, node.id)
            break
        else:
            return None
    return ".".join([head, *reversed(parts)])


class _Scanner(ast.NodeVisitor):
    def __init__(self, state, forbid, collect):
        self.aliases, self.rebound, self.strings = state
        self.forbid, self.collect = forbid, collect
        self.last = {f.rsplit(".", 1)[-1] for f in forbid}
        self.heads = {f.split(".")[0] for f in forbid}
        self.hits = []
        self.depth = 0

    def forbidden(self, name):
        """The forbid entry a dotted name falls under (as written, as resolved, or from a segment on)."""
        resolved = resolve(name, self.rebound)
        candidates = [name, resolved]
        for full in (name, resolved):
            parts = full.split(".")
            candidates += [".".join(parts[i:]) for i in range(1, len(parts)) if parts[i] in self.heads]
        for candidate in candidates:
            for f in self.forbid:
                if _covers(candidate, f):
                    return f
        return None

    def hit(self, name, node):
        f = self.forbidden(name)
        if f and self.collect:
            self.hits.append((f, getattr(node, "lineno", 0)))
        return f is not None

    def visit_Import(self, node):
        for alias in node.names:
            self.hit(alias.name, node)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top

    def visit_ImportFrom(self, node):
        if node.module and not node.level:
            self.hit(node.module, node)
            for alias in node.names:
                if alias.name == "*":
                    self.star(node.module, node)
                    continue
                full = f"{node.module}.{alias.name}"
                self.hit(full, node)
                self.aliases[alias.asname or alias.name] = full

    def star(self, module, node):
        """`from <module> import *`: the library module's public names become aliases of its paths."""
        module = resolve(module, self.rebound)
        prefix = module + "."
        for path in library_map():
            rest = path[len(prefix):] if path.startswith(prefix) else ""
            if rest and "." not in rest and not rest.startswith("_"):
                self.aliases[rest] = path

    def bind(self, target, value_node):
        name = _dotted(value_node, self.aliases) if value_node is not None else None
        if isinstance(target, ast.Name):
            if _const(value_node) is not None:
                self.strings[target.id] = _const(value_node)  # key = "batch_norm"; getattr(x, key)
            else:
                self.strings.pop(target.id, None)
            if name and (name.split(".")[0] in self.aliases.values() or resolve(name) != name
                         or name.startswith(LIBRARY + ".")):
                self.aliases[target.id] = name
            else:
                self.aliases.pop(target.id, None)
        elif isinstance(target, ast.Attribute):
            where = _dotted(target, self.aliases)
            if where and name:
                self.rebound[resolve(where, self.rebound)] = name
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value_node.elts if isinstance(value_node, (ast.Tuple, ast.List)) and \
                len(value_node.elts) == len(target.elts) else [None] * len(target.elts)
            for t, v in zip(target.elts, values):
                self.bind(t, v)

    def visit_Assign(self, node):
        self.generic_visit(node)
        for target in node.targets:
            self.bind(target, node.value)

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        self.bind(node.target, node.value)

    def visit_NamedExpr(self, node):
        self.generic_visit(node)
        self.bind(node.target, node.value)

    def scoped(self, node, params=()):
        """Visit a function, class, lambda or comprehension in a scope of its own: its parameters and
        the names it binds shadow the outer aliases inside it only (``global`` names excepted)."""
        outer = dict(self.aliases)
        for param in params:
            self.aliases.pop(param, None)
        self.generic_visit(node)
        inner = dict(self.aliases)
        shared = {n for g in ast.walk(node) if isinstance(g, (ast.Global, ast.Nonlocal)) for n in g.names}
        self.aliases.clear()
        self.aliases.update(outer)
        for name in shared:
            if name in inner:
                self.aliases[name] = inner[name]
            else:
                self.aliases.pop(name, None)

    def visit_FunctionDef(self, node):
        a = node.args
        self.scoped(node, [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if p])
        self.aliases.pop(node.name, None)  # the student's own function or class, whatever was imported under its name

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.scoped(node)
        self.aliases.pop(node.name, None)

    def visit_Lambda(self, node):
        a = node.args
        self.scoped(node, [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if p])

    def visit_ListComp(self, node):
        self.scoped(node)

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def visit_Call(self, node):
        self.generic_visit(node)
        func = _dotted(node.func, self.aliases)
        if func in _EVALS and node.args and _const(node.args[0]) is not None and self.depth < _MAX_EVAL_DEPTH:
            self.depth += 1  # eval/exec of constant text: that text is code of the cell
            for tree in _trees(_const(node.args[0])):
                for inner in ast.walk(tree):
                    ast.copy_location(inner, node)  # its uses are reported on the line of the call
                self.visit(tree)
            self.depth -= 1
        if func in ("setattr", "builtins.setattr") and len(node.args) == 3 and _const(node.args[1]):
            base = _dotted(node.args[0], self.aliases)
            value = _dotted(node.args[2], self.aliases)
            if base and value:
                self.rebound[resolve(f"{base}.{_const(node.args[1])}", self.rebound)] = value
        name = _dotted(node, self.aliases)
        if name and name != func:  # a lookup by text (getattr, import_module, ...): what it finds
            self.hit(name, node)
        elif func in _LOOKUPS and len(node.args) >= 2:  # getattr(x, "batch_norm") on an x not resolved,
            key = _const(node.args[1]) or self.strings.get(getattr(node.args[1], "id", None))  # or key = "..."
            if key in self.last and self.collect:
                self.hits.append((key, node.lineno))

    def visit_Subscript(self, node):
        name = _dotted(node, self.aliases)
        if not (name and self.hit(name, node)):
            self.generic_visit(node)

    def visit_Attribute(self, node):
        name = _dotted(node, self.aliases)
        if not (name and self.hit(name, node)):
            self.generic_visit(node)

    def visit_Name(self, node):
        if not isinstance(node.ctx, ast.Load):  # for/with targets, del: the name no longer is the alias
            self.aliases.pop(node.id, None)
            return
        name = self.aliases.get(node.id)
        if name:
            self.hit(name, node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and self.forbidden(node.value):
            self.hit(node.value, node)


def find(cells, forbid):
    """Uses of forbidden names in the student's cells.

    Inputs:
    - cells: list of (source, written_by_student) in notebook order, up to the test cell.
    - forbid: list of dotted names.

    Returns a list of (forbidden name, cell position in `cells`, line), empty when clean.
    Cells that do not parse (IPython magics, syntax errors) are scanned line by line where they can be.
    """
    state, found = ({}, {}, {}), []
    for pos, (source, by_student) in enumerate(cells):
        for tree in _trees(source):
            scanner = _Scanner(state, list(forbid), by_student)
            scanner.visit(tree)
            found += [(name, pos, line) for name, line in scanner.hits]
    return found


def _trees(source):
    try:
        return [ast.parse(source)]
    except (SyntaxError, ValueError):
        trees = []
        for line in source.splitlines():
            line = line.strip()
            if line.startswith(("%", "!")):  # an IPython magic: its argument may be code (%time, %timeit)
                line = line.partition(" ")[2].strip()
            try:
                trees.append(ast.parse(line))
            except (SyntaxError, ValueError):
                continue
        return trees
