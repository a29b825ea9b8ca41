"""The shared public fixtures import with their speakers found: stored turns per file
against counts taken from each file's own markers (see tests/core/test_units.py for the raw
text, tests/formats/test_markdown_import.py for Markdown read as Markdown)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.sources.importing import CaseRule
from tests.formats.test_markdown_import import MARKDOWN_TURNS


def _turns(path, name):
    with open_project(path) as p:
        src = p.sources.by_name(name)
        return p.sources.turns(src.id)


def test_markdown_and_otter_fixtures(tmp_path, cli, fixtures_dir):
    proj = tmp_path / "f.qlite"
    assert cli("new", proj).code == 0
    files = [fixtures_dir / n for n in MARKDOWN_TURNS]
    r = cli("import", proj, *files, "--json")
    assert r.code == 0, r.err
    assert r.json()["turns"] == sum(MARKDOWN_TURNS.values())
    for n, expected in MARKDOWN_TURNS.items():
        stem = n.rsplit("/", 1)[-1][:-3]
        assert len(_turns(proj, stem.strip() or stem)) == expected, n


def test_office_and_bracket_fixtures(tmp_path, cli, fixtures_dir):
    proj = tmp_path / "o.qlite"
    assert cli("new", proj).code == 0
    ex = fixtures_dir / "qualcoder-examples/files/Examples"
    assert cli("import", proj, ex / "ID1.docx", ex / "ID2.odt", ex / "transcript.txt").code == 0
    assert [t.speaker for t in _turns(proj, "transcript")] == ["id1", "id2", "id3", "id1", "id3", "id1", "id2"]
    with open_project(proj) as p:
        assert "€" in p.sources.text(p.sources.by_name("ID1").id)


@pytest.mark.parametrize("ext", ["srt", "vtt"])
def test_subtitle_fixtures_keep_cue_times(tmp_path, cli, fixtures_dir, ext):
    proj = tmp_path / f"s-{ext}.qlite"
    assert cli("new", proj).code == 0
    f = fixtures_dir / f"hitsave-interviews/files/2023/Goodboy Galaxy/Goodboy Galaxy - Rik Nicol.{ext}"
    assert cli("import", proj, f).code == 0
    turns = _turns(proj, "Goodboy Galaxy - Rik Nicol")
    assert len(turns) > 20 and all(t.timestamp for t in turns)
    assert turns[0].timestamp.endswith("00:43")  # the first cue starts at 00:43.810
    with open_project(proj) as p:
        text = p.sources.text(p.sources.by_name("Goodboy Galaxy - Rik Nicol").id)
    assert "\r" not in text and text.startswith("Hello everyone and welcome to yet another Hit Save podcast.")


def test_case_from_a_file_name_with_blanks_is_stripped_like_the_source_name(tmp_path, cli, fixtures_dir):
    """The fixture " Q-Cubed - ….md" (a leading space): its case is named like its source,
    so an attributes sheet naming the case matches it."""
    proj = tmp_path / "c.qlite"
    assert cli("new", proj).code == 0
    name = "Q-Cubed - Interview with Carolyn Lu at Cludosian Games"
    f = fixtures_dir / f"hitsave-interviews/files/2022/Q-Cubed/ {name}.md"
    assert f.name.startswith(" ")
    assert cli("import", proj, f).code == 0
    with open_project(proj) as p:
        assert [c.name for c in p.cases.all()] == [name]
        assert p.sources.by_name(name) is not None
    sheet = tmp_path / "attrs.csv"
    sheet.write_text(f"case,Studio\n{name},Cludosian Games\n", encoding="utf-8")
    r = cli("attributes", proj, sheet, "--json")
    assert r.code == 0, r.err
    assert r.json()["values_added"] == 1 and r.json()["rows_without_case"] == 0


def test_case_rules_strip_the_case_name():
    path = Path("/x/ P1 - Carolyn .md")
    assert CaseRule().case_for(path) == "P1 - Carolyn"
    assert CaseRule(pattern=r"^(\s*P\d+)").case_for(path) == "P1"
    assert CaseRule(pattern=r"^\s*Q\d+").case_for(path) is None
    assert CaseRule(pattern=r"^(\s*)").case_for(path) is None  # only blanks: no case (and a warning)
    assert CaseRule(name=" Site A ").case_for(path) == "Site A"
