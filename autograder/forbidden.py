"""Forbidden shortcuts: calls an answer must not use, found in the submitted source, outside the kernel.

An instructor notebook names them per test cell (``metadata.dlcourse.forbid``: dotted names,
each also forbidding everything below it, so ``torch.optim`` covers ``torch.optim.Adam``).
The student's code is parsed, never run, here: import aliases (``import torch.nn.functional
as F``, ``from torch import optim``, ``f = torch.nn.functional``) are resolved in notebook
order, over every code cell before the test, and a use counts when it stands in a cell the
student wrote. String constants naming a forbidden function (``getattr(F, "batch_norm")``,
``importlib.import_module("torch.optim")``) count too. A determined student can still hide a
call (``eval`` of computed text); the threat model in the grading guide says so.
"""
import ast


def _dotted(node, aliases):
    """The dotted name an expression stands for, with aliases resolved; None when it is not a name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    head = aliases.get(node.id, node.id)
    return ".".join([head, *reversed(parts)])


def _covers(name, forbidden):
    return name == forbidden or name.startswith(forbidden + ".")


class _Scanner(ast.NodeVisitor):
    def __init__(self, aliases, forbid, collect):
        self.aliases, self.forbid, self.collect = aliases, forbid, collect
        self.last = {f.rsplit(".", 1)[-1] for f in forbid}
        self.hits = []

    def hit(self, name, node):
        for f in self.forbid:
            if _covers(name, f) and self.collect:
                self.hits.append((f, getattr(node, "lineno", 0)))
                return True
        return False

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
                full = f"{node.module}.{alias.name}"
                self.hit(full, node)
                self.aliases[alias.asname or alias.name] = full

    def visit_Assign(self, node):
        self.generic_visit(node)
        name = _dotted(node.value, self.aliases)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if name and name.split(".")[0] in self.aliases.values():
                    self.aliases[target.id] = name
                else:
                    self.aliases.pop(target.id, None)

    def visit_Attribute(self, node):
        name = _dotted(node, self.aliases)
        if not (name and self.hit(name, node)):
            self.generic_visit(node)

    def visit_Name(self, node):
        name = self.aliases.get(node.id)
        if name:
            self.hit(name, node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and (node.value in self.last or any(_covers(node.value, f) for f in self.forbid)):
            if self.collect:
                self.hits.append((node.value, node.lineno))


def find(cells, forbid):
    """Uses of forbidden names in the student's cells.

    Inputs:
    - cells: list of (source, written_by_student) in notebook order, up to the test cell.
    - forbid: list of dotted names.

    Returns a list of (forbidden name, cell position in `cells`, line), empty when clean.
    Cells that do not parse (IPython magics, syntax errors) are scanned line by line where they can be.
    """
    aliases, found = {}, []
    for pos, (source, by_student) in enumerate(cells):
        for tree in _trees(source):
            scanner = _Scanner(aliases, list(forbid), by_student)
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
