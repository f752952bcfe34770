"""The verbs that grade, over run/, judge/ and records/.

- submission.py: `grade`, one submitted notebook: merge it with the instructor notebook, run
  it (run/), judge its records against the reference run's (judge/); returns the result dict.
- autograde.py: `autograde`, a class: intake, selfcheck.py (the reference answers must score
  full marks first), jobs through distributed.py (threads or a Dask cluster), every result
  journaled and stored at once (records/).
- benchmark.py: what grading costs (``python -m autograder.grade.benchmark``).
"""
