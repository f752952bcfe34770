# chapter: dropout
# A Dropout module that draws its mask once, on its first call, and reuses it on every later call
# of the same shape (a common bug: the mask kept as state instead of drawn per forward pass).
# Every single output is a correct-looking mask (right values, right kept fraction), so a check
# of each output's statistics alone passes it. Before: 8/8 (the module test 3/3). The answer cell
# also silences the visible checks' assertions (dlcourse.dropout_checks._fail, which would now catch
# it in the kernel), so only the hidden records judge it. Its base is the same answer with its
# visible checks in place: the silencing must earn nothing (with partial points the answer's right
# gradient, eval mode and dtype earn their parts either way).
import classroom

SILENCE = """
import dlcourse.dropout_checks as _checks
_checks._fail = lambda message: None  # the visible checks' assertions silenced: only the judge remains
"""
# the answer is the variant's (graded there with the visible checks in place, which catch it now)
VARIANT = (classroom.HERE / "variants" / "dropout" / "wrong-module-mask-reused-across-calls.py").read_text()
ANSWER = SILENCE + VARIANT


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout", replace={"dropout_module": ANSWER})


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout", replace={"dropout_module": VARIANT})
