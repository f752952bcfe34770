"""The book's checks: the site checker (book/_tools/sitecheck.py) and a headless Chromium."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "book" / "_tools"))

import sitecheck  # noqa: E402


@pytest.fixture(scope="session")
def chromium():
    """A selenium driver for headless Chromium; skips with the reason where there is none."""
    found = sitecheck.find_browser()
    if not found:
        pytest.skip("no chromium/chromedriver on PATH (Debian: apt-get install chromium chromium-driver; "
                    ".ci/run installs them when it runs as root)")
    pytest.importorskip("selenium", reason="selenium is in requirements.txt; install it to run the browser tests")
    driver = sitecheck.start_browser(*found)
    yield driver
    driver.quit()
