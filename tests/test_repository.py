"""The repository's promises: the README's commands, CI, requirements, and the book build."""
import re
from pathlib import Path

import pytest
import yaml

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
    # then the cases marked slow (pytest.ini leaves them out of the README's command), in the same venv
    assert ci.index(".venv/bin/python -m pytest -m slow") > ci.index(test)


def test_requirements_are_ranges_not_pins():
    reqs = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [r for r in reqs if r]
    assert not [r for r in reqs if "==" in r]
    assert any(r.startswith("jupyter-book>=1.0.4,<2") for r in reqs)
    assert any(r.startswith("nbgrader>=0.9.6,<0.10") for r in reqs)
    assert "-e ." in reqs


def test_navigation_table_points_at_real_files():
    text = (ROOT / "README.md").read_text()
    for path in re.findall(r"`((?:book|exercises|solutions|dlcourse|autograder|tests)/[\w/.-]+)`", text):
        assert (ROOT / path).exists(), path


@pytest.mark.slow  # the session's book builds (public, then the instructors')
def test_book_builds_with_warnings_as_errors(built_book):
    proc, html = built_book  # tests/conftest.py: one build per session, shared with tests/book/test_site.py
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    page = (html / "book" / "optimizers" / "optimizers.html").read_text()
    assert page.count('<img alt="_images/') + page.count("_images/") >= 3  # the executed figures
    assert "colab.research.google.com/github/" in page and "exercises/optimizers/optimizers.ipynb" in page
    assert "Traceback" not in page
    resnet = (html / "book" / "resnet" / "resnet.html").read_text()
    assert "269,722" in resnet and "1,727,962" in resnet  # the parameter table, computed while building
    assert resnet.count('alt="Two panels') == 2 and "exercises/resnet/resnet.ipynb" in resnet
    assert "Traceback" not in resnet
    dropout = (html / "book" / "dropout" / "dropout.html").read_text()
    assert 'alt="Two panels against the epoch' in dropout and 'alt="Histograms of one unit' in dropout
    assert "exercises/dropout/dropout.ipynb" in dropout and "Two conventions for" in dropout
    assert "figure computed in" in dropout and "Traceback" not in dropout


def test_publishing_workflow_publishes_the_public_tree_at_the_release_tag():
    """.github/workflows/publish.yml: on a release tag, publish (leak scan), build the public book with
    the tree's own README command, push tree + tag and the site to the public repository."""
    from autograder.authoring.publish import TEMPLATES
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert on["push"] == {"tags": ["v*"]} and "workflow_dispatch" in on
    steps = workflow["jobs"]["publish"]["steps"]
    runs = [step.get("run", "").strip() for step in steps]
    setup = next(r for r in runs if "requirements.txt" in r)
    assert setup == readme_commands()[1].split(" && .venv/bin/python -m pytest")[0]
    assert ".venv/bin/python -m autograder publish ../public" in runs
    public_build = re.search(r"```bash\n(python3 -m venv .venv && .venv/bin/pip install -r requirements-book.txt[^\n]*)",
                             (TEMPLATES / "README.md").read_text()).group(1)
    build = next(s for s in steps if "jupyter-book build" in s.get("run", ""))
    assert build["working-directory"] == "../public" and build["run"].replace(" -q", "") == public_build
    order = [i for i, r in enumerate(runs) if "autograder publish" in r or "jupyter-book build" in r or "git push" in r]
    assert len(order) == 3 and order == sorted(order)
    pages = next(s for s in steps if s.get("uses", "").startswith("peaceiris/actions-gh-pages"))
    assert pages["with"]["publish_dir"] == "../public/_build/html" and pages["with"]["publish_branch"] == "gh-pages"
    assert "PUBLIC_DEPLOY_KEY" in pages["with"]["deploy_key"]
    guide = (ROOT / "book" / "instructors" / "publishing.md").read_text()
    assert "PUBLIC_DEPLOY_KEY" in guide and "gh-pages" in guide
    assert not (ROOT / ".github" / "workflows" / "book.yml").exists()  # the instructors' repository is private


def test_book_config_caches_execution_under_build_and_has_no_header_colab_button():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "cache"
    assert not config["execute"].get("cache")  # the default: _build/.jupyter_cache, git-ignored
    assert "_build/" in (ROOT / ".gitignore").read_text().split()
    # chapters are MyST Markdown: a header launch button would send Colab to a .md file
    assert not config.get("launch_buttons", {}).get("colab_url")
    assert config["repository"]["url"].startswith("https://github.com/")


def test_requirements_name_the_browser_test_and_publishing_tools():
    reqs = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^selenium>=", reqs, re.M) and re.search(r"^ghp-import>=", reqs, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "chromium chromium-driver" in ci
