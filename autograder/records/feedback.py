"""Per-student HTML feedback: what passed, what failed and why, never the hidden tests.

Only the result dict goes in (ids, statuses, points, the judge's messages and the repairs):
the hidden test source, the reference values and the kernel's output (whose tracebacks could
quote hidden code) are never part of it.
"""
import html

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
.passed{background:#e6f4ea}.partial{background:#fef7e0}.failed,.error,.timeout{background:#fce8e6}.manual{background:#f1f3f4}"""


def table(result):
    """The results table: one row per test and written answer."""
    e = html.escape
    rows = "".join(
        f'<tr class="{e(t["status"])}"><td>{e(t["id"])}</td><td>{e(t["status"])}</td>'
        f'<td>{t["points"]:g} / {t["max_points"]:g}</td><td>{e(t["message"])}</td></tr>'
        for t in result["tests"])
    return f"<table><tr><th>test</th><th>status</th><th>points</th><th>what to check</th></tr>{rows}</table>"


def render(result, student):
    e = html.escape
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Feedback: {e(result['assignment'])}</title>"
            f"<style>{STYLE}</style></head><body>"
            f"<h1>{e(result['assignment'])} / {e(result['notebook'])}</h1>"
            f"<p>Student: <b>{e(student)}</b>. Autograded score: <b>{result['score']:g} / {result['max_score']:g}</b>. "
            "Written answers are graded by hand and added later.</p>"
            f"{table(result)}{notes(result)}</body></html>")


def notes(result):
    """The hand-in files (used, with size and digest, or why not) and the other notes, as HTML."""
    e = html.escape
    handins = result.get("handins") or []
    listed = "".join(f"<li>{e(h)}</li>" for h in handins)
    other = "".join(f"<li>{e(p)}</li>" for p in dict.fromkeys(result["problems"]) if p not in handins)
    return ((f"<h2>Files handed in with the notebook</h2><ul>{listed}</ul>" if listed else "")
            + (f"<h2>Notes on your notebook</h2><ul>{other}</ul>" if other else ""))
