"""`publish OUT_DIR`: write the public course tree that students see, then scan it for leaks.

The instructors' repository (this one) stays private: it holds the reference solutions, hidden
tests and model answers (solutions/), the grader (autograder/) and the challenge's held-out
images (autograder/data/). Students get a generated tree, pushed to the public repository that
``_config.yml``'s ``repository.url`` names, at the release tag ``repository.branch``:

    README.md              for students (from autograder/authoring/public/README.md)
    requirements.txt       the light student install: the course library and what notebooks import
    requirements-book.txt  building the public book (requirements.txt + jupyter-book)
    pyproject.toml         the distribution "dlcourse": the student library alone
    _config.yml, _toc.yml  the book's configuration; the toc without the instructors' pages
    book/                  the chapter pages and the code they import (not book/instructors/, book/_tools/)
    exercises/             the student notebooks, exactly as `release` plans them (not what else
                           lies in the folder: a student-style run's challenge_model.pt stays home)
    dlcourse/              the student library (its .py files and data/*.npz)

Blocks of a page between ``<!-- instructors -->`` and ``<!-- /instructors -->`` are instructors'
only (book/intro.md's links to the guides) and are left out. Every file the tree holds is listed
with its sha256 in ``.course-release.json``; a folder that holds anything but a previous tree (and
a ``.git`` or ``_build`` folder, which are kept) is refused, so publishing never deletes work.

The leak scan (`scan`) reads every file of the tree and fails on: a file or folder of the
instructors' side (solutions/, autograder/, tests/, book/instructors/, nbgrader_config.py,
gradebooks); a solution, hidden-test or mark-scheme marker; a line that exists only inside those
regions of an instructor notebook (solution code, hidden tests, model answers; 16 characters or
more, whitespace-normalised); a file whose bytes are a judge data file (autograder/data/) or
grader module; a held-out image inside any .npz/.npy array; an import of the grader; a notebook
with outputs. The same scan covers an installed copy of the library (``scan(site-packages/dlcourse)``).
"""
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import yaml

import dlcourse

from .. import course
from ..errors import GradingError
from ..notebook import read
from ..transforms.leaks import GRADER_IMPORT, MARKERS, secret_lines
from .release import _ignored, _sha, plan

TEMPLATES = Path(__file__).resolve().parent / "public"
MANIFEST = ".course-release.json"
KEPT = {".git", "_build"}  # in OUT_DIR: the public repository's clone and the book's build cache
PRIVATE_PATHS = ("solutions", "autograder", "tests", "book/instructors", "book/_tools", "nbgrader_config.py",
                 "grading.toml", ".ci")
BOOK_SKIP = ("book/instructors", "book/_tools")
INSTRUCTORS_BLOCK = re.compile(r"\n?<!-- instructors -->.*?<!-- /instructors -->\n?", re.S)
TEXT_SUFFIXES = {".py", ".md", ".ipynb", ".txt", ".yml", ".yaml", ".toml", ".json", ".cfg", ".html", ".js",
                 ".css", ".csv", ".rst", ".tex", ".sh", ""}
MIN_SECRET = 16
CACHES = ("__pycache__", "*.pyc")  # skipped by the scan (a gradebook *.db is not: it is reported)
# Lines of a solution region that the public tree may hold, each with the reason (a reviewed list:
# an idiom every PyTorch loop has, or a formula the chapter itself teaches). Anything else of a
# solution, hidden test or model answer fails the scan.
ALLOWED = {
    "with torch.no_grad():": "PyTorch idiom (every evaluation loop)",
    "optimizer.zero_grad()": "PyTorch idiom (every training loop)",
    "optimizer.step()": "PyTorch idiom (every training loop)",
    "x, y = x.to(device), y.to(device)": "PyTorch idiom (every training loop)",
    'with open(path, "rb") as f:': "Python idiom",
    "history[key].append(value)": "Python idiom",
    "return self.fc(x.flatten(1))": "the last line of every classifier head; the PyTorch chapter's page shows it",
    "running_var = momentum * running_var + (1 - momentum) * var":
        "the running average the normalization chapter and the exercise's text give as a formula",
    'images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)':
        "the library's CIFAR-10 archive reader (full mode); the ResNet exercise's text spells the format out",
}


def _norm(line):
    return " ".join(line.split())


def _public_toc(root):
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))

    def keep(entry):
        return not str(entry.get("file", "")).startswith(BOOK_SKIP)

    for part in toc.get("parts", []):
        part["chapters"] = [c for c in part.get("chapters", []) if keep(c)]
    toc["parts"] = [p for p in toc.get("parts", []) if p["chapters"]]
    head = "# Generated by `python -m autograder publish` from the instructors' _toc.yml; don't edit.\n"
    return (head + yaml.safe_dump(toc, sort_keys=False)).encode()


def _template(template_name, **values):
    text = (TEMPLATES / template_name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text.encode()


def tree(root=None):
    """The public tree as {relative path: bytes}."""
    root = course.course_root(root)
    url, tag = course.repository(root)
    files = {}
    for base in ("book", "dlcourse"):
        for path in sorted((root / base).rglob("*")):
            rel = path.relative_to(root)
            if path.is_dir() or _ignored(rel) or str(rel).startswith(BOOK_SKIP):
                continue
            if base == "dlcourse" and path.suffix not in (".py", ".npz"):
                continue
            data = path.read_bytes()
            if path.suffix == ".md":
                data = INSTRUCTORS_BLOCK.sub("\n", data.decode("utf-8")).encode()
            files[str(rel)] = data
    outputs, _ = plan(root)
    for dest, data in outputs.items():
        files[str(Path(dest).relative_to(root))] = data
    files["_config.yml"] = (root / "_config.yml").read_bytes()
    files["_toc.yml"] = _public_toc(root)
    name = url.rsplit("/", 1)[-1]
    values = dict(url=url, tag=tag, name=name, version=dlcourse.__version__)
    for template in ("README.md", "requirements.txt", "requirements-book.txt", "pyproject.toml", "gitignore"):
        files[".gitignore" if template == "gitignore" else template] = _template(template, **values)
    return files


def _manifest(files):
    return (json.dumps({"generated by": "python -m autograder publish (the instructors' repository); don't edit",
                        "dlcourse": dlcourse.__version__,
                        "files": {rel: _sha(data) for rel, data in sorted(files.items())}},
                       indent=1) + "\n").encode()


def _clear(out):
    """Empty OUT_DIR for a new tree, keeping .git and _build; refuse a folder that is not a tree."""
    if not out.exists():
        return
    if not out.is_dir():
        raise GradingError(f"{out} is not a folder")
    entries = [p for p in out.iterdir() if p.name not in KEPT]
    if entries and not (out / MANIFEST).is_file():
        raise GradingError(f"{out} holds files that are not a published course tree ({entries[0].name}, ...): "
                           "publish into an empty folder or a clone of the public repository")
    for p in entries:
        shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()


def publish(out, root=None, log=print):
    """Write the public tree into OUT_DIR and scan it; GradingError (tree left for inspection) on a leak."""
    root = course.course_root(root)
    out = Path(out).resolve()
    if out == root.resolve() or root.resolve() in out.parents and not str(out.relative_to(root.resolve())).startswith("_build"):
        raise GradingError(f"{out} is inside the instructors' repository: publish outside it (or under _build/)")
    files = tree(root)
    _clear(out)
    for rel, data in files.items():
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    (out / MANIFEST).write_bytes(_manifest(files))
    found = scan(out, root)
    if found:
        raise GradingError(f"the public tree in {out} would leak (nothing to push; fix the source):\n  "
                           + "\n  ".join(found))
    size = sum(len(d) for d in files.values())
    notebooks = sum(rel.startswith("exercises/") and rel.endswith(".ipynb") for rel in files)
    url, tag = course.repository(root)
    log(f"published {len(files)} files ({size / 1e6:.1f} MB; {notebooks} student notebooks) to {out}")
    log(f"leak scan: clean ({', '.join(CHECKS)})")
    log(f"next: commit it to {url}, tag it {tag}, push both (publishing guide)")
    return out


CHECKS = ("instructors' files", "solution/hidden-test markers", "solution, hidden-test and model-answer lines",
          "judge data and grader files", "held-out images in arrays", "grader imports", "notebook outputs")


class _Secrets:
    """What must never reach students, read from the instructors' repository."""

    def __init__(self, root):
        self.lines = {}
        for nb_path in sorted(course.solutions_dir(root).glob("*/*.ipynb")):
            name = str(nb_path.relative_to(root))
            for line in secret_lines(read(nb_path), MIN_SECRET):
                if _norm(line) not in ALLOWED:
                    self.lines.setdefault(_norm(line), name)
        grader = Path(__file__).resolve().parents[1]
        self.files = {}
        for path in grader.rglob("*"):
            rel = path.relative_to(grader)
            if path.is_file() and not _ignored(rel) and rel.parts[:2] != ("authoring", "public") \
                    and path.stat().st_size > 256:
                self.files[_sha(path.read_bytes())] = f"autograder/{rel}"
        self.images = {}
        for path in sorted((grader / "data").glob("*.npz")):
            with np.load(path) as data:
                for key in data.files:
                    for row in _image_rows(data[key]):
                        self.images[_sha(row.tobytes())] = f"autograder/data/{path.name}"


def _image_rows(array):
    """32x32x3 uint8 images in an array, as HWC rows (NHWC or NCHW layouts)."""
    if array.dtype != np.uint8 or array.ndim != 4:
        return []
    if array.shape[1:] == (3, 32, 32):
        array = array.transpose(0, 2, 3, 1)
    return np.ascontiguousarray(array) if array.shape[1:] == (32, 32, 3) else []


def _arrays(path, data):
    try:
        if path.suffix == ".npz":
            with np.load(io.BytesIO(data)) as z:
                return [z[k] for k in z.files]
        if path.suffix == ".npy":
            return [np.load(io.BytesIO(data))]
    except (ValueError, OSError, zipfile.BadZipFile, EOFError):
        return []
    return []


def _texts(path, data):
    """The text of a file to scan: a notebook's cells (and whether it has outputs), or the file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, False
    if path.suffix == ".ipynb":
        try:
            nb = json.loads(text)
            cells = nb.get("cells", [])
            has_outputs = any(c.get("outputs") or c.get("execution_count") for c in cells)
            return "\n".join("".join(c.get("source", "")) if isinstance(c.get("source"), list)
                             else str(c.get("source", "")) for c in cells), has_outputs
        except (ValueError, AttributeError):
            return text, False
    return text, False


def scan(out, root=None, secrets=None):
    """Leak descriptions for the tree in OUT (empty when clean); see the module docstring."""
    root = course.course_root(root)
    out = Path(out)
    secrets = secrets or _Secrets(root)
    found = []
    for private in PRIVATE_PATHS:
        if (out / private).exists():
            found.append(f"{private}: instructors' files in the public tree")
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if rel.parts[0] in KEPT or path.is_dir() or any(Path(p).match(c) for p in rel.parts for c in CACHES):
            continue
        if path.is_symlink():
            found.append(f"{rel}: a symbolic link")
            continue
        if path.name.endswith(".db"):
            found.append(f"{rel}: a database (gradebook?)")
        data = path.read_bytes()
        digest = _sha(data)
        if digest in secrets.files:
            found.append(f"{rel}: a copy of {secrets.files[digest]}")
        for array in _arrays(path, data):
            hits = sum(_sha(row.tobytes()) in secrets.images for row in _image_rows(array))
            if hits:
                found.append(f"{rel}: {hits} held-out image(s) of the challenge (autograder/data/)")
        if path.suffix not in TEXT_SUFFIXES or rel.name == MANIFEST:
            continue
        text, has_outputs = _texts(path, data)
        if text is None:
            continue
        if has_outputs:
            found.append(f"{rel}: a notebook with outputs (reference outputs?)")
        if MARKERS.search(text):
            found.append(f"{rel}: a solution or hidden-test marker ({MARKERS.search(text).group(0)})")
        if GRADER_IMPORT.search(text):
            found.append(f"{rel}: imports the grader (autograder)")
        for n, line in enumerate(text.splitlines(), 1):
            source = secrets.lines.get(_norm(line))
            if source:
                found.append(f"{rel}:{n}: a line only {source}'s solution, hidden tests or model answers hold: "
                             f"{_norm(line)[:60]}")
    return found
