# chapter: dropout
# A Dropout module with no randomness at all: it keeps element i of the flattened input exactly
# when floor((i + 1) * keep) > floor(i * keep), a fixed stripe pattern whose kept fraction is the
# keep probability to within one element, and scales the kept ones correctly. Values, kept count
# and gradient are all right, so a check of each output's statistics alone passes it.
# The answer cell also silences the visible checks' assertions (dlcourse.dropout_checks._fail,
# which would now catch it in the kernel), so only the hidden records judge it.
# Before: 8/8 (the module test 3/3), then, with partial points and a failing visible stage costing
# a part, 7.25/8 against 6.5/8 for the same answer with its visible checks in place: silencing them
# earned that part. Its base is that same answer, visible checks in place: the attack is the
# silencing, which must earn nothing (the answer's correct gradient, eval mode and dtype earn their
# parts either way).
import classroom

SILENCE = """
import dlcourse.dropout_checks as _checks
_checks._fail = lambda message: None  # the visible checks' assertions silenced: only the judge remains
"""
# the answer is the variant's (graded there with the visible checks in place, which catch it now)
VARIANT = (classroom.HERE / "variants" / "dropout" / "wrong-module-fixed-stripe-pattern.py").read_text()
ANSWER = SILENCE + VARIANT


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout", replace={"dropout_module": ANSWER})


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout", replace={"dropout_module": VARIANT})
