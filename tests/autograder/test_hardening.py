"""Issue 6: one submission can only lose its own points.

A class graded with two workers: honest neighbours (the reference answers, full marks; the base, all but Adam's points)
beside submissions that attack the grader itself (malformed notebooks, records, folders, pipes,
floods; see attacks/). The batch finishes, grades.csv and the gradebook are written, every attacker
gets an error verdict or no more than the base, and the neighbours' grades are those of a run
without the attackers.
"""
import csv
import dataclasses
import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grade.autograde import autograde, open_gradebook
from autograder.errors import GradingError
from autograder.run.execute import remove_tree
from autograder.notebook import grade_id, reads, write
from autograder.transforms.fill import fill
from classroom import BASE, FULL

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
WRONG_ADAM = (HERE / "variants" / "optimizers" / "wrong-adam-no-bias-correction.py").read_text()
CODE_ATTACKS = ["malformed-records", "record-flood", "record-flood-tiny-objects", "stop-reading-command-pipe",
                "deep-folder-tree"]


def with_cell(released_nb, source_nb, code):
    from nbformat.v4 import new_code_cell
    nb = fill(released_nb, source_nb, {"adam": WRONG_ADAM})
    at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "adam")
    nb.cells.insert(at + 1, new_code_cell(code))
    return nb


def notebook_attacks(released_nb, source_nb):
    """{name: notebook JSON text} of malformed notebooks."""
    import nbformat
    base = json.loads(nbformat.writes(fill(released_nb, source_nb, {"adam": WRONG_ADAM})))
    out = {}
    deep = json.loads(json.dumps(base))
    deep["cells"][0]["metadata"]["x"] = "DEEP"
    out["deep-json-in-a-cell"] = json.dumps(deep).replace('"DEEP"', "[" * 5000 + "]" * 5000)
    out["deep-json-whole-file"] = '{"cells": ' + "[" * 100000 + "]" * 100000 + "}"
    listmeta = json.loads(json.dumps(base))
    listmeta["cells"][1]["metadata"] = ["not", "an", "object"]
    out["cell-metadata-not-object"] = json.dumps(listmeta)
    odd = json.loads(json.dumps(base))
    odd["cells"].insert(3, {"cell_type": "code", "source": "x = 1", "outputs": [], "execution_count": None,
                            "metadata": {"dlcourse": ["grading", "skip"], "nbgrader": "grade"}})
    odd["cells"][2]["metadata"]["dlcourse"] = 7
    out["course-metadata-not-object"] = json.dumps(odd)
    return out


@pytest.fixture(scope="module")
def clean_and_attacked(tmp_path_factory, released_nb, source_nb, grading_config):
    cfg = dataclasses.replace(grading_config, workers=2, cell_timeout=20, submission_timeout=200)
    import tempfile
    runs = {"before": set(Path(tempfile.gettempdir()).glob("dlcourse-grade-*"))}
    for kind in ("clean", "attacked"):
        subs = tmp_path_factory.mktemp(f"hardening-{kind}")
        write(fill(released_nb, source_nb), subs / "neighbour-reference" / "optimizers" / "optimizers.ipynb")
        write(fill(released_nb, source_nb, {"adam": WRONG_ADAM}), subs / "neighbour-base" / "optimizers" / "optimizers.ipynb")
        if kind == "attacked":
            for name in CODE_ATTACKS:
                code = (HERE / "attacks" / f"{name}.py").read_text()
                write(with_cell(released_nb, source_nb, code), subs / f"attack-{name}" / "optimizers" / "optimizers.ipynb")
            for name, text in notebook_attacks(released_nb, source_nb).items():
                path = subs / f"attack-{name}" / "optimizers" / "optimizers.ipynb"
                path.parent.mkdir(parents=True)
                path.write_text(text)
        out = tmp_path_factory.mktemp(f"hardening-{kind}-out")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results = dict(autograde(subs, out, cfg=cfg, log=lambda m: None))
        runs[kind] = {"results": results, "out": out, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "maxrss_before_kib": before}
    return runs


def test_the_batch_finishes_and_writes_every_output(clean_and_attacked):
    run = clean_and_attacked["attacked"]
    assert len(run["results"]) == 2 + len(CODE_ATTACKS) + 4
    rows = {r["student"]: r for r in csv.DictReader(open(run["out"] / "grades.csv"))}
    assert set(rows) == set(run["results"])
    with open_gradebook(run["out"] / "gradebook.db") as gb:
        for student, result in run["results"].items():
            assert float(rows[student]["score"]) == result["score"]
            assert gb.find_submission("optimizers", student).score == result["score"]


def test_neighbours_graded_exactly_as_without_attackers(clean_and_attacked):
    clean, attacked = clean_and_attacked["clean"]["results"], clean_and_attacked["attacked"]["results"]
    assert clean["neighbour-reference"]["score"] == FULL and clean["neighbour-base"]["score"] == BASE
    for student in ("neighbour-reference", "neighbour-base"):
        assert attacked[student]["tests"] == clean[student]["tests"]
        assert attacked[student]["score"] == clean[student]["score"]


@pytest.mark.parametrize("name", CODE_ATTACKS + ["deep-json-in-a-cell", "deep-json-whole-file",
                                                 "cell-metadata-not-object", "course-metadata-not-object"])
def test_attacker_loses_only_its_own_points(clean_and_attacked, name):
    result = clean_and_attacked["attacked"]["results"][f"attack-{name}"]
    assert result["score"] <= BASE, result["tests"]
    adam = next(t for t in result["tests"] if t["id"] == "test_adam")
    assert adam["points"] == 0


@pytest.mark.parametrize("name", ["deep-json-in-a-cell", "deep-json-whole-file", "cell-metadata-not-object"])
def test_malformed_notebook_gets_a_clear_reason(clean_and_attacked, name):
    result = clean_and_attacked["attacked"]["results"][f"attack-{name}"]
    assert result["score"] == 0
    assert any("not a" in p and "notebook" in p for p in result["problems"]), result["problems"]


def test_record_flood_is_capped(clean_and_attacked):
    for name in ("attack-record-flood", "attack-record-flood-tiny-objects"):
        assert clean_and_attacked["attacked"]["results"][name]["score"] <= BASE
    run = clean_and_attacked["attacked"]
    # the floods write ~280 MB of records, and 30 MiB of tiny dicts (before: +1.4 GiB to parse); the
    # grader keeps at most 32 MiB of them per cell, counted as what they cost it once parsed
    grew_mib = (run["maxrss_kib"] - run["maxrss_before_kib"]) / 1024
    assert grew_mib < 200, grew_mib


def test_no_grading_folder_left_behind(clean_and_attacked, tmp_path):
    import tempfile
    left = [p for p in set(Path(tempfile.gettempdir()).glob("dlcourse-grade-*")) - clean_and_attacked["before"]
            if (p / "work" / "d").exists() or (p / "work" / "locked").exists()]
    assert not left, left


def test_remove_tree_handles_deep_and_locked_folders(tmp_path):
    top = tmp_path / "t"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    for _ in range(3000):
        os.mkdir("d", dir_fd=fd)
        new = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = new
    os.close(fd)
    (top / "locked").mkdir()
    (top / "locked" / "f").write_text("x")
    os.chmod(top / "locked", 0)
    os.symlink("/", top / "link-to-root")
    assert remove_tree(top) is True
    assert not top.exists() and Path("/").exists()


def test_reads_rejects_deep_and_odd_notebooks_with_one_line():
    for text in ['{"cells": ' + "[" * 100000 + "]" * 100000 + "}",
                 '{"cells": [{"cell_type": "code", "source": "", "metadata": []}]}',
                 '{"cells": [3]}', '{"cells": [], "metadata": 1}']:
        with pytest.raises(GradingError) as info:
            reads(text)
        assert "\n" not in str(info.value)


def test_grade_prints_one_line_for_a_deep_notebook(tmp_path):
    path = tmp_path / "optimizers.ipynb"
    path.write_text('{"cells": ' + "[" * 100000 + "]" * 100000 + "}")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.strip().startswith("error:"), proc.stderr


def test_intake_refuses_links_and_maps_downloaded_names(tmp_path, released_nb, source_nb, grading_config):
    """A link to the instructor notebook is refused (0, with the reason); `Copy of X (1).ipynb` is
    notebook X in grades.csv and the gradebook alike; a second copy and a stray notebook are reported."""
    subs = tmp_path / "subs"
    honest = subs / "honest" / "optimizers" / "Copy of optimizers (1).ipynb"
    write(fill(released_nb, source_nb), honest)
    # a second result for the same student (an unknown assignment): the run used to crash at its end
    write(released_nb, subs / "honest" / "no-such-assignment" / "optimizers.ipynb")
    link = subs / "linker" / "optimizers" / "optimizers.ipynb"
    link.parent.mkdir(parents=True)
    link.symlink_to(ROOT / "solutions" / "optimizers" / "optimizers.ipynb")
    (subs / "linked-folder").symlink_to(subs / "honest")
    two = subs / "two" / "optimizers"
    write(fill(released_nb, source_nb, {"adam": WRONG_ADAM}), two / "optimizers.ipynb")
    write(fill(released_nb, source_nb), two / "optimizers (2).ipynb")
    write(released_nb, two / "scratch-notes.ipynb")
    os.mkfifo(subs / "two" / "optimizers" / "pipe.ipynb")
    out = tmp_path / "out"
    logs = []
    results = dict(autograde(subs, out, cfg=dataclasses.replace(grading_config, workers=2), log=logs.append))
    assert "linked-folder" not in results
    assert results["honest"]["score"] == FULL and results["honest"]["notebook"] == "optimizers"
    assert results["linker"]["score"] == 0
    assert any("symbolic link" in p for p in results["linker"]["problems"])
    assert results["two"]["score"] == BASE  # the exact name wins over the copy
    text = (out / "intake.txt").read_text()
    assert "linked-folder: refused: a symbolic link" in text
    assert "optimizers (2).ipynb: another copy of optimizers" in text
    assert "pipe.ipynb: refused: a named pipe" in text
    rows = {(r["student"], r["notebook"]): r for r in csv.DictReader(open(out / "grades.csv"))}
    assert float(rows[("honest", "optimizers")]["score"]) == FULL
    with open_gradebook(out / "gradebook.db") as gb:
        assert gb.find_submission("optimizers", "honest").score == FULL
        assert gb.find_submission("optimizers", "linker").score == 0


# --- resources: neighbours isolated by cgroups (autograder/run/resources.py) ---------------------------

RESOURCE_ATTACKS = ["cpu-hog-new-sessions", "memory-over-children", "fork-many-processes", "fill-private-tmp"]


def _cgroups_reason():
    from autograder.run import resources, sandbox
    gaps = resources.missing(cgroups_only=True)
    if gaps:
        return "this machine cannot enforce: " + "; ".join(gaps)
    if not sandbox.bwrap_path():
        return "no bubblewrap (the private /tmp and the pid namespace are part of the isolation)"
    return None


def _dlcourse_groups():
    """This test process's own grading cgroups (its workers are threads): another grader running on
    the machine at the same time has groups of its own, named after its pid, which are not ours."""
    return sorted(str(p) for p in Path("/sys/fs/cgroup").glob(f"*/**/dlcourse-grade-{os.getpid()}-*") if p.is_dir())


@pytest.fixture(scope="module")
def resource_class(tmp_path_factory, released_nb, source_nb, grading_config):
    """Honest neighbours graded with two workers beside the resource attacks, and alone."""
    reason = _cgroups_reason()
    if reason:
        pytest.skip(reason)
    cfg = dataclasses.replace(grading_config, workers=2, cell_timeout=20, submission_timeout=200,
                              memory_limit_mb=1536, max_processes=128, tmp_mb=256)
    runs = {"groups_before": _dlcourse_groups()}
    for kind in ("clean", "attacked"):
        subs = tmp_path_factory.mktemp(f"resources-{kind}")
        if kind == "attacked":
            for name in RESOURCE_ATTACKS:
                code = (HERE / "attacks" / f"{name}.py").read_text()
                nb = (fill(released_nb, source_nb, {"adam": code}) if code.startswith("# answer: adam")
                      else with_cell(released_nb, source_nb, code))
                write(nb, subs / f"attack-{name}" / "optimizers" / "optimizers.ipynb")
        write(fill(released_nb, source_nb), subs / "neighbour-reference" / "optimizers" / "optimizers.ipynb")
        write(fill(released_nb, source_nb, {"adam": WRONG_ADAM}), subs / "neighbour-base" / "optimizers" / "optimizers.ipynb")
        out = tmp_path_factory.mktemp(f"resources-{kind}-out")
        logs = []
        runs[kind] = {"results": dict(autograde(subs, out, cfg=cfg, log=logs.append)), "logs": logs}
    runs["groups_after"] = _dlcourse_groups()
    return runs


def _adam_message(result):
    return next(t for t in result["tests"] if t["id"] == "test_adam")["message"]


@pytest.mark.cgroups
def test_resource_attacks_leave_neighbours_alone(resource_class):
    clean, attacked = resource_class["clean"]["results"], resource_class["attacked"]["results"]
    assert clean["neighbour-reference"]["score"] == FULL and clean["neighbour-base"]["score"] == BASE
    for student in ("neighbour-reference", "neighbour-base"):
        assert attacked[student]["tests"] == clean[student]["tests"]
    for name in RESOURCE_ATTACKS:
        assert attacked[f"attack-{name}"]["score"] <= BASE, attacked[f"attack-{name}"]["tests"]
    assert any("resource isolation: cgroup" in m and "all limits enforced" in m for m in resource_class["attacked"]["logs"])


@pytest.mark.cgroups
def test_memory_is_limited_over_all_processes(resource_class):
    message = _adam_message(resource_class["attacked"]["results"]["attack-memory-over-children"])
    # 4 children of 700 MB, each under the per-process limit of 1536 MiB: at most 2 fit in the group
    held = re.search(r"held (\d+) x 700 MB", message)
    assert (held and int(held.group(1)) <= 2) or "memory limit" in message, message


@pytest.mark.cgroups
def test_process_count_is_limited(resource_class):
    message = _adam_message(resource_class["attacked"]["results"]["attack-fork-many-processes"])
    started = int(re.search(r"started (\d+) processes", message).group(1))
    assert started < 128, message


@pytest.mark.cgroups
def test_private_tmp_has_a_size(resource_class):
    message = _adam_message(resource_class["attacked"]["results"]["attack-fill-private-tmp"])
    assert int(re.search(r"wrote (\d+) MiB", message).group(1)) <= 256, message


@pytest.mark.cgroups
def test_every_cgroup_is_removed(resource_class):
    # a group with a process left in it cannot be removed: none left means no process left either
    assert resource_class["groups_after"] == resource_class["groups_before"]


@pytest.mark.cgroups
def test_cpu_hog_cannot_push_a_neighbour_past_its_limits(tmp_path, released_nb, source_nb, grading_config):
    """Tight cell limits (2 s; the reference's slowest cell uses about 0.5 s of CPU): a hog of
    hundreds of processes in new sessions, graded beside the reference with two workers. Measured
    before cgroups (wall-clock limits): the reference got 0/7 (its imports timed out)."""
    reason = _cgroups_reason()
    if reason:
        pytest.skip(reason)
    from nbformat.v4 import new_code_cell
    subs = tmp_path / "subs"
    nb = fill(released_nb, source_nb, {"adam": WRONG_ADAM})
    at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "imports")
    nb.cells.insert(at + 1, new_code_cell((HERE / "attacks" / "cpu-hog-new-sessions.py").read_text()))
    write(nb, subs / "attacker" / "optimizers" / "optimizers.ipynb")  # graded at the same time as:
    write(fill(released_nb, source_nb), subs / "neighbour-reference" / "optimizers" / "optimizers.ipynb")
    write(fill(released_nb, source_nb, {"adam": WRONG_ADAM}), subs / "z-base" / "optimizers" / "optimizers.ipynb")
    cfg = dataclasses.replace(grading_config, workers=2, cell_timeout=2, submission_timeout=100)
    results = dict(autograde(subs, tmp_path / "out", cfg=cfg, log=lambda m: None))
    assert results["neighbour-reference"]["score"] == FULL, results["neighbour-reference"]["tests"]
    assert results["z-base"]["score"] == BASE and results["attacker"]["score"] <= BASE
