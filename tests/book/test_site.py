"""The built book as a reader's browser sees it: every page in headless Chromium.

The site comes from the session's build (tests/conftest.py ``built_book``: the README's
jupyter-book command into a fresh folder, shared with tests/test_repository.py), so the README's
test command builds the book once and checks it here. The checks, and a fixture site that makes
each of them fail, are in book/_tools/sitecheck.py and tests/book/test_sitecheck.py.
"""
from pathlib import Path

import pytest
import sitecheck

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.slow  # the session's book builds (public, then the instructors')
def test_every_page_of_the_built_book_in_chromium(built_book, chromium):
    proc, html = built_book
    assert proc.returncode == 0, "the book did not build: " + proc.stdout[-3000:] + proc.stderr[-2000:]
    url, branch, chapters = sitecheck.book_settings(ROOT)
    report = sitecheck.check_site(html, ROOT, sitecheck.book_searches(chapters), url, branch, driver=chromium)
    print(report.summary())
    assert not report.problems, "\n".join(map(str, report.problems))
    pages = sitecheck.SiteChecker(html, "", None, set()).pages()
    assert report.pages == len(pages) - 1  # every page but search.html, which the searches load
    for chapter in chapters:
        assert f"{chapter}.html" in pages
    # every chapter's exercise badge, and the landing page's syllabus links, are Colab links
    assert report.colab_links >= 2 * len(chapters)
    assert report.searches == len(chapters) + 1
