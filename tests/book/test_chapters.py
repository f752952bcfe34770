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
