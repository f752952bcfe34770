"""Partial points per part of a test cell, and the two stages of a split test cell (judge.cell)."""
import numpy as np

from autograder.judge.cell import judge_cell
from autograder.run.execute import Outcome
from dlcourse.grading import encode


def rec(key, value, **extra):
    return {"key": key, "value": encode(value), **extra}


def block_reference():
    return [rec("block/forward", np.arange(4.0), part="forward", hint="conv-BN-ReLU-conv-BN"),
            rec("block/init", 10.0, check="exact", part="init", hint="no conv biases"),
            rec("block/state", np.ones(3), part="state", weight=2.0, hint="update the running statistics")]


def test_each_part_earns_its_share():
    ref = block_reference()
    right = [rec("block/forward", np.arange(4.0)), rec("block/init", 10.0), rec("block/state", np.ones(3))]
    assert judge_cell(ref, right, Outcome("ok")) == ("passed", "", 1.0)
    wrong_init = [right[0], rec("block/init", 11.0), right[2]]
    status, message, fraction = judge_cell(ref, wrong_init, Outcome("ok"))
    assert (status, fraction) == ("partial", 0.75)  # forward 1 + state 2 of 4
    assert message.startswith("[init: 25% of the points, lost]") and "no conv biases" in message
    assert "conv-BN-ReLU" not in message  # the parts that passed say nothing
    status, message, fraction = judge_cell(ref, [rec("block/forward", np.zeros(4)), rec("block/init", 11.0), right[2]],
                                           Outcome("ok"))
    assert (status, fraction) == ("partial", 0.5) and "forward" in message and "init" in message
    status, _, fraction = judge_cell(ref, [rec("block/forward", np.zeros(4))], Outcome("ok"))
    assert (status, fraction) == ("failed", 0.0)


def test_without_parts_a_cell_is_all_or_nothing_as_before():
    ref = [rec("a", 1.0), rec("b", 2.0)]
    assert judge_cell(ref, [rec("a", 1.0), rec("b", 2.0)], Outcome("ok"))[0] == "passed"
    status, message, fraction = judge_cell(ref, [rec("a", 1.0), rec("b", 3.0)], Outcome("ok"))
    assert (status, fraction) == ("failed", 0.0) and message.startswith("b: wrong result") and "[" not in message


def test_a_student_record_cannot_choose_its_part_or_weight():
    ref = block_reference()
    mine = [rec("block/forward", np.arange(4.0)), rec("block/init", 11.0, part="forward", weight=100.0),
            rec("block/state", np.ones(3))]
    assert judge_cell(ref, mine, Outcome("ok"))[2] == 0.75


def test_a_failing_visible_part_still_shows_the_hidden_hints():
    visible = Outcome("error", "AssertionError", "stride 2 halves the resolution")
    hidden = Outcome("ok")
    joined = Outcome("error", "AssertionError", "stride 2 halves the resolution", stages={"visible": visible, "hidden": hidden})
    ref = [rec("block/output", np.arange(4.0), stage="hidden", hint="add the shortcut, then ReLU")]
    status, message, fraction = judge_cell(ref, [rec("block/output", np.zeros(4))], joined)
    assert (status, fraction) == ("error", 0.0)
    assert "the visible checks did not pass: AssertionError: stride 2 halves the resolution" in message
    assert "block: wrong result" in message and "add the shortcut, then ReLU" in message
    # the visible failure costs nothing itself (the kernel could have silenced it): the hidden parts
    # earn their points, and the message still says what the visible checks found
    ref = [dict(r, stage="hidden") for r in block_reference()]
    right = [rec("block/forward", np.arange(4.0)), rec("block/init", 10.0), rec("block/state", np.ones(3))]
    status, message, fraction = judge_cell(ref, right, joined)
    assert (status, fraction) == ("passed", 1.0) and "the visible checks did not pass" in message
    wrong_init = [rec("block/forward", np.arange(4.0)), rec("block/init", 11.0), rec("block/state", np.ones(3))]
    status, message, fraction = judge_cell(ref, wrong_init, joined)
    assert status == "partial" and message.startswith("the visible checks did not pass") and "[init:" in message


def test_a_hidden_part_that_raises_is_named_and_the_visible_records_count():
    visible, hidden = Outcome("ok"), Outcome("error", "IndexError", "index 3 is out of bounds")
    joined = Outcome("error", "IndexError", "index 3 is out of bounds", stages={"visible": visible, "hidden": hidden})
    ref = [rec("seen", 1.0, stage="visible", part="visible"), rec("unseen", 2.0, stage="hidden", part="hidden")]
    status, message, fraction = judge_cell(ref, [rec("seen", 1.0)], joined)
    assert (status, fraction) == ("partial", 0.5)
    assert "the hidden tests did not run to the end: IndexError: index 3 is out of bounds" in message
