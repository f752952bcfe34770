"""Text that came from a submission, made safe for where it goes.

Every text a student controls (folder names, written answers, exception messages, cell output)
may hold what a writer cannot take or a reader misreads:
- lone surrogates (a JSON notebook can hold "\\ud800"; a folder name with invalid UTF-8 bytes
  decodes to them): `clean` replaces them, so every UTF-8 writer (HTML, CSV, the gradebook,
  PostgreSQL) accepts the text;
- terminal control sequences (ESC [ ... that move the cursor and draw a fake score over the real
  one): `for_terminal` shows every control character as a visible escape;
- spreadsheet formulas (a cell starting with = + - @ TAB or CR runs as a formula in Excel,
  LibreOffice, Google Sheets): `csv_cell` prefixes a single quote (OWASP's advice), `uncsv_cell`
  removes exactly that prefix again, so export then import is lossless;
- names longer than the gradebook's columns (nbgrader: 128 characters) or with control
  characters: `bad_id` says why such a name cannot be a student, assignment or notebook id;
- markdown crafted to make a renderer slow: `markdown` renders in bounded time (no link
  reference definitions, whose parser rereads the rest of a block for every definition: 18 KB of
  them took 15 s, 72 KB 247 s; text over MARKDOWN_LIMIT characters is shown escaped as plain text,
  so emphasis runs, quadratic in markdown-it, are rendered only up to that size).
"""
import html
import re

from markdown_it import MarkdownIt

ID_LIMIT = 128  # nbgrader's String(128) columns (student id, assignment and notebook names)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
MARKDOWN_LIMIT = 10_000  # characters of one text rendered as markdown (a real written answer: < 3,000)
_MD = MarkdownIt("commonmark", {"html": False}).disable("reference")  # raw HTML is never markup


def clean(text):
    """text with lone surrogates replaced by U+FFFD (anything else unchanged); str() of a non-str."""
    text = text if isinstance(text, str) else str(text)
    return _SURROGATE.sub("\ufffd", text)


def for_terminal(text):
    """clean(text) with every control character but newline and tab shown as an escape (\\x1b)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1] if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        clean(text))


def csv_cell(value):
    """A spreadsheet cell that shows value as text: a leading formula character gets a quote."""
    text = clean(value)
    return "'" + text if text.startswith(_FORMULA) or (text.startswith("'") and text[1:].startswith(_FORMULA + ("'",))) else text


def uncsv_cell(text):
    """The value csv_cell made text of (the quote removed again); other text unchanged."""
    text = text or ""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA + ("'",)) else text


def bad_id(name):
    """Why name cannot be an id in the gradebook, or None."""
    if clean(name) != name:
        return "its name is not valid UTF-8 text"
    if _CONTROL.search(name):
        return "its name holds control characters"
    if len(name) > ID_LIMIT:
        return f"its name is {len(name)} characters long; the gradebook allows {ID_LIMIT}: rename it"
    return None


def markdown(source):
    """HTML of a markdown text a student may have written: raw HTML escaped, time linear in its
    length (past MARKDOWN_LIMIT characters the whole text is shown escaped, preformatted, with a note)."""
    source = clean(source)
    if len(source) <= MARKDOWN_LIMIT:
        return _MD.render(source)
    return (f"<p><i>Shown as plain text: {len(source):,} characters, more than the {MARKDOWN_LIMIT:,} shown "
            "as formatted markdown.</i></p>"
            f"<pre style='white-space:pre-wrap'>{html.escape(source)}</pre>")


def without_paths(text, paths):
    """text with the grader's folders taken out. paths: {folder: what shows instead}, the longest
    folder first, so "/srv/course/solutions/x.ipynb" reads "<course>/solutions/x.ipynb", and a
    folder shown as "" (a submission's own) leaves the file name. Whole folders only: "/srv/course2"
    is not in "/srv/course"."""
    if not isinstance(text, str):
        return text
    for folder, shown in sorted(paths.items(), key=lambda item: len(str(item[0])), reverse=True):
        folder = str(folder).rstrip("/")
        if folder:
            text = re.sub(re.escape(folder) + r"(/+|(?![\w-]|\.\w))",
                          lambda m: (f"{shown}/" if shown else "") if m.group(1) else shown, text)
    return text
