"""The landing page's syllabus: one row per chapter of _toc.yml, with its exercise, time and GPU."""
import re
from pathlib import Path

import sitecheck

ROOT = Path(__file__).resolve().parent.parent.parent


def syllabus():
    text = (ROOT / "book" / "intro.md").read_text()
    table = text[text.index("## Syllabus"):]
    header, _, *rows = [line for line in table.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    return [c.strip() for c in header.strip("|").split("|")], cells


def test_syllabus_columns():
    header, _ = syllabus()
    assert header[:4] == ["chapter", "exercise (opens in Colab)", "expected time", "does a GPU help?"]


def test_every_chapter_has_a_row_with_its_exercise_time_and_gpu():
    _, rows = syllabus()
    chapters = sitecheck.book_settings(ROOT)[2]
    by_chapter = {re.fullmatch(r"\{doc\}`([^`]+)`", row[0]).group(1): row for row in rows}
    assert sorted(by_chapter) == sorted(c.removeprefix("book/") for c in chapters)
    for chapter, (_, exercise, time, gpu, *_) in by_chapter.items():
        notebook = re.fullmatch(r"\{exercise-link\}`([^`]+\.ipynb)`", exercise).group(1)
        assert (ROOT / "exercises" / notebook).is_file(), notebook
        assert re.search(r"\d", time) and "hour" in time, (chapter, time)
        assert gpu.split(":")[0].split(",")[0] in {"no", "yes"}, (chapter, gpu)
