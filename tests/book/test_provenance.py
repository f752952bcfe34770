"""The note every chapter shows: where and how its outputs were computed (book/_lib/provenance.py)."""
import provenance
import pytest

from dlcourse import runtime


@pytest.fixture(autouse=True)
def run_mode_from_the_environment_only(monkeypatch):
    for var in ("NBGRADER_EXECUTION", "DLCOURSE_GRADING"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(runtime, "_override", None)


def test_provenance_names_machine_versions_and_run_mode(monkeypatch):
    import html
    import platform

    import torch  # noqa: F401  (provenance reports torch only when it is imported)

    import dlcourse

    monkeypatch.setenv("DLCOURSE_MODE", "full")
    note = provenance.provenance()
    assert list(note.facts) == ["machine", "software", "run mode", "computed on"]
    assert platform.platform() in note.facts["machine"] and "GPU:" in note.facts["machine"]
    assert f"dlcourse {dlcourse.__version__}" in note.facts["software"] and "torch " in note.facts["software"]
    assert note.facts["run mode"].startswith("full")
    page = note._repr_html_()
    assert page.startswith('<details class="dlcourse-provenance"') and html.escape(note.facts["software"]) in page
    assert str(note).splitlines()[2].startswith("run mode: full")


def test_provenance_escapes_html():
    page = provenance.Provenance({"machine": "<script>x</script>"})._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
