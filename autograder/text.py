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
  characters: `bad_id` says why such a name cannot be a student, assignment or notebook id.
"""
import re

ID_LIMIT = 128  # nbgrader's String(128) columns (student id, assignment and notebook names)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


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
