"""Check a built book as a reader's browser sees it: every page in headless Chromium.

    python book/_tools/sitecheck.py _build/html            # after the README's build command

serves the site on 127.0.0.1, loads every ``.html`` page in headless Chromium (Debian's
``chromium`` + ``chromium-driver``, driven by selenium) and reports, per page:

- ``console-error``: an error in the browser console (an uncaught exception, a failed load of
  one of the site's own files); external hosts are not contacted (they resolve to nothing), so
  the check is the same offline and online, and failed loads of external files are not errors;
- ``broken-link``: a link to a page or file of the site that does not exist, or to an anchor
  that is not on the target page;
- ``broken-image``: an image of the site that does not load;
- ``empty-page``: a page whose article has (almost) no text and no figure;
- ``unrendered-role``: a MyST role left as text in the article, outside code (a
  ``{glue:text}`name``` whose value never reached the page shows as that source text);
- ``alt-text``: an image whose alt text does not say what it shows (missing, a file name, a
  hash, a generic word);
- ``colab-link``: a Colab link that does not open a notebook (``.ipynb``) committed to the
  course's repository (``_config.yml``'s ``repository.url`` / ``branch``);
- ``search``: a search (Sphinx's search page, as a reader types it) that finds nothing, or not
  the page it should.

The course's tests run it on a fresh build (tests/book/test_site.py) and on a small broken
fixture site that makes every check fail once (tests/book/test_sitecheck.py).
"""
import argparse
import contextlib
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

COLAB = "https://colab.research.google.com/"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
GENERIC_ALT = {"image", "img", "figure", "fig", "plot", "chart", "graph", "picture", "output", "png", "svg"}
MIN_ARTICLE_CHARS = 80


@dataclass
class Problem:
    page: str
    kind: str
    detail: str

    def __str__(self):
        return f"{self.page}: {self.kind}: {self.detail}"


@dataclass
class Report:
    problems: list = field(default_factory=list)
    pages: int = 0
    links: int = 0
    images: int = 0
    colab_links: int = 0
    searches: int = 0

    def summary(self):
        return (f"{self.pages} pages, {self.links} internal links, {self.images} images, "
                f"{self.colab_links} Colab links, {self.searches} searches: {len(self.problems)} problem(s)")


def meaningful_alt(alt):
    """None when ``alt`` says what an image shows, else why not."""
    text = (alt or "").strip()
    if not text:
        return "no alt text"
    if text.lower().endswith(IMAGE_SUFFIXES) or re.search(r"[\w.-]+/[\w./-]+\.\w{2,4}\b", text):
        return f"alt text is a file name: {text!r}"
    if re.search(r"\b[0-9a-f]{12,}\b", text, re.I) or re.fullmatch(r"[\w-]{20,}", text):
        return f"alt text is a hash: {text!r}"
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(words) < 2 or text.lower() in GENERIC_ALT:
        return f"alt text says nothing about the image: {text!r}"
    return None


def find_browser():
    """(chromium, chromedriver) paths, or None when either is missing."""
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def start_browser(browser, driver, width=1280, height=900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--no-first-run", "--disable-extensions",
                # no external hosts: the check is about the site, and the same offline and online
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site):
    """Serve the folder ``site`` on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def repository_files(repo_root):
    """Paths (relative, '/'-separated) of the files committed to the repository at ``repo_root``
    (``git ls-files``); every file under it when it is not a git checkout."""
    repo_root = Path(repo_root)
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=repo_root, capture_output=True, check=True).stdout
        return {p for p in out.decode().split("\0") if p}
    except (OSError, subprocess.CalledProcessError):
        return {p.relative_to(repo_root).as_posix() for p in repo_root.rglob("*") if p.is_file()}


def colab_problem(href, repo_url, branch, files):
    """None when a Colab link opens a notebook committed to the repository, else why not."""
    github = "https://github.com/"
    m = re.match(re.escape(COLAB) + r"github/([^/]+)/([^/]+)/blob/([^/]+)/([^?#]+)", href)
    if not m:
        return f"not a link to a notebook on GitHub: {href}"
    owner, repo, ref, path = m.group(1), m.group(2), m.group(3), unquote(m.group(4))
    if repo_url and f"{github}{owner}/{repo}" != repo_url.rstrip("/"):
        return f"{owner}/{repo} is not the course repository {repo_url}: {href}"
    if branch and ref != branch:
        return f"branch {ref} is not the course's branch {branch}: {href}"
    if not path.endswith(".ipynb"):
        return f"{path} is not a notebook (Colab opens .ipynb files): {href}"
    if path not in files:
        return f"{path} is not in the repository: {href}"
    return None


_PAGE_SCRIPT = """
const article = document.querySelector('article') || document.querySelector('main') || document.body;
return {
  text: (article.innerText || '').trim().length,
  roles: (() => {
    const prose = article.cloneNode(true);
    prose.querySelectorAll('code, pre, script, style').forEach(e => e.remove());
    return prose.textContent.match(/\\{[\\w:-]+\\}`[^`]*`/g) || [];
  })(),
  figures: article.querySelectorAll('img, svg, video, canvas').length,
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  images: Array.from(document.querySelectorAll('img')).map(i => ({
      src: i.currentSrc || i.src, alt: i.getAttribute('alt'), ok: i.complete && i.naturalWidth > 0})),
};
"""


class SiteChecker:
    def __init__(self, site, base, driver, repo_files, repo_url="", branch=""):
        self.site, self.base, self.driver = Path(site), base, driver
        self.repo_files, self.repo_url, self.branch = repo_files, repo_url, branch
        self.report = Report()
        self._ids = {}
        self._current = None  # the page the browser shows

    def pages(self):
        return sorted(p.relative_to(self.site).as_posix() for p in self.site.rglob("*.html")
                      if not p.relative_to(self.site).parts[0].startswith(("_", ".")))

    def _local(self, url):
        """The site file a same-site URL points at, or None for another host."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != self.base:
            return None
        path = unquote(parts.path).lstrip("/")
        target = self.site / path
        if path == "" or target.is_dir():
            target = target / "index.html"
        return target

    def _anchors(self, target):
        if target not in self._ids:
            html = target.read_text(errors="replace")
            self._ids[target] = set(re.findall(r'\b(?:id|name)\s*=\s*["\']([^"\']+)["\']', html))
        return self._ids[target]

    def _problem(self, page, kind, detail):
        self.report.problems.append(Problem(page, kind, detail))

    def _console_errors(self, page):
        for entry in self.driver.get_log("browser"):
            if entry.get("level") != "SEVERE":
                continue
            message = entry.get("message", "")
            source = message.split(" ", 1)[0]
            external = source.startswith(("http://", "https://")) and not source.startswith(self.base)
            if external and ("Failed to load resource" in message or "ERR_NAME_NOT_RESOLVED" in message):
                continue  # an external host: not contacted by design
            if source == self.base + "favicon.ico":
                continue  # the browser's own request at the server root, not a file the site links
            self._problem(page, "console-error", message)

    def _leave(self):
        """Errors the browser logs after a page was read (a failed image load on a loaded machine)
        belong to that page, not to the next one: read them before navigating away."""
        if self._current:
            self._console_errors(self._current)
        self._current = None

    def check_page(self, page):
        self._leave()
        self.driver.get(self.base + quote(page))
        self._current = page
        self.report.pages += 1
        info = self.driver.execute_script(_PAGE_SCRIPT)
        self._console_errors(page)
        if info["text"] < MIN_ARTICLE_CHARS and not info["figures"]:
            self._problem(page, "empty-page", f"{info['text']} characters of text and no figure")
        for role in dict.fromkeys(info["roles"]):
            self._problem(page, "unrendered-role", f"{role} shows as text (a glue value or role the build did not render)")
        for href in dict.fromkeys(info["links"]):
            if href.startswith(COLAB):
                self.report.colab_links += 1
                why = colab_problem(href, self.repo_url, self.branch, self.repo_files)
                if why:
                    self._problem(page, "colab-link", why)
                continue
            target = self._local(href)
            if target is None:
                continue
            self.report.links += 1
            fragment = unquote(urlsplit(href).fragment)
            if not target.is_file():
                self._problem(page, "broken-link", f"{href} (no file {target.relative_to(self.site)})")
            elif fragment and target.suffix == ".html" and fragment not in self._anchors(target):
                self._problem(page, "broken-link", f"{href} (no anchor #{fragment} on the page)")
        for image in info["images"]:
            self.report.images += 1
            if self._local(image["src"] or "") is not None and not image["ok"]:
                self._problem(page, "broken-image", f"{image['src']} does not load")
            why = meaningful_alt(image["alt"])
            if why:
                self._problem(page, "alt-text", f"{image['src']}: {why}")

    def check_search(self, word, expect=None, timeout=30):
        """Search for ``word`` on the site's search page; ``expect``: a page that must be found."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        page = f"search.html?q={quote(word)}"
        self.report.searches += 1
        self._leave()
        self.driver.get(self.base + page)
        self._current = page
        try:
            WebDriverWait(self.driver, timeout).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results .search-summary, #search-results ul.search li"))
            time.sleep(0.5)  # results are added in batches
            WebDriverWait(self.driver, timeout).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results .search-summary"))
        except Exception:  # noqa: BLE001  (a timeout: the search never finished)
            self._problem(page, "search", f"searching {word!r} never finished")
            return []
        self._console_errors(page)
        found = [a.get_attribute("href") for a in self.driver.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a")]
        found = [self._local(h).relative_to(self.site).as_posix() for h in found if self._local(h) is not None]
        if not found:
            self._problem(page, "search", f"searching {word!r} finds nothing")
        elif expect and expect not in found:
            self._problem(page, "search", f"searching {word!r} does not find {expect} (found {found})")
        return found


def check_site(site, repo_root, searches=(), repo_url="", branch="", driver=None):
    """Check every page of the built site ``site``; ``searches``: (word, page it must find or None).

    Returns a Report. Starts (and stops) headless Chromium unless a selenium ``driver`` is given.
    """
    own = driver is None
    if own:
        found = find_browser()
        if not found:
            raise RuntimeError("chromium and chromedriver are needed (Debian: apt-get install chromium chromium-driver)")
        driver = start_browser(*found)
    try:
        with serve(site) as base:
            checker = SiteChecker(site, base, driver, repository_files(repo_root), repo_url, branch)
            for page in checker.pages():
                if page != "search.html":
                    checker.check_page(page)
            for word, expect in searches:
                checker.check_search(word, expect)
            checker._leave()
            return checker.report
    finally:
        if own:
            driver.quit()


def book_settings(repo_root):
    """(repository URL, branch, chapter pages): the course's one repository setting
    (autograder.course.repository, from _config.yml) and the chapters of _toc.yml."""
    import yaml

    from autograder.course import repository

    repo_root = Path(repo_root)
    toc = yaml.safe_load((repo_root / "_toc.yml").read_text())
    chapters = [c["file"] for part in toc.get("parts", []) if part.get("caption") == "Chapters"
                for c in part.get("chapters", [])]
    url, branch = repository(repo_root)
    return url, branch, chapters


def book_searches(chapters, extra=(("adam", "book/optimizers/optimizers"),)):
    """One search per chapter for its name (the file's stem), which must find the chapter, plus ``extra``."""
    wanted = [(Path(c).stem, c) for c in chapters] + [e for e in extra if e[1] in chapters]
    return [(word, f"{page}.html") for word, page in wanted]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="_build/html")
    parser.add_argument("--repo", default=".", help="the course repository (default: .)")
    args = parser.parse_args(argv)
    url, branch, chapters = book_settings(args.repo)
    report = check_site(args.site, args.repo, book_searches(chapters), url, branch)
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
