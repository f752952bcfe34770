"""``python -m autograder <verb>``: the command line (autograder/cli.py parses it and calls one module per verb).

Under a Python without the course's requirements it says which package is missing and how to
install them, in one line, instead of a traceback from deep inside an import.
"""
import importlib.util
import sys
from pathlib import Path

# import name -> the requirement that provides it (what the verbs import; requirements.txt installs all)
REQUIRED = {"yaml": "pyyaml", "markdown_it": "markdown-it-py", "nbformat": "nbformat", "nbgrader": "nbgrader",
            "nbclient": "nbclient", "numpy": "numpy"}


def missing():
    """The requirement of the first package this Python cannot import, or None."""
    for module, package in REQUIRED.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return module, package
    return None


def run():
    lack = missing()
    if lack:
        requirements = Path(__file__).resolve().parent.parent / "requirements.txt"
        print(f"error: the autograder needs the Python package {lack[1]} (import {lack[0]}), which {sys.executable} "
              f"cannot import; install the course's requirements: {sys.executable} -m pip install -r {requirements}",
              file=sys.stderr)
        return 2
    from .cli import main
    return main()


if __name__ == "__main__":
    sys.exit(run())
