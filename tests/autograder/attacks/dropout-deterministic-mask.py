# chapter: dropout
# A Dropout module with no randomness at all: it keeps element i of the flattened input exactly
# when floor((i + 1) * keep) > floor(i * keep), a fixed stripe pattern whose kept fraction is the
# keep probability to within one element, and scales the kept ones correctly. Values, kept count
# and gradient are all right, so a check of each output's statistics alone passes it.
# The answer cell also silences the visible checks' assertions (dlcourse.dropout_checks._fail,
# which would now catch it in the kernel), so only the hidden records judge it.
# Before: 8/8 (the module test 3/3); its base (the module left as released) 5/8.
import classroom

SILENCE = """
import dlcourse.dropout_checks as _checks
_checks._fail = lambda message: None  # the visible checks' assertions silenced: only the judge remains
"""
# the answer is the variant's (graded there with the visible checks in place, which catch it now)
ANSWER = SILENCE + (classroom.HERE / "variants" / "dropout" / "wrong-module-fixed-stripe-pattern.py").read_text()


def submit(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout", replace={"dropout_module": ANSWER})


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "dropout",
                            replace=classroom.released_answers(released, ["dropout_module"]))
