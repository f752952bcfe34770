"""The repository's promises: the README's commands, CI, requirements, and the book build."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(python3 -m venv .venv[^\n]*)\n```", text)


def test_readme_gives_exactly_two_commands_and_ci_runs_the_test_one():
    build, test = readme_commands()
    assert "jupyter-book build" in build and "-W" in build
    assert test.endswith("-m pytest")
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci


def test_requirements_are_ranges_not_pins():
    reqs = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [r for r in reqs if r]
    assert not [r for r in reqs if "==" in r]
    assert any(r.startswith("jupyter-book>=1.0.4,<2") for r in reqs)
    assert any(r.startswith("nbgrader>=0.9.6,<0.10") for r in reqs)
    assert "-e ." in reqs


def test_navigation_table_points_at_real_files():
    text = (ROOT / "README.md").read_text()
    for path in re.findall(r"`((?:book|exercises|solutions|dlcourse)/[\w/.-]+)`", text):
        assert (ROOT / path).exists(), path


def test_book_builds_with_warnings_as_errors(tmp_path):
    proc = subprocess.run([Path(sys.executable).parent / "jupyter-book", "build", str(ROOT), "-W", "-n",
                           "--keep-going", "--path-output", str(tmp_path)], capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    page = (tmp_path / "_build" / "html" / "book" / "optimizers" / "optimizers.html").read_text()
    assert page.count('<img alt="_images/') + page.count("_images/") >= 3  # the executed figures
    assert "colab.research.google.com/github/" in page and "exercises/optimizers/optimizers.ipynb" in page
    assert "Traceback" not in page
    resnet = (tmp_path / "_build" / "html" / "book" / "resnet" / "resnet.html").read_text()
    assert "269,722" in resnet and "1,727,962" in resnet  # the parameter table, computed while building
    assert resnet.count('alt="Two panels') == 2 and "exercises/resnet/resnet.ipynb" in resnet
    assert "Traceback" not in resnet
    dropout = (tmp_path / "_build" / "html" / "book" / "dropout" / "dropout.html").read_text()
    assert 'alt="Two panels against the epoch' in dropout and 'alt="Histograms of one unit' in dropout
    assert "exercises/dropout/dropout.ipynb" in dropout and "Two conventions for" in dropout
    assert "figure computed in" in dropout and "Traceback" not in dropout
