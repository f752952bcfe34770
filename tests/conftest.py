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

# fixture courses are data, not tests: their notebooks (nbgrader's documentation course, with its
# students' broken answers) are graded by the tests that use them, never run by nbval
collect_ignore_glob = ["autograder/fixtures/*"]


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


def _clean_env():
    """The environment a user's shell has: none of this session's virtualenv or course variables."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("DLCOURSE", "PYTHON", "VIRTUAL_ENV"))}


@pytest.fixture
def user_env():
    """A copy of the environment a user's shell has (see _clean_env), for commands run as a user runs them."""
    return _clean_env()


def readme_command(readme, marker):
    """The fenced bash command of a README that contains `marker` (the commands are tested as written)."""
    import re
    blocks = re.findall(r"```bash\n(.*?)```", Path(readme).read_text(encoding="utf-8"), re.S)
    hits = [b.strip() for b in blocks if marker in b]
    assert len(hits) == 1, f"{readme}: expected one command with {marker!r}, found {hits}"
    return hits[0]


@pytest.fixture(scope="session")
def public_tree(tmp_path_factory):
    """The public course tree, written as the publishing guide writes it
    (``python -m autograder publish OUT_DIR``, from the instructors' checkout)."""
    out = tmp_path_factory.mktemp("public") / "dl-course"
    proc = subprocess.run([sys.executable, "-m", "autograder", "publish", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def student_install(public_tree):
    """The public tree's student install, run as its README gives it, in the tree (a fresh .venv of
    the system's python3: only the course library, what notebooks import, and Jupyter)."""
    command = readme_command(public_tree / "README.md", "git clone")
    setup = " && ".join(line for line in command.splitlines() if "jupyter lab" not in line and "git clone" not in line)
    proc = subprocess.run(["bash", "-c", setup], cwd=public_tree, env=_clean_env(), capture_output=True, text=True,
                          timeout=1800)
    return proc, public_tree / ".venv"


@pytest.fixture(scope="session")
def public_book(public_tree, student_install):
    """The public book, built from the public tree alone with its README's build command (what the
    publishing workflow runs): a fresh build, its chapters executed in the student install's venv."""
    command = readme_command(public_tree / "README.md", "jupyter-book build")
    proc = subprocess.run(["bash", "-c", command], cwd=public_tree, env=_clean_env(), capture_output=True, text=True,
                          timeout=1800)
    return proc, public_tree / "_build" / "html"


@pytest.fixture(scope="session")
def built_book(tmp_path_factory, request):
    """The instructors' book, built once per test session as the README's build command builds it
    (``jupyter-book build . -W -n --keep-going``), into a fresh temporary folder. Its chapters are the
    public book's: their executed outputs come from the public build (Jupyter Book's execution cache
    matches a page by its code cells), so the chapters run once per session, in the student install.
    Returns (process, path of the html folder).

    ``DLCOURSE_BOOK_SITE=_build/html`` checks an existing build instead (quick iterations on the
    browser test; the build test then only checks that the folder is there), and then builds nothing:
    not the public tree and its book either (``public_book`` is requested only for a build of its own).
    """
    import shutil
    given = os.environ.get("DLCOURSE_BOOK_SITE")
    if given:
        site = Path(given).resolve()
        return subprocess.CompletedProcess([], 0 if (site / "index.html").is_file() else 1, "", f"{site}"), site
    public_book = request.getfixturevalue("public_book")
    out = tmp_path_factory.mktemp("book")
    cache = public_book[1].parent / ".jupyter_cache"
    if public_book[0].returncode == 0 and cache.is_dir():
        shutil.copytree(cache, out / "_build" / ".jupyter_cache")
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
