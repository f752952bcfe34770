"""Sphinx extension of the course book: the ``exercise`` directive and the ``exercise-link`` role.

    ```{exercise} optimizers/optimizers.ipynb
    ```

renders an "Open in Colab" badge and the local instructions for exercises/<path>;
``{exercise-link}`optimizers/optimizers.ipynb``` is the same Colab link inline (the landing
page's syllabus). The repository URL and branch come from _config.yml (``repository.url`` /
``repository.branch``, which Jupyter Book passes on as ``html_theme_options``), so they are
written once. A path that is not a notebook in exercises/ is an error, so a broken link fails
the build.
"""
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective, SphinxRole

BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


def colab_link(env, rel):
    """(repository URL, Colab URL) of exercises/<rel>; ValueError when it cannot work."""
    options = env.config.html_theme_options
    url = str(options.get("repository_url", "")).rstrip("/")
    branch = options.get("repository_branch", "main")
    if not url.startswith("https://github.com/"):
        raise ValueError("_config.yml needs repository.url on github.com for the Colab link")
    if not rel.endswith(".ipynb") or not (Path(env.srcdir) / "exercises" / rel).is_file():
        raise ValueError(f"exercises/{rel} is not a notebook in the repository (run `python -m autograder release`)")
    return url, f"https://colab.research.google.com/github/{url[len('https://github.com/'):]}/blob/{branch}/exercises/{rel}"


class ExerciseDirective(SphinxDirective):
    required_arguments = 1

    def run(self):
        rel = self.arguments[0].strip()
        try:
            url, colab = colab_link(self.env, rel)
        except ValueError as err:
            raise self.error(f"exercise: {err}")
        badge = nodes.raw("", f'<p><a href="{colab}"><img src="{BADGE}" alt="Open In Colab"></a></p>', format="html")
        intro = nodes.paragraph(text=f"Exercise notebook: exercises/{rel}. Open it in Colab with the badge "
                                     "(the first cell installs the course library), or work locally:")
        local = nodes.literal_block(text=(
            f"git clone {url}.git && cd {url.rsplit('/', 1)[-1]}\n"
            "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt\n"
            f".venv/bin/jupyter lab exercises/{rel}"), language="bash")
        local["language"] = "bash"
        hand_in = nodes.paragraph(text="Run the visible tests, then hand in the .ipynb file itself "
                                       "(Colab: File > Download > Download .ipynb).")
        container = nodes.container(classes=["exercise-links"])
        container += [intro, badge, local, hand_in]
        return [container]


class ExerciseLinkRole(SphinxRole):
    """Inline Colab link to exercises/<text>, shown as the notebook's file name."""

    def run(self):
        rel = self.text.strip()
        try:
            _, colab = colab_link(self.env, rel)
        except ValueError as err:
            return [], [self.inliner.reporter.error(f"exercise-link: {err}", line=self.lineno)]
        return [nodes.reference(self.rawtext, "", nodes.literal(text=Path(rel).name), refuri=colab)], []


def setup(app):
    app.add_directive("exercise", ExerciseDirective)
    app.add_role("exercise-link", ExerciseLinkRole())
    return {"parallel_read_safe": True, "parallel_write_safe": True}
