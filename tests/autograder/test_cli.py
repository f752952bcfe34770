"""python -m autograder grade: JSON output, exit codes, and one-line errors for bad input."""
import json
import subprocess
import sys

import pytest

from autograder.notebook import write
from autograder.transforms.fill import fill
from classroom import FULL


def run(*args, cache):
    proc = subprocess.run([sys.executable, "-m", "autograder", "--set", f"cache_dir={cache}", *args],
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cli-cache")


def test_grade_json_of_the_reference(tmp_path, released_nb, source_nb, cache):
    path = tmp_path / "Copy of optimizers (1).ipynb"  # what a Colab download may be called
    write(fill(released_nb, source_nb), path)
    code, out, err = run("grade", str(path), "--json", cache=cache)
    assert code == 0, err
    result = json.loads(out)
    assert set(result) >= {"assignment", "notebook", "score", "max_score", "tests", "problems"}
    assert (result["assignment"], result["notebook"]) == ("optimizers", "optimizers")
    assert result["score"] == result["max_score"] == FULL
    for test in result["tests"]:
        assert set(test) == {"id", "points", "max_points", "status", "message"}
        assert test["status"] in ("passed", "manual")
    assert [t["max_points"] for t in result["tests"] if t["status"] == "manual"] == [2, 4]


def test_grade_exits_zero_for_a_zero_score(tmp_path, released_nb, cache):
    write(released_nb, tmp_path / "optimizers.ipynb")
    code, out, err = run("grade", str(tmp_path / "optimizers.ipynb"), cache=cache)
    assert code == 0 and f"score: 0 / {FULL:g}" in out


@pytest.mark.parametrize("content, args, words", [
    ("{not json", [], "malformed JSON at line 1"),
    ('{"hello": 1}', [], "not a Jupyter notebook"),
    (None, [], "no such file"),
    ("VALID", ["--assignment", "transformers"], "unknown assignment 'transformers'; this course has: "),
    ("VALID", ["--set", "speed=11"], "unknown setting 'speed'; known settings:"),
])
def test_bad_input_is_one_clear_line(tmp_path, released_nb, cache, content, args, words):
    path = tmp_path / "optimizers.ipynb"
    if content == "VALID":
        write(released_nb, path)
    elif content is not None:
        path.write_text(content)
    code, out, err = run(*args, "grade", str(path), cache=cache) if "--set" in args else \
        run("grade", str(path), *args, cache=cache)
    assert code == 2
    assert err.strip().startswith("error: ") and words in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unknown_notebook_name_without_assignment(tmp_path, released_nb, cache):
    write(released_nb, tmp_path / "homework.ipynb")
    code, _, err = run("grade", str(tmp_path / "homework.ipynb"), cache=cache)
    assert code == 2 and "no assignment has a notebook named 'homework'" in err
