"""Sphinx extension of the course book: each page loads each script once.

sphinx-thebe (loaded by Jupyter Book v1) registers its inline configuration script after the
HTML builder has started; Sphinx 7.4 then lists it twice (once named ``None``, once ``''``), and
the browser stops at the second copy with "Identifier 'THEBE_JS_URL' has already been declared"
on every page. This keeps the first of identical scripts. tests/book/test_site.py finds the
console error again if it comes back in another form.
"""


def _key(script):
    attributes = getattr(script, "attributes", {}) or {}
    return str(getattr(script, "filename", script) or ""), tuple(sorted((k, str(v)) for k, v in attributes.items()))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        if _key(script) not in seen:
            seen.add(_key(script))
            kept.append(script)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
