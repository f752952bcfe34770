"""Issue 17: one submission cannot end, stall or starve the run through what the grader parses.

- records: what the grader holds is bounded by the caps whatever a kernel sends (record_cost is
  charged before a line is parsed), and an array is decoded size-checked, in place;
- notebooks: a size limit (notebook_mb) checked on the lstat size before anything reads the file,
  with its reason; no more JSON containers than a notebook has;
- markdown: rendering time grows linearly past MARKDOWN_LIMIT and has no quadratic rule below it;
- intake: every skipped folder or file is listed with its reason (hidden ones too).
Measurements (before/after numbers): measure_bounded.py.
"""
import json
import time

import numpy as np
import pytest

from autograder.intake import folders as intake
from autograder.errors import GradingError
from autograder.run.execute import MAX_LINE, Kernel, Outcome, record_cost
from autograder.judge.cell import decode, judge_cell
from autograder.notebook import MAX_CONTAINERS, read, reads
from autograder.text import MARKDOWN_LIMIT, markdown
from dlcourse.grading import encode

from classroom import PeakRSS

CELL_CAP, SUBMISSION_CAP = 32 << 20, 128 << 20
# the grader's peak memory growth while it takes a submission's records, whatever they are:
# what the caps keep (counted as parsed) plus one line waiting for its newline and its parse
RECORD_BOUND_MIB = (SUBMISSION_CAP + 3 * MAX_LINE) / 2**20 + 16


def kernel():
    k = Kernel.__new__(Kernel)  # the parsing side only: no process
    k.cell_cap, k.cell_count, k.budget, k.pending = CELL_CAP, 1000, [SUBMISSION_CAP], b""
    return k


def feed(k, line, times, cells):
    outcomes = []
    for cell in range(cells):
        outcome = Outcome("crashed")
        for _ in range(times):
            k._lines(line, cell, outcome)
        k._lines(b'{"op": "done", "index": %d, "ok": true}\n' % cell, cell, outcome)
        outcomes.append(outcome)
    return outcomes


def tiny_dicts():
    entry = {f"k{i}": {"error": ""} for i in range(20000)}
    return (json.dumps({"key": "adam/case1/step1", "value": {"dict": entry}}) + "\n").encode()


def test_records_inside_the_byte_caps_cannot_grow_the_grader():
    line = tiny_dicts()  # 0.5 MB a line: 60 lines a cell stay under 32 MiB of bytes
    with PeakRSS() as flood:
        outcomes = feed(kernel(), line, 60, 4)  # 127 MiB (before: the grader grew 1.4 GiB)
    assert all(o.overflow and o.status == "error" and o.ename == "RecordLimit" for o in outcomes)
    per_cell = CELL_CAP // record_cost(line)
    with PeakRSS() as kept:  # the most the caps keep of such records: every cell full
        outcomes = feed(kernel(), line, per_cell, 8)
        judge_cell([{"key": "adam/case1/step1", "value": encode({"k0": 1.0})}], outcomes[0].records, outcomes[0])
    assert sum(len(o.records) for o in outcomes) >= SUBMISSION_CAP // record_cost(line) > 0
    assert flood.grew_mib < RECORD_BOUND_MIB and kept.grew_mib < RECORD_BOUND_MIB, (flood.grew_mib, kept.grew_mib)


def test_record_cost_bounds_what_parsing_takes():
    import tracemalloc
    for text in ["[" + ",".join(["{}"] * 50000) + "]", '{"a": [' + ",".join(['"\\ud83d\\ude00' + "a" * 50 + '"'] * 2000) + "]}",
                 json.dumps({f"k{i}": {"error": ""} for i in range(50000)}), json.dumps(encode(np.ones(50000)))]:
        raw = text.encode()
        tracemalloc.start()
        value = json.loads(raw)
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del value
        # what is kept is charged to the caps; parsing also holds the line once more as text meanwhile
        assert kept <= record_cost(raw) and peak <= record_cost(raw) + 4 * len(raw), (text[:40], kept, peak)


def test_honest_records_are_kept_and_judged():
    k = kernel()
    line = (json.dumps({"key": "adam/case1/step1", "value": encode(np.arange(6.0).reshape(2, 3)), "label": "x"}) + "\n").encode()
    [outcome] = feed(k, line, 1, 1)
    assert outcome.status == "ok" and len(outcome.records) == 1 and outcome.record_bytes == record_cost(line.strip())
    ref = [{"key": "adam/case1/step1", "value": encode(np.arange(6.0).reshape(2, 3))}]
    assert judge_cell(ref, outcome.records, outcome)[0] == "passed"


def test_decode_checks_the_size_before_decoding():
    for arr in (np.arange(7.0), np.zeros((0, 3)), np.random.default_rng(0).random((3, 4, 5))):
        got = decode(encode(arr))
        assert got.shape == arr.shape and np.array_equal(got, arr) and got.flags.writeable
    # a shape far larger than the data, or data one array element short or long: malformed, nothing allocated
    for value in ({"shape": [10 ** 12], "f64": "AAAA"}, {"shape": [2], "f64": "AAAAAAAAAAA="},
                  {"shape": [1], "f64": "AAAAAAAAAAAAAAAAAAAAAA=="}, {"shape": [1], "f64": "AAAAAAAAAA!="}):
        assert decode(value) == "malformed record"


def test_a_notebook_over_the_limit_is_refused_unread_with_its_reason(tmp_path):
    folder = tmp_path / "subs" / "alice" / "optimizers"
    folder.mkdir(parents=True)
    big = folder / "optimizers.ipynb"
    big.write_bytes(b" " * (3 << 20))
    with pytest.raises(GradingError, match="3.0 MiB, over the grader's limit of 2 MiB \\(setting notebook_mb\\)"):
        read(big, 2)
    jobs, refused, notes = intake.discover(tmp_path / "subs", limit_mb=2)
    assert jobs == [("alice", "optimizers", big)] and "notebook_mb" in refused[big]
    assert any(n.startswith("alice/optimizers/optimizers.ipynb: refused: the notebook is 3.0 MiB") for n in notes)
    assert not intake.discover(tmp_path / "subs", limit_mb=4)[1]


def test_notebook_parsing_memory_is_proportional():
    text = '{"cells": [], "metadata": {"x": [' + ",".join(["{}"] * (MAX_CONTAINERS + 1)) + "]}}"
    with PeakRSS() as memory:
        with pytest.raises(GradingError, match="JSON objects and lists"):
            reads(text)
    assert memory.grew_mib < 20, memory.grew_mib  # refused before parsing (parsed: ~70 MiB)


def test_every_skipped_entry_is_listed(tmp_path):
    subs = tmp_path / "subs"
    for folder in ("alice/optimizers", ".bob/optimizers", "carol/optimizers/.ipynb_checkpoints", "dan/pytorch"):
        (subs / folder).mkdir(parents=True)
    for path in ("alice/optimizers/optimizers.ipynb", ".bob/optimizers/optimizers.ipynb", "dan/pytorch/pytorch.ipynb",
                 "dan/pytorch/challenge_model.pt", "dan/pytorch/notes.txt", "carol/optimizers/.optimizers.ipynb",
                 "README.txt", "alice/stray.ipynb"):
        (subs / path).write_text("{}")
    jobs, refused, notes = intake.discover(subs)
    assert [j[0] for j in jobs] == ["alice", "dan"] and not refused
    reasons = {n.split(": ", 1)[0]: n.split(": ", 1)[1] for n in notes}
    assert set(reasons) == {".bob", "carol/optimizers/.ipynb_checkpoints", "carol/optimizers/.optimizers.ipynb",
                            "dan/pytorch/notes.txt", "README.txt", "alice/stray.ipynb"}, notes  # the hand-in is not skipped
    assert reasons[".bob"].startswith("skipped: a hidden entry") and "rename it" in reasons[".bob"]


def _seconds(text):
    """CPU seconds of this process (best of 5): other work on the machine slows the wall clock of
    a render, not its CPU time, so the growth ratios below hold on a loaded machine too."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        markdown(text)
        best = min(best, time.process_time() - start)
    return best


MATH = ("$a\\$", "$$a\\$", "\\(a", "\\[a", "\\\\$")  # math openings whose closing is missing or escaped


@pytest.mark.parametrize("unit", ["[a]: b\n", "*a_", "[a](", "_a ", "![[", "&", *MATH], ids=repr)
def test_markdown_rendering_is_linear(unit):
    """Time over 8x the text grows less than 16x (quadratic: 64x); below the limit too, over 4x less
    than 10x (quadratic: 16x) for the rules that are not quadratic there (reference definitions were)."""
    def text(n):
        return unit * (n // len(unit))
    assert _seconds(text(8 * MARKDOWN_LIMIT)) < 16 * _seconds(text(MARKDOWN_LIMIT)) + 0.01
    if unit in ("[a]: b\n", "[a](", "&", *MATH):
        assert _seconds(text(MARKDOWN_LIMIT)) < 10 * _seconds(text(MARKDOWN_LIMIT // 4)) + 0.01


def test_long_markdown_is_shown_whole_as_escaped_text():
    text = "<script>x</script> *a_" * 1000
    page = markdown(text)
    assert "Shown as plain text" in page and "&lt;script&gt;" in page and "<script>" not in page
    assert page.count("*a_") == 1000
    assert markdown("*short*").strip() == "<p><em>short</em></p>"
    assert "<script>" not in markdown("<script>x</script>")
