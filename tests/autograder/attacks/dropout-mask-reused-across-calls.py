# chapter: dropout
# A Dropout module that draws its mask once, on its first call, and reuses it on every later call
# of the same shape (a common bug: the mask kept as state instead of drawn per forward pass).
# Every single output is a correct-looking mask (right values, right kept fraction), so a check
# of each output's statistics alone passes it. Before: 8/8 (the module test 3/3); its base (the
# module left as released) 5/8. The answer cell also silences the visible checks' assertions
# (dlcourse.dropout_checks._fail, which would now catch it in the kernel), so only the hidden
# records judge it.
import classroom

SILENCE = """
import dlcourse.dropout_checks as _checks
_checks._fail = lambda message: None  # the visible checks' assertions silenced: only the judge remains
"""
# the answer is the variant's (graded there with the visible checks in place, which catch it now)
ANSWER = SILENCE + (classroom.HERE / "variants" / "dropout" / "wrong-module-mask-reused-across-calls.py").read_text()


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout", replace={"dropout_module": ANSWER})


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout",
                            replace=classroom.released_answers(released, ["dropout_module"]))
