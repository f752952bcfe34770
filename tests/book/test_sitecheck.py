"""The site checker finds each kind of problem once, where it is, and nothing on a clean page.

fixtures/broken_site/ has one page per case, named after it; clean.html, index.html and
sub/index.html have none (a good Colab link, an external link and an external image included).
"""
from pathlib import Path

import pytest
import sitecheck

ROOT = Path(__file__).resolve().parent.parent.parent
SITE = Path(__file__).parent / "fixtures" / "broken_site"
REPO_URL = "https://github.com/open-dl-course/dl-course"


@pytest.fixture(scope="module")
def report(chromium):
    return sitecheck.check_site(SITE, ROOT, searches=[("adam", "clean.html"), ("nothing", None), ("adam", "index.html")],
                                repo_url=REPO_URL, branch="main", driver=chromium)


def kinds(report):
    return {(p.page, p.kind) for p in report.problems}


def test_every_page_is_loaded(report):
    assert report.pages == len([p for p in SITE.rglob("*.html")]) - 1  # all but search.html
    assert report.searches == 3 and report.colab_links == 3


def test_each_broken_page_fails_with_its_own_kind_and_only_that(report):
    assert kinds(report) == {
        ("broken-link.html", "broken-link"),
        ("broken-anchor.html", "broken-link"),
        ("broken-image.html", "broken-image"),
        ("broken-image.html", "console-error"),  # the browser reports the failed load too
        ("hash-alt.html", "alt-text"),
        ("filename-alt.html", "alt-text"),
        ("colab-md.html", "colab-link"),
        ("colab-missing.html", "colab-link"),
        ("console-error.html", "console-error"),
        ("empty.html", "empty-page"),
        ("unrendered-glue.html", "unrendered-role"),
        ("search.html?q=nothing", "search"),
        ("search.html?q=adam", "search"),  # the search for adam does not find index.html
    }


def test_messages_say_what_is_wrong(report):
    text = "\n".join(map(str, report.problems))
    assert "missing.html" in text and "#no-such-section" in text
    assert "is a hash" in text and "is a file name" in text
    assert "book/optimizers/optimizers.md is not a notebook" in text
    assert "exercises/nowhere/nowhere.ipynb is not in the repository" in text
    assert "undefinedFunctionOfThisFixture" in text
    assert "searching 'nothing' finds nothing" in text
    assert "{glue:text}`final_loss:.3f` shows as text" in text


@pytest.mark.parametrize("alt, ok", [
    ("Two panels: training loss and validation accuracy per epoch", True),
    ("Open In Colab", True),
    ("", False), (None, False), ("png", False), ("figure", False),
    ("_images/0a1b2c3d4e5f6a7b8c9d.png", False), ("plot.svg", False), ("see ../_images/plot.png here", False),
    ("Contour lines of f(x, y) = (x² + 25 y²) / 2 with the paths", True),
    ("3f786850e387550fdab836ed7e6dc881de23001b", False),
])
def test_meaningful_alt(alt, ok):
    assert (sitecheck.meaningful_alt(alt) is None) == ok


@pytest.mark.parametrize("href, why", [
    (f"https://colab.research.google.com/github/open-dl-course/dl-course/blob/main/exercises/optimizers/optimizers.ipynb", None),
    ("https://colab.research.google.com/github/someone/else/blob/main/exercises/optimizers/optimizers.ipynb", "not the course repository"),
    ("https://colab.research.google.com/github/open-dl-course/dl-course/blob/dev/exercises/optimizers/optimizers.ipynb", "branch dev"),
    ("https://colab.research.google.com/github/open-dl-course/dl-course/blob/main/book/optimizers/optimizers.md", "not a notebook"),
    ("https://colab.research.google.com/notebooks/intro.ipynb", "not a link to a notebook on GitHub"),
])
def test_colab_links(href, why):
    got = sitecheck.colab_problem(href, REPO_URL, "main", sitecheck.repository_files(ROOT))
    assert (got is None) if why is None else (why in got)


def test_book_searches_cover_every_chapter_of_the_toc():
    url, branch, chapters = sitecheck.book_settings(ROOT)
    assert url.startswith("https://github.com/") and branch
    searches = sitecheck.book_searches(chapters)
    assert {page for _, page in searches} == {f"{c}.html" for c in chapters}
    assert ("adam", "book/optimizers/optimizers.html") in searches
