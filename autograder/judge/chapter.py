"""Where the judge finds a chapter's grading code: ``autograder/chapters/<assignment>/`` (the
contract: autograder/chapters/__init__.py). The one place the generic judge turns an assignment's
name into a chapter's module; it knows no chapter itself.
"""
import importlib
import importlib.util
import re

from ..errors import GradingError
from .properties import PROPERTIES

PACKAGE = "autograder.chapters"
_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")


def module_name(assignment, part):
    """The dotted name of a chapter's module `part` ("checks", "probes", "handin"), or None when
    the assignment's name cannot name a package (not a lower-case Python identifier)."""
    if not isinstance(assignment, str) or not _NAME.match(assignment):
        return None
    return f"{PACKAGE}.{assignment}.{part}"


def has(assignment, part):
    """True when the chapter of `assignment` has a module `part` (found, not imported)."""
    name = module_name(assignment, part)
    if name is None or importlib.util.find_spec(f"{PACKAGE}.{assignment}") is None:
        return False
    return importlib.util.find_spec(name) is not None


def checks(assignment):
    """{name: check} a record of the assignment's notebook may name: the generic checks
    (autograder/judge/properties.py), then its chapter's (``PROPERTIES`` of its checks.py, when
    the chapter has one). A chapter check named like a generic one is a GradingError."""
    found = dict(PROPERTIES)
    if not has(assignment, "checks"):
        return found
    name = module_name(assignment, "checks")
    own = getattr(importlib.import_module(name), "PROPERTIES", None)
    if not isinstance(own, dict):
        raise GradingError(f"{name} has no PROPERTIES dict of its property checks")
    clash = sorted(set(own) & set(found))
    if clash:
        raise GradingError(f"{name} defines {', '.join(map(repr, clash))}, already a generic check "
                           "(autograder/judge/properties.py): rename it")
    found.update(own)
    return found


def where(assignment):
    """Words for the places checks(assignment) looks in, for messages."""
    name = module_name(assignment, "checks")
    return "autograder/judge/properties.py" + (f" and {name}" if name else "")


def find(name, assignment):
    """The property check `name` for a record of the assignment's notebook; a GradingError naming
    it when neither the generic checks nor the chapter's define it."""
    check = checks(assignment).get(name)
    if check is None:
        raise GradingError(f"the instructor notebook names an unknown check {name!r}: no property check of "
                           f"that name in {where(assignment)}")
    return check
