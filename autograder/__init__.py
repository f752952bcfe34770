"""Instructor tooling of the course (never installed by students), over nbgrader's Python API.

The CLI (``python -m autograder <verb>``, or the console script ``autograder``; autograder/cli.py) only
parses arguments and calls one module per verb. A submission's path through the packages, in the order it travels:

    intake/     an LMS download into the class layout (collect.py: `collect`); what in a
                submissions folder is graded, and as which notebook (folders.py)
    grade/      the verbs that grade: one submission (submission.py: `grade`), a class
                (autograde.py: `autograde`, with selfcheck.py first), where jobs run
                (distributed.py: threads or Dask), and what grading costs (benchmark.py)
    run/        isolation: each submission's cells in a fresh, limited, sandboxed kernel
                (execute.py; sandbox.py: bubblewrap; resources.py: cgroups; runner.py: the
                kernel side)
    judge/      deciding outside the kernel: records vs the reference's (cell.py), the generic
                property checks (properties.py), forbidden shortcuts (forbidden.py), the hidden
                tests' secret seed (seeds.py), hand-ins judged apart (handin.py)
    records/    what a run leaves: the gradebook, the journal, grades.csv/lms.csv, feedback pages,
                written answers for TAs (`manual`)
    authoring/  from instructor notebooks to what students get: student notebooks (release.py:
                `release`), the public course tree and its leak scan (publish.py: `publish`)
    chapters/   each chapter's grading code: hidden-test probes and hand-in code (given to the grading
                kernels), property checks (run by judge/, which imports a chapter only by the
                assignment's name: judge/chapter.py); never shipped to students

Shared by all: config.py (settings, one layered place), course.py (where a course's folders
are), notebook.py (reading notebooks, cell metadata), text.py (text a submission controls, made
safe), transforms/ (one notebook transform per file: fill, merge, leaks, setup_cell), errors.py.
No package imports one that comes later in a submission's path except grade/, which drives
them all; nothing here is imported by the student library (dlcourse).
"""
from .errors import GradingError  # noqa: F401
