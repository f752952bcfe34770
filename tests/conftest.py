"""Shared fixtures: the course's own notebooks, and a released notebook filled with answers."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "autograder"))  # the attack harness (classroom) for every test folder
os.environ.setdefault("DLCOURSE_MODE", "smoke")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def source_nb():
    from autograder.notebook import read
    return read(ROOT / "solutions" / "optimizers" / "optimizers.ipynb")


@pytest.fixture(scope="session")
def released_nb():
    from autograder.notebook import read
    return read(ROOT / "exercises" / "optimizers" / "optimizers.ipynb")


@pytest.fixture(scope="session")
def grading_config(tmp_path_factory):
    """Grading settings for tests: a private reference cache, two workers."""
    from autograder.config import Config
    return Config(cache_dir=str(tmp_path_factory.mktemp("grader-cache")), workers=2)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book, built once per test session as the README's build command builds it
    (``jupyter-book build . -W -n --keep-going``), into a fresh temporary folder, so nothing
    cached from an earlier build can hide a failure. Returns (process, path of the html folder).

    ``DLCOURSE_BOOK_SITE=_build/html`` checks an existing build instead (quick iterations on the
    browser test; the build test then only checks that the folder is there).
    """
    given = os.environ.get("DLCOURSE_BOOK_SITE")
    if given:
        site = Path(given).resolve()
        return subprocess.CompletedProcess([], 0 if (site / "index.html").is_file() else 1, "", f"{site}"), site
    out = tmp_path_factory.mktemp("book")
    proc = subprocess.run([Path(sys.executable).parent / "jupyter-book", "build", str(ROOT), "-W", "-n",
                           "--keep-going", "--path-output", str(out)], capture_output=True, text=True, timeout=900)
    return proc, out / "_build" / "html"


def postgres_bin():
    """The folder of Debian's PostgreSQL programs (initdb, pg_ctl), or None."""
    from pathlib import Path
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture
def postgres_url():
    """A PostgreSQL server of this test's own on a free loopback port: its URL (stopped and removed after)."""
    import os
    import shutil
    import socket
    import subprocess
    import tempfile
    from pathlib import Path
    pytest.importorskip("psycopg2", reason="pip install psycopg2-binary")
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("needs Debian's postgresql package (apt-get install postgresql; .ci/run installs it where it "
                    "runs as root)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = Path(tempfile.mkdtemp(prefix="dlcourse-pg-"))  # not under pytest's folder, which only root may enter
    as_user = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as nobody
        shutil.chown(data, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    run = lambda *a: subprocess.run(as_user + [str(bindir / a[0]), *a[1:]], check=True, capture_output=True)
    run("initdb", "-D", str(data / "db"), "-U", "grader", "--auth=trust")
    run("pg_ctl", "-D", str(data / "db"), "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "-w",
        "-l", str(data / "log"), "start")
    try:
        yield f"postgresql://grader@127.0.0.1:{port}/postgres"
    finally:
        run("pg_ctl", "-D", str(data / "db"), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)
