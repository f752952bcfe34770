"""Every command of README.md and book/instructors/*.md runs as written (issue 21).

The docs' ```` ```bash ```` blocks are extracted and typed, line by line in the guide's order,
into one bash process per workspace (a user's terminal: ``cd`` and ``source .venv/bin/activate``
carry over), in a fresh ``git clone`` of this checkout's HEAD (commit first) made in a temporary
folder, so that ``../public`` and the other relative paths land beside it. Plain ```` ``` ```` and
```` ```text ```` blocks are output and examples, not commands (CONTRIBUTING.md). A ``bash`` block
that cannot run here carries the line ``<!-- WHY: not run -->`` right before it (a synopsis with
placeholders, the test suite itself); the fast test refuses a block that is neither marked nor in
PLAN, and checks every ``python -m autograder ...`` of the docs (blocks and inline code) against
the command line's own parser, ``autograder.cli.build_parser``.

What the walk-throughs (slow) change, and nothing else:

- **The set-up line** (``python3 -m venv .venv && .venv/bin/pip install ... -r requirements*.txt &&``,
  README and the publishing guide's route by hand) is not run: a clone gets ``.venv`` as a symlink
  to the environment running this test (already installed from requirements.txt, ``-e .`` of its
  own checkout; on a Dask worker, which imports the grader from that install, this checkout is the
  one of the environment); the rest of the line runs as written. Installing torch again would cost
  minutes and 5 GB; the student install itself is run, as its README says, by
  tests/autograder/authoring/test_publish.py.
- **Placeholders** (SUBSTITUTE): ``COORDINATOR`` (the Dask scheduler's host) -> ``127.0.0.1``;
  ``subs/`` (the Dask section's class) -> ``class/``, the walk-through's; in the publishing guide
  the example release ``v0.1.0`` -> the next minor version of pyproject.toml (0.1.0 is the release
  the checkout already is, so it has nothing to commit), and its step "1. bump the version ..."
  (a comment: done by hand) is done by ``bump``.
- **Files a user has**: the LMS downloads the grading guide's commands name (``submissions.zip``:
  Canvas, two students, the reference answers and the untouched release; ``moodle.zip`` and
  ``roster.csv``: one student, mapped; ``download/``: another LMS, one student), written by ``lms``;
  the TAs' filling-in of ``ta/*.csv`` between ``manual export`` and ``manual import`` (every row
  still blank gets full points); for the public book built by hand, the instructors' build's
  Jupyter execution cache in ``../public/_build`` (the publishing guide: chapters are matched by
  their code cells), so the chapters are executed once in the test, not twice.
- **GitHub**: the instructors' ``origin`` is a local bare repository (the clone is made from it,
  branch ``main``, as the guide's "clean checkout of main"); the public repository's SSH address is
  another bare repository (default branch ``main``, as GitHub's), reached through git's
  ``url.<bare>.insteadOf <address>``. That and a git identity sit in a global git config of the
  test's own (``GIT_CONFIG_GLOBAL``, git's stand-in for the instructor's ``~/.gitconfig``): the only
  variable set beyond the user's environment (tests/conftest.py ``user_env``: none of this
  session's Python or course variables).
- **Long-running commands** (``dask scheduler``, ``dask worker``: "on the coordinator", "on each
  grading machine") each get a shell of their own with the course's environment active, as the
  guide says; the worker's runs in a folder outside the checkout; both are stopped after the block.
"""
import argparse
import contextlib
import csv
import io
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "autograder"))
from classroom import FULL, WRITTEN  # noqa: E402 (the optimizers notebook's points, read off it)
from measure_course import full_marks  # noqa: E402 (the TAs' full marks, shared with the course timing)
DOCS = ["README.md", "CONTRIBUTING.md"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book" / "instructors").glob("*.md"))
# the unmarked bash blocks of each doc, in order, each named by a line it holds: the walk-throughs below run them all
PLAN = {
    "README.md": ["jupyter-book build", "autograder publish ../public"],
    "CONTRIBUTING.md": [],
    "book/instructors/authoring.md": ["autograder release --prune"],
    "book/instructors/grading.md": ["manual import ta/*.csv", "--pattern", "dask scheduler"],
    "book/instructors/publishing.md": ["# 1. bump the version", "ghp-import", "jupyter-book clean", "DLCOURSE_BOOK_SITE"],
}
FENCE = re.compile(r"^(`{3,})(\S*)\s*$")
MARK = re.compile(r"^<!-- (.+): not run -->$")
SETUP = re.compile(r"python3 -m venv \.venv && \.venv/bin/pip install (?:-q )?-r requirements(?:-book)?\.txt && ")
SUBSTITUTE = [("tcp://COORDINATOR:", "tcp://127.0.0.1:"), (" subs/ ", " class/ ")]
GUIDE_VERSION = "0.1.0"  # the release the publishing guide's commands name
PARSE_VALUES = {"N": "2"}  # a synopsis placeholder whose option is typed (--workers N)


@dataclass
class Block:
    doc: str
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    mark: str  # why it is not run; "" when it is


def blocks(doc):
    """Every fenced block of a doc (top level: a fence inside a longer fence is its content)."""
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != m.group(1):
            j += 1
        mark = MARK.match(lines[i - 1]) if i else None
        found.append(Block(doc, i + 1, m.group(2), "\n".join(lines[i + 1:j]), mark.group(1) if mark else ""))
        i = j + 1
    return found


def steps(text):
    """A block's commands: one per line, a trailing backslash continuing it, and a synopsis' indented
    ``[...]`` line joined to the one above."""
    out = []
    for line in text.splitlines():
        if out and (out[-1].endswith("\\") or re.match(r"^\s+\[", line)):
            out[-1] = (out[-1][:-1] if out[-1].endswith("\\") else out[-1]) + " " + line.strip()
        elif line.strip():
            out.append(line.rstrip())
    return out


def planned(doc, name):
    """The unmarked bash block of doc that PLAN names `name`."""
    hits = [b for b in blocks(doc) if b.lang == "bash" and not b.mark and name in b.text]
    assert len(hits) == 1, f"{doc}: expected one unmarked bash block with {name!r}, found {len(hits)}"
    return hits[0]


# ---------------------------------------------------------------- the fast checks

def test_every_bash_block_is_run_or_marked():
    for doc in DOCS:
        found = blocks(doc)
        assert {b.lang for b in found} <= {"bash", "text", "", "toml"}, \
            f"{doc}: a block is bash (a command), plain/text (output, examples) or toml (a settings file): " \
            f"{[b.lang for b in found]}"
        run = [b for b in found if b.lang == "bash" and not b.mark]
        assert doc in PLAN, f"{doc} has no walk-through in PLAN"
        assert len(run) == len(PLAN[doc]) and all(name in b.text for b, name in zip(run, PLAN[doc])), \
            (f"{doc}: its unmarked bash blocks (lines {[b.line for b in run]}) are not the ones PLAN runs "
             f"({PLAN[doc]}): add a new block to the walk-through, or mark it `<!-- why: not run -->`")
        assert [planned(doc, name) for name in PLAN[doc]] == run  # each name picks its block alone
        assert all(b.lang == "bash" for b in found if b.mark), f"{doc}: a `not run` mark stands before a block that is no command"
        lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            if MARK.match(line):
                assert n + 1 < len(lines) and lines[n + 1] == "```bash", \
                    f"{doc} line {n + 1}: a `not run` mark must stand right before a ```bash block"


def _subcommands(parser):
    return next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {})


def cli_problem(args):
    """Why `python -m autograder <args>` is not a command the CLI accepts, or None. Synopsis brackets
    are dropped; ``...`` elides arguments (then the verb and the options named are checked); a bare
    verb, as prose names it, is checked as a verb."""
    from autograder.cli import build_parser
    parser = build_parser()
    args = [PARSE_VALUES.get(a.strip("[]"), a.strip("[]")) for a in args]
    elided = "..." in args
    args = [a for a in args if a and a != "..."]
    rest, level, node = list(args), parser, []
    while rest and rest[0].startswith("-") and rest[0].split("=")[0] in level._option_string_actions:
        rest = rest[2:] if "=" not in rest[0] else rest[1:]
    while rest and _subcommands(level):
        verb = rest.pop(0)
        if verb not in _subcommands(level):
            return f"unknown verb {verb!r} (the CLI has {', '.join(_subcommands(level))})"
        level = _subcommands(level)[verb]
        node.append(verb)
    if not node:
        return "no verb" if rest else None  # `python -m autograder` or `... ...`: the command line as a whole
    for token in rest:
        if token.startswith("--") and token.split("=")[0] not in level._option_string_actions:
            return f"{' '.join(node)}: unknown option {token}"
    if elided or not rest:
        return None
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            parser.parse_args(args)
        except SystemExit:
            return err.getvalue().strip().splitlines()[-1]
    return None


def autograder_commands(text):
    """The argument lists of every `python -m autograder ...` / `autograder ...` command in a line."""
    try:
        tokens = shlex.split(text, comments=True)
    except ValueError as exc:
        raise AssertionError(f"not a shell command line ({exc}): {text}") from None
    found = []
    for i, token in enumerate(tokens):
        module = token == "autograder" and i >= 2 and tokens[i - 1] == "-m" and Path(tokens[i - 2]).name.startswith("python")
        script = token in ("autograder", ".venv/bin/autograder") and (i == 0 or tokens[i - 1] in ("&&", "||", ";", "|"))
        if module or script:
            args = []
            for t in tokens[i + 1:]:
                if t in ("&&", "||", ";", "|"):
                    break
                args.append(t)
            found.append(args)
    return found


def documented_commands():
    """(doc, where, args) for every autograder command of the docs: bash blocks and inline code."""
    out = []
    for doc in DOCS:
        for b in blocks(doc):
            if b.lang == "bash":
                for step in steps(b.text):
                    out += [(doc, f"block at line {b.line}", args) for args in autograder_commands(step)]
        prose = re.sub(r"^(`{3,}).*?^\1\s*$", "", (ROOT / doc).read_text(encoding="utf-8"), flags=re.S | re.M)
        for span in re.findall(r"(?<!`)`([^`\n]+)`(?!`)", prose):
            if re.search(r"(^|\s)(python3? -m )?autograder\s", span + " ") and "autograder." not in span.split()[0]:
                out += [(doc, f"`{span}`", args) for args in autograder_commands(span)]
    return out


def test_every_documented_autograder_command_is_one_the_cli_accepts():
    found = documented_commands()
    verbs = {args[0] for _, _, args in found if args and not args[0].startswith("-")}
    assert len(found) >= 40 and verbs >= {"release", "publish", "collect", "grade", "autograde", "stats", "manual"}, \
        (len(found), verbs)
    problems = [f"{doc} {where}: {problem}" for doc, where, args in found if (problem := cli_problem(args))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("command, words", [
    ("python -m autograder regrade class/ --out graded/", "unknown verb 'regrade'"),
    ("python -m autograder autograde class/ --out graded/ --wokers 2", "unknown option --wokers"),
    ("python -m autograder manual export ta/", "the following arguments are required: --out"),
    ("python -m autograder autograde class/ --out graded/ --workers many", "invalid int value: 'many'"),
    ("autograder collect ... --assignmnt A", "unknown option --assignmnt"),
])
def test_the_check_refuses_a_wrong_command(command, words):
    [args] = autograder_commands(command)
    assert words in (cli_problem(args) or "")


# ---------------------------------------------------------------- the walk-throughs

class Terminal:
    """A user's terminal: one bash process that the commands are typed into one at a time (``cd`` and
    ``source`` carry over), its output in a log file; each command's exit status and time kept."""

    def __init__(self, cwd, env, log):
        self.log = Path(log)
        self._out = open(self.log, "wb")
        self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                     stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True)
        self.times = []

    def run(self, command, timeout=900):
        """(exit status, output) of one command line, typed as written (stdin: nothing)."""
        token = uuid.uuid4().hex
        start = self.log.stat().st_size
        self.proc.stdin.write(f"{{ {command}\n}} </dev/null\nprintf '\\n{token} %d\\n' $?\n".encode())
        self.proc.stdin.flush()
        began, done = time.monotonic(), re.compile(rf"\n{token} (\d+)\n")
        while True:
            with open(self.log, "rb") as f:
                f.seek(start)
                out = f.read().decode(errors="replace")
            m = done.search(out)
            if m:
                break
            assert self.proc.poll() is None, f"the shell ended during {command!r}:\n{out[-3000:]}"
            if time.monotonic() - began > timeout:
                self.close()
                raise AssertionError(f"{command!r} ran over {timeout} s:\n{out[-3000:]}")
            time.sleep(0.2)
        self.times.append((command, round(time.monotonic() - began, 1)))
        return int(m.group(1)), out[:m.start()]

    def cwd(self):
        return Path(self.run("pwd")[1].strip())

    def close(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._out.close()


def link_venv(folder):
    """The set-up line's stand-in: ``.venv`` -> the environment running this test."""
    if not (folder / ".venv").exists():
        (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def bare(path, branch="main"):
    git("init", "-q", "--bare", "-b", branch, str(path))
    return path


@pytest.fixture
def workspace(tmp_path, user_env):
    """A fresh clone of HEAD, branch main, set up (SETUP), whose origin is a local bare repository; the
    public repository's address of the publishing guide a second bare one; a shell in the clone."""
    remotes = tmp_path / "remotes"
    instructors = remotes / "instructors.git"
    git("clone", "-q", "--bare", str(ROOT), str(instructors))
    git("update-ref", "refs/heads/main", git("rev-parse", "HEAD", cwd=ROOT), cwd=instructors)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=instructors)
    public = bare(remotes / "public.git")
    url = re.search(r"git clone (\S+) \.\./public", planned("book/instructors/publishing.md", "ghp-import").text).group(1)
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f'[user]\n\tname = Instructor\n\temail = instructor@example.invalid\n'
                         f'[url "{public}"]\n\tinsteadOf = {url}\n')
    env = dict(user_env, GIT_CONFIG_GLOBAL=str(gitconfig))
    clone = tmp_path / "work" / "dl-course-instructors"
    git("clone", "-q", str(instructors), str(clone))
    link_venv(clone)  # the README's set-up (SETUP)
    ws = {"clone": clone, "env": env, "tmp": tmp_path, "instructors": instructors, "public": public, "url": url,
          "terms": []}
    shell(ws, clone)
    yield ws
    for term in ws["terms"]:
        term.close()
        print("\n".join(f"{s:7.1f} s  {c}" for c, s in term.times))


def shell(ws, folder):
    """A new terminal in folder: the workspace's shell from now on."""
    ws["term"] = Terminal(folder, ws["env"], ws["tmp"] / f"terminal-{len(ws['terms'])}.log")
    ws["terms"].append(ws["term"])


def run_block(ws, doc, name, hooks=(), substitute=()):
    """Type every command of a PLAN block into the workspace's shell, as written but for SETUP and
    the placeholders; `hooks`: (text of a command, function(ws, command) run instead of typing it
    when it returns True, or before it) for what the guide leaves to the user. Returns the outputs."""
    outputs = {}
    for step in steps(planned(doc, name).text):
        command = step
        for old, new in list(SUBSTITUTE) + list(substitute):
            command = command.replace(old, new)
        if SETUP.search(command):
            link_venv(ws["term"].cwd())
            command = SETUP.sub("", command)
        handled = False
        for key, hook in hooks:
            if key in step:
                handled = hook(ws, command) or handled
        if handled or command.lstrip().startswith("#"):
            continue
        rc, out = ws["term"].run(command, timeout=1500)
        assert rc == 0, f"{doc}: `{command}` exited {rc}:\n{out[-4000:]}"
        outputs[step] = out
    return outputs


# ------------------------------------------- README and the book: the build, its check, the public tree

@pytest.mark.slow
def test_readme_and_publishing_guide_book_commands(workspace):
    """The publishing guide's clean rebuild first (a fresh clone: nothing to clean; every chapter
    executed), then the README's build command (which reuses the execution cache), the guide's check
    of that build in Chromium, and the README's publish; then a release, in a second clone, by the
    publishing guide's commands: bump, release, commit, tag, push; the route by hand."""
    ws = workspace
    run_block(ws, "book/instructors/publishing.md", "jupyter-book clean")
    run_block(ws, "README.md", "jupyter-book build")
    assert (ws["clone"] / "_build" / "html" / "book" / "optimizers" / "optimizers.html").is_file()
    out = run_block(ws, "book/instructors/publishing.md", "DLCOURSE_BOOK_SITE")
    ran = "passed" if shutil.which("chromedriver") and shutil.which("chromium") else "(passed|skipped)"
    assert re.search(rf"\b1 {ran}\b", "".join(out.values())), out  # the browser test, on this build
    run_block(ws, "README.md", "autograder publish ../public")
    assert (ws["clone"].parent / "public" / "exercises" / "optimizers" / "optimizers.ipynb").is_file()
    cache = ws["clone"] / "_build" / ".jupyter_cache"
    assert cache.is_dir()

    # a release, in a fresh clone of its own (the public repository starts empty)
    second = ws["tmp"] / "release" / "dl-course-instructors"
    git("clone", "-q", str(ws["instructors"]), str(second))
    ws["clone"] = second
    shell(ws, second)
    link_venv(second)
    version = re.search(r'^version = "(.+)"', (second / "pyproject.toml").read_text(), re.M).group(1)
    major, minor, _ = version.split(".")
    new = f"{major}.{int(minor) + 1}.0"

    def bump(ws, _):
        for name, old, repl in [("pyproject.toml", f'version = "{version}"', f'version = "{new}"'),
                                ("dlcourse/__init__.py", f'__version__ = "{version}"', f'__version__ = "{new}"'),
                                ("_config.yml", f"branch: v{version}", f"branch: v{new}")]:
            path = ws["clone"] / name
            assert path.read_text().count(old) == 1, (name, old)
            path.write_text(path.read_text().replace(old, repl))
        return True

    def seed_cache(ws, _):
        shutil.copytree(cache, ws["term"].cwd() / "_build" / ".jupyter_cache")

    release = [(f"v{GUIDE_VERSION}", f"v{new}")]
    run_block(ws, "book/instructors/publishing.md", "# 1. bump the version", hooks=[("# 1. bump the version", bump)],
              substitute=release)
    main = git("rev-parse", "refs/heads/main", cwd=ws["instructors"])
    assert git("rev-parse", f"refs/tags/v{new}^{{commit}}", cwd=ws["instructors"]) == main
    assert git("log", "-1", "--format=%s", "main", cwd=ws["instructors"]) == f"Release v{new}"
    assert f"branch: v{new}" in git("show", "main:_config.yml", cwd=ws["instructors"])
    assert f"v{new}" in git("show", "main:exercises/optimizers/optimizers.ipynb", cwd=ws["instructors"])

    cfg = (second / "_config.yml").read_text()
    repo = re.search(r"^  url: https://github.com/(\S+)$", cfg, re.M).group(1)
    assert ws["url"] == f"git@github.com:{repo}.git", "the guide clones another repository than _config.yml's"
    run_block(ws, "book/instructors/publishing.md", "ghp-import", hooks=[("jupyter-book build", seed_cache)],
              substitute=release)
    public = ws["public"]
    assert git("log", "-1", "--format=%s", "main", cwd=public) == f"Release v{new}"
    assert git("rev-parse", f"refs/tags/v{new}^{{commit}}", cwd=public) == git("rev-parse", "main", cwd=public)
    tree = git("ls-tree", "-r", "--name-only", "main", cwd=public).splitlines()
    assert {".course-release.json", "README.md", "exercises/optimizers/optimizers.ipynb", "dlcourse/__init__.py"} <= set(tree)
    assert not [p for p in tree if p.startswith((".venv", "solutions/", "autograder/", "tests/", "_build/"))]
    pages = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=public).splitlines()
    assert {"index.html", ".nojekyll", "book/optimizers/optimizers.html"} <= set(pages)
    assert "book/instructors/grading.html" not in pages


# ------------------------------------------- the authoring guide's commands

@pytest.mark.slow
def test_authoring_guide_commands(workspace):
    out = run_block(workspace, "book/instructors/authoring.md", "autograder release --prune")
    text = "\n".join(out.values())
    assert "exercises up to date" in text and "exercises/ is in sync with solutions/" in text
    graded = next(v for k, v in out.items() if "--json" in k)
    assert '"score": 0' in graded and f'"max_score": {FULL:g}' in graded
    assert (workspace["clone"].parent / "public" / ".course-release.json").is_file()


# ------------------------------------------- the grading guide: a small class, start to finish, then on Dask

def lms(clone):
    """The LMS downloads the guide's commands name, in the clone (the folder they are run in)."""
    from autograder.notebook import read, write
    from autograder.transforms.fill import fill
    released = read(clone / "exercises" / "optimizers" / "optimizers.ipynb")
    answered = fill(released, read(clone / "solutions" / "optimizers" / "optimizers.ipynb"))

    def data(nb):
        path = clone / ".nb.ipynb"
        write(nb, path)
        content = path.read_bytes()
        path.unlink()
        return content

    with zipfile.ZipFile(clone / "submissions.zip", "w") as z:  # Canvas: <name>_<user id>_<attachment id>_<file>
        z.writestr("smithjohn_1001_5009_optimizers-1.ipynb", data(answered))
        z.writestr("doejane_1002_5010_optimizers.ipynb", data(released))
    with zipfile.ZipFile(clone / "moodle.zip", "w") as z:  # Moodle, folders: <Full Name>_<participant id>_assignsubmission_file/
        z.writestr("Jane Smith_201_assignsubmission_file/optimizers.ipynb", data(answered))
    (clone / "roster.csv").write_text("lms_id,student_id\n201,jsmith\n")
    (clone / "download").mkdir()
    (clone / "download" / "carol-optimizers.ipynb").write_bytes(data(released))


def fill_sheets(ws, _):
    """The TAs: every row still blank gets the question's full points."""
    full_marks(sorted((ws["clone"] / "ta").glob("*.csv")), comment="well argued")


def table(path, key="student"):
    with open(path, newline="") as f:
        return {row[key]: row for row in csv.DictReader(f)}


@pytest.mark.slow
def test_grading_guide_commands(workspace):
    ws = workspace
    lms(ws["clone"])
    out = run_block(ws, "book/instructors/grading.md", "manual import ta/*.csv",
                    hooks=[("manual import", fill_sheets)])
    dry = next(v for k, v in out.items() if "grade solutions/" in k)
    assert f"score: {FULL:g} / {FULL:g} (autograded)" in dry, dry
    graded = ws["clone"] / "graded"
    lms_csv = table(graded / "lms.csv")
    assert {s: (float(r["total"]), float(r["max"])) for s, r in lms_csv.items()} == {"1001": (FULL + WRITTEN, FULL + WRITTEN), "1002": (0, FULL + WRITTEN)}
    assert "hardest:" in next(v for k, v in out.items() if "autograder stats" in k)
    assert (graded / "feedback" / "1001" / "optimizers" / "optimizers.html").is_file()

    out = run_block(ws, "book/instructors/grading.md", "--pattern")
    assert "grading 2 submission(s)" in out["python -m autograder autograde class/ --out graded/"]  # only the new ones
    grades = table(graded / "grades.csv")
    assert {s: float(r["score"]) for s, r in grades.items()} == {"1001": FULL, "1002": 0, "jsmith": FULL, "carol": 0}
    assert float(grades["1001"]["total"]) == FULL + WRITTEN and grades["jsmith"]["needs_manual"] not in ("", "0")

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", 8786))
        except OSError:
            pytest.fail("port 8786, the grading guide's Dask scheduler port, is in use on this machine")
    servers = []
    machine = ws["tmp"] / "grading-machine"  # a worker runs from any folder
    machine.mkdir()

    def serve(ws, command):
        log = open(ws["tmp"] / f"dask-{len(servers)}.log", "wb")
        servers.append(subprocess.Popen(["bash", "-c", f"source {ws['clone']}/.venv/bin/activate && exec {command}"],
                                        cwd=ws["clone"] if "scheduler" in command else machine, env=ws["env"],
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        if "scheduler" in command:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 8786), timeout=1):
                    return True
                assert servers[-1].poll() is None, (ws["tmp"] / "dask-0.log").read_text()[-3000:]
                time.sleep(0.5)
            raise AssertionError("the Dask scheduler did not listen on 8786 within 60 s")
        return True

    try:
        out = run_block(ws, "book/instructors/grading.md", "dask scheduler",
                        hooks=[("dask scheduler", serve), ("dask worker", serve)])
    finally:
        for p in servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    assert "on the Dask cluster at tcp://127.0.0.1:8786" in "".join(out.values())
    score = lambda path: {s: (r["score"], r["max_score"]) for s, r in table(path).items()}
    assert score(ws["clone"] / "out" / "grades.csv") == score(graded / "grades.csv")
