"""Attacks on every chapter but optimizers (see classroom.py), each graded in a class beside honest
neighbours, and the class graded again without the attackers.

For each chapter: every attacker scores no more than its base (the same submission without the
attack), the neighbours' grades, tests and submitted files are identical to the run without
attackers, the run writes every output (grades.csv, gradebook, a feedback page per student),
and the grading process's peak memory grows by less than PEAK_MIB.
"""
import csv

import pytest

pytestmark = pytest.mark.slow  # a class per chapter, graded twice: minutes each (optimizers' attacks: test_attacks.py)

from autograder.grade.autograde import open_gradebook

import classroom

CHAPTERS = classroom.chapter_attacks()
PEAK_MIB = 400  # the grader's own memory (kernels are other processes); a clean class grows it ~150 MiB


def neighbours(assignment, tmp_path_factory):
    """The honest students of a chapter's class: the reference answers; in the PyTorch chapter also
    the reference answers with a challenge model trained here (part marks for the challenge)."""
    released, source = classroom.notebooks(assignment)
    honest = {"neighbour-reference": lambda folder: classroom.write_answers(folder, released, source, assignment)}
    if assignment == "pytorch":
        from dlcourse.challenge import save_model
        trained = save_model(classroom.train_challenge_model(epochs=6), tmp_path_factory.mktemp("trained") / "model.pt")

        def with_model(folder):
            path = classroom.write_answers(folder, released, source, assignment)
            (path.parent / "challenge_model.pt").write_bytes(trained.read_bytes())
        honest["neighbour-trained"] = with_model
    return honest


@pytest.fixture(scope="module", params=sorted(CHAPTERS))
def graded(request, tmp_path_factory, grading_config):
    assignment = request.param
    return assignment, classroom.attack_class(tmp_path_factory, assignment, CHAPTERS[assignment],
                                              neighbours(assignment, tmp_path_factory), grading_config)


def test_every_attacker_scores_no_more_than_its_base(graded):
    _, run = graded
    results = run["with"]["results"]
    for path in run["attacks"]:
        attack, base = results[f"attack-{path.stem}"], results[f"base-{path.stem}"]
        assert attack["score"] <= base["score"], (path.stem, attack["tests"], base["tests"])


def test_neighbours_are_graded_as_without_the_attackers(graded):
    _, run = graded
    for student in run["neighbours"]:
        got, clean = run["with"]["results"][student], run["without"]["results"][student]
        assert got["score"] == clean["score"] and got["tests"] == clean["tests"], student
        assert classroom.digest(run["with"]["subs"] / student) == run["with"]["digests"][student]
        handins = {t for t in run["handin_tests"]}
        assert all(t["status"] == "passed" for t in got["tests"] if t["id"] not in handins and t["status"] != "manual"), \
            got["tests"]


def test_the_run_writes_every_output(graded):
    assignment, run = graded
    results, out = run["with"]["results"], run["with"]["out"]
    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    assert set(rows) == set(results)
    with open_gradebook(out / "gradebook.db") as gb:
        for student, result in results.items():
            assert float(rows[student]["score"]) == result["score"]
            assert gb.find_submission(assignment, student).score == result["score"]
            assert list((out / "feedback" / student).rglob("*.html")), student


def test_the_graders_memory_stays_bounded(graded):
    _, run = graded
    assert run["with"]["grew_mib"] < PEAK_MIB, run["with"]["grew_mib"]
