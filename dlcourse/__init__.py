"""dlcourse: the helper library of the open deep-learning course.

Notebooks import, the library implements: everything the exercises *give* the student lives
here (numeric checks, data, the given nets and the Solver, run-mode and device helpers, the
tests' record channel). The hidden tests' probes and the grader's checks are not here: they
live in the instructors' autograder/chapters/, never shipped to students. Nothing here is a
solution: the reference solutions live only in ``solutions/`` of the course repository.
"""
__version__ = "0.1.0"

from .gradient_check import rel_error, eval_numerical_gradient, eval_numerical_gradient_array  # noqa: E402,F401


def check_version(expected):
    """Raise a clear error when the installed library is not the version a notebook was released for.

    Inputs:
    - expected: version string stamped into the notebook's setup cell by ``autograder release``.
    """
    if expected != __version__:
        raise RuntimeError(
            f"This notebook was released for dlcourse {expected}, but dlcourse {__version__} is "
            "installed. Re-run the setup cell (Colab) or `pip install -e .` in the course "
            "repository (local) at the matching version."
        )
    return __version__
