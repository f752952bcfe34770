"""autograder/run/resources.py: a cgroup per kernel; what is not enforced is said."""
import dataclasses
import os
import subprocess
import sys
import time

import pytest

from autograder.run import resources
from autograder.config import Config
from autograder.run.execute import Cell, run_cells

REASON = "; ".join(resources.missing(cgroups_only=True))
needs_cgroups = pytest.mark.skipif(bool(REASON), reason=f"this machine cannot enforce: {REASON}")


def test_without_cgroups_every_gap_is_named(monkeypatch):
    monkeypatch.setattr(resources, "detect", lambda: ("none", {}))
    gaps = " ".join(resources.missing("bwrap"))
    for words in ("no memory cgroup", "no pids cgroup", "no cpu cgroup", "cell limits are wall-clock"):
        assert words in gaps
    assert "NOT enforced" in resources.describe()
    group = resources.Group(100, 10)  # a no-op, never an error
    assert group.cpu_seconds() is None and not group.out_of_memory()
    group.close()


@pytest.mark.cgroups
@needs_cgroups
def test_group_ends_processes_that_left_the_session_and_is_removed():
    group = resources.Group(256, 32)
    code = "import os, time\nif os.fork() == 0:\n    os.setsid(); time.sleep(60)\ntime.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], preexec_fn=group.join, start_new_session=True)
    deadline = time.monotonic() + 10
    while len(group.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = group.pids()
    assert len(pids) == 2, pids
    dirs = list(group.dirs.values())
    group.close()
    proc.wait(timeout=10)
    time.sleep(0.2)
    assert not any(os.path.exists(f"/proc/{p}") and "Z" not in open(f"/proc/{p}/stat").read().split()[2]
                   for p in pids)
    assert dirs and not any(d.exists() for d in dirs)


@pytest.mark.cgroups
@needs_cgroups
def test_cell_limits_count_cpu_time_with_a_wall_clock_backstop():
    """A cell's limit is CPU seconds; waiting is ended by the wall-clock backstop. The spinning cell
    runs with a generous backstop (10x) so that it meets its CPU limit first even when other work
    on the machine leaves it a fraction of a core; the waiting cells with a tight one (3x)."""
    spin_cfg = Config(cell_timeout=2, submission_timeout=120, wall_backstop=10)
    (spin,) = run_cells([Cell(0, "while True:\n    pass", 2)], seed=1, cfg=spin_cfg)    # spins: 2 s of CPU
    assert spin.status == "timeout" and "s of CPU time" in spin.evalue and spin.cpu_seconds >= 2, spin
    cfg = Config(cell_timeout=2, submission_timeout=60, wall_backstop=3)
    cells = [Cell(0, "import time\ntime.sleep(3)", 2),            # waits 3 s: no CPU, within the backstop
             Cell(1, "import time\ntime.sleep(30)", 2)]          # waits past the backstop (6 s)
    start = time.monotonic()
    ok, sleep = run_cells(cells, seed=1, cfg=cfg)
    assert ok.status == "ok" and ok.cpu_seconds < 1
    assert sleep.status == "timeout" and "wall-clock" in sleep.evalue and 5.5 < sleep.seconds < 8
    assert time.monotonic() - start < 30
