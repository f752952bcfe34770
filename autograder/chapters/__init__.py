"""Each chapter's grading code, in one package per assignment (named as its folder in solutions/).

Nothing here is shipped to students; the generic grader (autograder/judge/ and the rest) knows
no chapter and finds a chapter's code by the assignment's name. In ``autograder/chapters/<assignment>/``:

- ``probes.py``: code the hidden tests call INSIDE the grading kernel (``from
  autograder.chapters.<assignment>.probes import probe_...``): it draws hidden inputs with
  ``dlcourse.grading.grading_rng`` and hands the student's raw outputs to
  ``dlcourse.grading.record``. It runs beside untrusted code, so it may import only the standard
  library, numpy, torch/torchvision and dlcourse, never another autograder module (a kernel is
  given this package's ``__init__.py``, each chapter's ``__init__.py`` and ``probes.py`` and
  kernel-side hand-in code, autograder/__init__.py and errors.py, nothing else of autograder:
  autograder.run.execute.kernel_library).
- ``checks.py``: the chapter's property checks, run by the judge in the grader, outside the
  kernel; same contract as autograder/judge/properties.py (``check(ref, got, **args)``), each
  registered in the module's ``PROPERTIES`` dict under the name the hidden tests' records use
  (``record(..., check="name")``). A record's check is looked up in the generic checks first,
  then in its notebook's chapter (autograder.judge.properties.find). Never given to a kernel.
- ``handin.py`` (when the chapter has a hand-in judged apart, autograder/judge/handin.py): the
  code the trusted evaluation cell of that fresh kernel imports; kernel-side, so it follows the
  contract of ``probes.py``.

What the released student notebooks call (visible checks, and helpers a visible check shares with
a probe) stays in dlcourse/: a probe imports it from there. The ``__init__.py`` files of the
chapters stay import-free.
"""
