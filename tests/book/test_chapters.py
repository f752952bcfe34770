"""Every chapter of _toc.yml follows the page conventions of the authoring guide (read from the
sources; tests/book/test_site.py checks the built pages in a browser)."""
import re
from pathlib import Path

import pytest
import sitecheck
from myst_nb.core.read import read_myst_markdown_notebook

ROOT = Path(__file__).resolve().parent.parent.parent
CHAPTERS = sitecheck.book_settings(ROOT)[2]


def sections(chapters):
    """The section pages of `chapters` in _toc.yml (``sections:`` under a chapter): pages of the
    same kind, executed and drawn like their chapter (book/optimizers/recipe)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = []
    for part in toc.get("parts", []):
        for entry in part.get("chapters", []):
            if entry.get("file") in chapters:
                found += [s["file"] for s in entry.get("sections", [])]
    return found


PAGES = CHAPTERS + sections(CHAPTERS)
HIDDEN = {"hide-input", "hide-cell", "remove-input", "remove-cell"}
DRAWS = re.compile(r"\bplt\.(show|subplots|figure|imshow|plot)\(|\.savefig\(")


def code_cells(chapter):
    nb = read_myst_markdown_notebook((ROOT / f"{chapter}.md").read_text())
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 4 and "book/optimizers/optimizers" in CHAPTERS
    assert "book/optimizers/recipe" in PAGES


@pytest.mark.parametrize("chapter", PAGES)
def test_setup_cell_is_hidden_and_provenance_is_a_note(chapter):
    cells = code_cells(chapter)
    assert HIDDEN & set(cells[0].metadata.get("tags", [])), f"{chapter}: tag the set-up cell hide-input"
    notes = [c for c in cells if "provenance()" in c.source]
    assert len(notes) == 1 and "remove-input" in notes[0].metadata.get("tags", []), \
        f"{chapter}: one cell tagged remove-input calls provenance() (book/_lib/provenance.py)"
    for cell in cells:
        for line in cell.source.splitlines():
            assert not ("print(" in line and re.search(r"platform\.platform\(|__version__|\bmode\(\)", line)), \
                f"{chapter}: provenance printed in a cell ({line.strip()}); provenance() says it"


@pytest.mark.parametrize("chapter", PAGES)
def test_every_figure_cell_has_alt_text(chapter):
    for cell in code_cells(chapter):
        if DRAWS.search(cell.source):
            mystnb = cell.metadata.get("mystnb", {})
            alt = (mystnb.get("image") or mystnb.get("figure") or {}).get("alt")
            assert sitecheck.meaningful_alt(alt) is None, f"{chapter}: figure cell without alt text: {cell.source[:80]!r}"


# Every number a page states about one of its runs is inserted from that run with myst-nb's glue
# (``glue("name", value, display=False)`` in the cell, {glue:text}`name:.3g` in the prose), so a
# rebuild on another machine or in full mode cannot leave stale numbers behind. What counts as a
# typed run number: a decimal with two or more significant digits (0.36, 2.30, 9.5), a number in
# e-notation (1e-8), a percentage (80 %, 97 percent) or a ratio (45 times, 20x), in the prose or an alt text, outside math,
# code, roles, headings and the "Further reading" citations. Numbers that are facts, not results
# of the page's runs, are allowed here one by one, each with its reason.
RUN_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?\s*(?:%|percent\b|times\b|x\b|×)|\d*\.?\d+e[-+]?\d+|\d*\.\d+)(?![\w])")
FACTS = {
    "book/dropout/dropout": {
        "80 %": "the definition of p = 0.8 (keep probability) and nn.Dropout(0.2), not a run",
        "0.75": "a keep probability the figure's code sets",
    },
}
PENDING = {  # chapters whose pages still type run numbers (issue 20); strict: fixing one fails here
    "book/pytorch/pytorch": "the PyTorch chapter's numbers are not glued yet (issue 20)",
    "book/resnet/resnet": "the ResNet chapter's numbers are not glued yet (issue 20)",
}


def significant_digits(number):
    mantissa = re.split(r"[eE]", number)[0]
    return len(mantissa.replace(".", "").lstrip("0"))


def typed_run_numbers(text):
    """The typed run numbers of one markdown text: [(number, the words around it)]."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", " ", text, flags=re.S | re.M)  # fenced code and directives
    text = re.sub(r"^:{3,}.*$", " ", text, flags=re.M)  # colon-fence lines (their content is prose)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]+\$", " ", text)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)  # roles: {glue:text}`x:.3f`, {doc}`page`
    text = re.sub(r"`[^`]*`", " ", text)
    paragraphs = re.split(r"\n\s*\n", text)
    prose = [p for p in paragraphs if not p.lstrip().startswith("Further reading")]
    prose = "\n\n".join("\n".join(l for l in p.splitlines() if not l.lstrip().startswith("#")) for p in prose)
    found = []
    for m in RUN_NUMBER.finditer(prose):
        number = m.group(1)
        unit = number.rstrip().endswith(("%", "percent", "times", "x", "×"))
        if unit or "e" in number or significant_digits(number) >= 2:
            found.append((re.sub(r"\s+", " ", number), " ".join(prose[max(0, m.start() - 40):m.end() + 20].split())))
    return found


def chapter_numbers(chapter):
    """Typed run numbers of a chapter page (prose and alt texts) that FACTS does not allow."""
    nb = read_myst_markdown_notebook((ROOT / f"{chapter}.md").read_text())
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    for cell in nb.cells:
        mystnb = cell.metadata.get("mystnb", {}) if cell.cell_type == "code" else {}
        for key in ("image", "figure"):
            for field in ("alt", "caption"):
                if (mystnb.get(key) or {}).get(field):
                    texts.append(str(mystnb[key][field]))
    allowed = FACTS.get(chapter, {})
    return [(n, where) for text in texts for n, where in typed_run_numbers(text) if n not in allowed]


@pytest.mark.parametrize("chapter", [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=PENDING[c]))
                                     if c in PENDING else c for c in CHAPTERS])
def test_numbers_from_runs_are_glued_from_the_run(chapter):
    typed = chapter_numbers(chapter)
    assert not typed, (f"{chapter}: numbers typed into the prose or an alt text; glue them from the run "
                       f"(myst_nb.glue, {{glue:text}}`name:.3g`), or, for a fact that is no run's result, "
                       f"list it in FACTS with its reason: " + "; ".join(f"{n!r} in ...{w}..." for n, w in typed))


def test_the_scan_finds_typed_numbers_and_passes_glued_ones():
    typed = typed_run_numbers("SGD ends at a loss of 1.32e-03, 21 times momentum's (20x), with 97 percent\n"
                              "training accuracy and 80 % kept; validation accuracy 0.36.")
    assert [n for n, _ in typed] == ["1.32e-03", "21 times", "20x", "97 percent", "80 %", "0.36"]
    assert typed_run_numbers("# Figure 2.5\n\n$\\ln 10 \\approx 2.30$, keep 0.5, {glue:text}`acc:.3f`, `lr=1e-3`,\n"
                             "```python\nx = 0.25\n```\n\nFurther reading: Lecture 6.5 (2012).") == []


GLUED = re.compile(r"\bglue\(\s*(f?)([\"'])(.+?)\2")
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_glue_role_names_a_value_the_page_glues(chapter):
    nb = read_myst_markdown_notebook((ROOT / f"{chapter}.md").read_text())
    patterns = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for f, _, name in GLUED.findall(cell.source):  # an f-string name: its {...} parts match anything
                parts = re.split(r"\{[^}]*\}", name) if f else [name]
                patterns.append(re.compile(".+".join(map(re.escape, parts))))
    used = {name for c in nb.cells if c.cell_type == "markdown" for name in GLUE_ROLE.findall(c.source)}
    missing = sorted(n for n in used if not any(p.fullmatch(n) for p in patterns))
    assert not missing, f"{chapter}: glue roles without a glue() in a code cell of the page: {missing}"
