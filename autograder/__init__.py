"""Instructor tooling of the course, over nbgrader's Python API: release, grade, autograde.

The CLI (``python -m autograder``) only parses arguments and calls these functions.
"""
from .errors import GradingError  # noqa: F401
