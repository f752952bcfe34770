"""Class statistics for instructors: how each test went across a class, from the journal alone.

    OUT_DIR/stats.csv    one row per (assignment, notebook, test): see HEADER
    OUT_DIR/stats.html   one page: per assignment a histogram of the students' totals, a bar chart
                         of each test's pass rate, and the tests hardest first with their 3 most
                         common failure messages (PNG plots embedded: the page is one file)

Written by `autograde` after grades.csv, and again by `python -m autograder stats OUT_DIR`.

What counts: the latest journal result of each (student, assignment, notebook), in journal order
(a regrade replaces the student's earlier result, a notebook handed in under a downloaded name
such as "Copy of X.ipynb" counts once, as X); `autograde` passes exactly the results grades.csv
has. Statuses, points and test ids are the grader's own (judged outside the kernel); the
messages may quote a student's exception, so they are student text: grouped after numbers and
paths are taken out (`normalise`), control characters shown as escapes (text.for_terminal),
spreadsheet formulas quoted in the CSV (text.csv_cell), HTML-escaped on the page, which holds no
script. Written answers: how many were answered, how many have a TA's points in the gradebook,
and the mean of those points (blank without a gradebook).
"""
import base64
import html
import io
import re
from collections import Counter
from pathlib import Path

from . import late
from .journal import Journal
from .manual import unanswered
from .report import _atomic_csv
from ..text import clean, for_terminal

HEADER = ["assignment", "notebook", "test", "kind", "max_points", "graded", "passed", "partial", "failed",
          "error", "timeout", "pass_rate", "mean_points", "answered", "hand_graded", "common_failure",
          "common_failure_count"]
FAILED = ("partial", "failed", "error", "timeout")
MESSAGE_LIMIT = 200  # characters of a normalised message (a judge's message is a line or two)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH = re.compile(r"(?<![\w<>#)\]])(?:~|\.{1,2})?/[^\s'\"()\[\]<>,;:]+")
_SPACE = re.compile(r"\s+")
STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}
td.n{text-align:right}img{max-width:100%;height:auto}.plots{display:flex;flex-wrap:wrap;gap:1rem}"""


def normalise(message):
    """A failure message as a group key: paths and numbers out, whitespace collapsed, control
    characters shown as escapes, at most MESSAGE_LIMIT characters."""
    text = _PATH.sub("<path>", clean(message or ""))
    text = _SPACE.sub(" ", _NUMBER.sub("#", text)).strip()
    text = for_terminal(text)
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT - 1] + "…"


def latest(entries):
    """{(student, assignment, notebook): journal entry} from (key, journal entry) pairs in journal order."""
    current = {}
    for key, entry in entries:
        result = entry.get("result") or {}
        where = (key[0], result.get("assignment", key[1]), result.get("notebook", key[2]))
        current.pop(where, None)
        current[where] = entry
    return current


def _ranked(counts):
    """[(message, count)] most common first; ties in text order (never the order results arrived)."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _manual_points(gb, student, assignment, notebook, gid):
    """A written answer's points from the gradebook (None: not graded, or no gradebook)."""
    if gb is None:
        return None
    try:
        grade = gb.find_grade(gid, notebook, assignment, student)
    except Exception:
        return None
    return None if grade.manual_score is None else float(grade.manual_score)


def compute(current, gb=None):
    """current: {(student, assignment, notebook): journal entry} (see `latest`); returns
    {"tests": [stats.csv rows as dicts], "totals": {assignment: {student: (total, max)}},
    "messages": {(assignment, notebook, test): [(message, count)...] most common first}}."""
    tests, messages, totals = {}, {}, {}
    for (student, assignment, notebook), entry in current.items():
        result, answers = entry.get("result") or {}, entry.get("answers") or {}
        total, top = float(result.get("score") or 0.0), float(result.get("max_score") or 0.0)
        for t in result.get("tests") or []:
            where = (assignment, notebook, str(t.get("id")))
            s = tests.setdefault(where, {"assignment": assignment, "notebook": notebook, "test": where[2],
                                         "kind": "written" if t.get("status") == "manual" else "autograded",
                                         "max_points": float(t.get("max_points") or 0.0), "graded": 0,
                                         **{k: 0 for k in ("passed",) + FAILED}, "points": 0.0,
                                         "answered": 0, "hand_graded": 0, "manual_points": 0.0})
            s["graded"] += 1
            if t.get("status") == "manual":
                text = answers.get(where[2])  # none when the notebook could not be read
                s["answered"] += isinstance(text, str) and not t.get("unanswered") and not unanswered(text)
                points = _manual_points(gb, student, assignment, notebook, where[2])
                if points is not None:
                    s["hand_graded"] += 1
                    s["manual_points"] += points
                    total += points
                top += float(t.get("max_points") or 0.0)
                continue
            status = t.get("status") if t.get("status") in ("passed",) + FAILED else "error"
            s[status] += 1
            s["points"] += float(t.get("points") or 0.0)
            if status in FAILED:
                messages.setdefault(where, Counter())[normalise(t.get("message"))] += 1
        if gb is not None:  # the total as grades.csv gives it: after the late penalty
            total = max(0.0, total - late.info(gb, student, assignment, notebook)["penalty"])
        a = totals.setdefault(assignment, {})
        old = a.get(student, (0.0, 0.0))
        a[student] = (old[0] + total, old[1] + top)
    rows = []
    for where, s in tests.items():
        common = _ranked(messages.get(where, Counter()))
        if s["kind"] == "written":
            s.update(pass_rate="", mean_points=f"{s['manual_points'] / s['hand_graded']:.3g}" if s["hand_graded"] else "")
            for k in ("passed",) + FAILED:
                s[k] = ""
        else:
            s.update(pass_rate=f"{s['passed'] / s['graded']:.3f}", mean_points=f"{s['points'] / s['graded']:.3g}",
                     answered="", hand_graded="")
        s.update(max_points=f"{s['max_points']:g}", common_failure=common[0][0] if common else "",
                 common_failure_count=common[0][1] if common else 0)
        rows.append(s)
    rows.sort(key=lambda r: (r["assignment"], r["notebook"]))  # stable: tests in notebook order
    return {"tests": rows, "totals": totals, "messages": {w: _ranked(c) for w, c in messages.items()}}


def hardest(stats, n=3):
    """The n autograded tests with the lowest pass rate (rows of stats["tests"])."""
    auto = [r for r in stats["tests"] if r["kind"] == "autograded"]
    return sorted(auto, key=lambda r: (float(r["pass_rate"]), r["assignment"], r["notebook"], r["test"]))[:n]


def _png(draw, width=5.5, height=3.0):
    """A matplotlib figure drawn by draw(ax), as an <img> with the PNG inline (Agg, no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=90)
    FigureCanvasAgg(fig)
    draw(fig.add_subplot())
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return f"<img alt='' src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}'>"


def _histogram(totals):
    from matplotlib.ticker import MaxNLocator

    def draw(ax):
        values = [t for t, _ in totals.values()]
        top = max((m for _, m in totals.values()), default=0.0)
        ax.hist(values, bins=min(20, max(5, len(values) // 3)), range=(0, top or 1), color="#1a73e8")
        ax.set_xlabel(f"total points (of {top:g})")
        ax.set_ylabel("students")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title("total scores")
    return _png(draw)


def _bars(rows):
    def draw(ax):
        ax.barh([f"{r['notebook']}/{r['test']}" for r in rows][::-1], [float(r["pass_rate"]) for r in rows][::-1],
                color="#188038")
        ax.set_xlim(0, 1)
        ax.set_xlabel("pass rate")
        ax.set_title("tests, hardest first")
    return _png(draw, height=max(2.0, 0.8 + 0.3 * len(rows)))


def render(stats):
    """The stats page (a str of HTML; no script, every student text escaped)."""
    e = html.escape
    parts = []
    for assignment in sorted(stats["totals"]):
        rows = [r for r in stats["tests"] if r["assignment"] == assignment]
        auto = sorted((r for r in rows if r["kind"] == "autograded"), key=lambda r: float(r["pass_rate"]))
        written = [r for r in rows if r["kind"] == "written"]
        totals = stats["totals"][assignment]
        mean = sum(t for t, _ in totals.values()) / len(totals)
        parts.append(f"<h2>{e(assignment)}</h2><p>{len(totals)} student(s); mean total {mean:.3g} of "
                     f"{max(m for _, m in totals.values()):g}.</p>"
                     f"<div class='plots'>{_histogram(totals)}{_bars(auto) if auto else ''}</div>")
        if auto:
            body = ""
            for r in auto:
                common = stats["messages"].get((r["assignment"], r["notebook"], r["test"]), [])[:3]
                shown = "".join(f"<li>{e(m)} <b>({n})</b></li>" for m, n in common)
                body += (f"<tr><td>{e(r['notebook'])}</td><td>{e(r['test'])}</td><td class=n>{e(r['pass_rate'])}</td>"
                         + "".join(f"<td class=n>{r[k]}</td>" for k in ("graded", "passed") + FAILED)
                         + f"<td class=n>{e(r['mean_points'])} / {e(r['max_points'])}</td>"
                           f"<td>{'<ul>' + shown + '</ul>' if shown else ''}</td></tr>")
            parts.append("<table><tr><th>notebook</th><th>test</th><th>pass rate</th><th>graded</th><th>passed</th>"
                         "<th>partial</th><th>failed</th><th>error</th><th>timeout</th><th>mean points</th>"
                         f"<th>most common failures (count)</th></tr>{body}</table>")
        if written:
            body = "".join(f"<tr><td>{e(r['notebook'])}</td><td>{e(r['test'])}</td><td class=n>{r['graded']}</td>"
                           f"<td class=n>{r['answered']}</td><td class=n>{r['hand_graded']}</td>"
                           f"<td class=n>{e(r['mean_points'] or '-')} / {e(r['max_points'])}</td></tr>" for r in written)
            parts.append("<h3>Written answers</h3><table><tr><th>notebook</th><th>question</th><th>submissions</th>"
                         f"<th>answered</th><th>graded by hand</th><th>mean points</th></tr>{body}</table>")
    return clean("<!doctype html><html><head><meta charset='utf-8'><title>Class statistics</title>"
                 f"<style>{STYLE}</style></head><body><h1>Class statistics</h1>"
                 + ("".join(parts) or "<p>No graded submissions.</p>") + "</body></html>")


def write(out, current, gb=None, log=None):
    """Rewrite OUT/stats.csv and OUT/stats.html from {(student, assignment, notebook): journal entry}
    (see `latest`); returns the stats."""
    out = Path(out)
    stats = compute(current, gb)
    _atomic_csv(out / "stats.csv", HEADER, [[r[k] for k in HEADER] for r in stats["tests"]])
    tmp = out / "stats.html.tmp"
    tmp.write_text(render(stats), encoding="utf-8")
    tmp.replace(out / "stats.html")
    if log:
        log(f"wrote {out / 'stats.csv'} and {out / 'stats.html'}")
    return stats


def from_journal(out, db=None, log=None):
    """`autograder stats OUT_DIR`: the statistics of the journal's latest results, the written
    answers' points from the gradebook (db, else OUT/gradebook.db when it exists)."""
    from ..errors import GradingError
    from .gradebook import open_gradebook
    out = Path(out)
    journal = Journal(out)
    if not journal.latest:
        raise GradingError(f"no graded submissions in {out / 'journal.jsonl'}: run autograde first")
    current = latest(journal.latest.items())
    if db is None and not (out / "gradebook.db").exists():
        return write(out, current, None, log)
    with open_gradebook(db, out) as gb:
        return write(out, current, gb, log)


def summary(stats, n=3):
    """Lines for a terminal: counts and the n hardest tests (student text shown, never obeyed)."""
    students = {s for a in stats["totals"].values() for s in a}
    lines = [f"{len(students)} student(s), {sum(len(a) for a in stats['totals'].values())} assignment result(s), "
             f"{len(stats['tests'])} test(s) and written question(s)"]
    for r in hardest(stats, n):
        lines.append(f"hardest: {r['assignment']}/{r['notebook']} {r['test']}: {float(r['pass_rate']):.0%} passed"
                     + (f"; most common failure ({r['common_failure_count']}): {r['common_failure']}"
                        if r["common_failure"] else ""))
    return [for_terminal(line) for line in lines]
