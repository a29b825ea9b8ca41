"""update-source on a real fixture transcript with codings, and import-survey, from the
command line: exit codes, printed listings, the project unchanged on refusal."""

from __future__ import annotations

from qualcoder_lite.core.project import open_project
from tests.core.test_survey import LIKE, ROWS, write_csv, write_xlsx
from tests.helpers import dump


def _coded_fixture(tmp_path, cli, fixtures_dir):
    proj = tmp_path / "p.qlite"
    src = fixtures_dir / "qualcoder-examples/files/Examples/transcript.txt"
    assert cli("new", proj, "--coder", "ann").code == 0
    assert cli("import", proj, src).code == 0
    assert cli("codes", proj, "add", "Course/Workload").code == 0
    r = cli("autocode", proj, "--code", "Course/Workload", "--pattern", "slides|assignments", "--unit", "sentence")
    assert r.code == 0, r.err
    return proj, src.read_text(encoding="utf-8")


def _segments(proj):
    with open_project(proj) as p:
        sid = p.sources.by_name("transcript").id
        text = p.sources.text(sid)
        return text, sorted((text[k.start:k.end], k.start) for k in p.codings.for_source(sid)), \
            [(t.speaker, text[t.start:t.end]) for t in p.sources.turns(sid)]


def test_update_source_moves_codings_and_turns_and_lists_changed(tmp_path, cli, fixtures_dir):
    proj, original = _coded_fixture(tmp_path, cli, fixtures_dir)
    old_text, old_codings, old_turns = _segments(proj)
    fixed = tmp_path / "fixed.txt"
    fixed.write_text("[Transcript checked against the recording]\n\n" + original.replace("wrtitten", "written"),
                     encoding="utf-8")
    r = cli("update-source", proj, "transcript", fixed)
    assert r.code == 0, r.err
    assert "1 whose text changed" in r.out and "“Yes, there was too much needed for the wrtitten assignments.”" in r.out
    text, codings, turns = _segments(proj)
    assert text.startswith("[Transcript checked")
    assert [c for c, _s in codings] == sorted(c.replace("wrtitten", "written") for c, _s in old_codings)
    assert [t for t in turns] == [(s, t.replace("wrtitten", "written")) for s, t in old_turns]
    r = cli("update-source", proj, "transcript", fixed, "--json")
    assert r.code == 0 and r.json()["edits"] == 0


def test_update_source_refuses_to_drop_a_coded_passage_unless_asked(tmp_path, cli, fixtures_dir):
    proj, original = _coded_fixture(tmp_path, cli, fixtures_dir)
    cut = tmp_path / "cut.txt"
    cut.write_text(original.replace("I am struggling with the lecture slides. ", ""), encoding="utf-8")
    with open_project(proj) as p:
        before = dump(p)
    r = cli("update-source", proj, "transcript", cut)
    assert r.code == 1 and "I am struggling with the lecture slides." in r.err and "--drop-deleted" in r.err
    with open_project(proj) as p:
        assert dump(p) == before
    r = cli("update-source", proj, "transcript", cut, "--drop-deleted")
    assert r.code == 0 and "removed (text deleted)" in r.out
    _text, codings, _turns = _segments(proj)
    assert "I felt that they were too busy and I switched off." not in [c for c, _ in codings]
    assert len(codings) == 2


def test_update_source_bad_input(tmp_path, cli, fixtures_dir):
    proj, _original = _coded_fixture(tmp_path, cli, fixtures_dir)
    with open_project(proj) as p:
        before = dump(p)
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip")
    r = cli("update-source", proj, "transcript", bad)
    assert r.code == 1 and "broken.docx" in r.err
    r = cli("update-source", proj, "nosuch", fixtures_dir / "qualcoder-examples/files/Examples/transcript.txt")
    assert r.code == 2 and "unknown source 'nosuch'" in r.err
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    r = cli("update-source", proj, "transcript", empty)
    assert r.code == 1 and "empty.txt" in r.err
    with open_project(proj) as p:
        assert dump(p) == before


def test_import_survey_cli_csv_and_xlsx_reimport(tmp_path, cli):
    proj = tmp_path / "s.qlite"
    assert cli("new", proj).code == 0
    for path in (write_csv(tmp_path / "wave1.csv", ROWS), write_xlsx(tmp_path / "wave1.xlsx", ROWS)):
        args = ("import-survey", proj, path, "--id", "id", "--text", LIKE, "What would you change?",
                "--attributes", "age", "consented", "start", "--type", "age=text", "--json")
        r = cli(*args)
        assert r.code == 0, r.err
        first = r.json()
        with open_project(proj) as p:
            before = dump(p)
        r = cli(*args)
        assert r.code == 0
        again = r.json()
        assert again["sources_added"] == 0 and again["sources_unchanged"] == 4
        with open_project(proj) as p:
            assert dump(p) == before
    # .csv and .xlsx have the same stem: one dataset, so the workbook updated the CSV's sources
    assert first["sources_added"] == 0 and first["sources_unchanged"] == 4
    r = cli("import-survey", proj, tmp_path / "wave1.csv", "--id", "nope", "--text", LIKE)
    assert r.code == 2 and "wave1.csv: no column named 'nope'" in r.err


def test_update_source_renames_a_speaker_for_speakers_autocode_and_quotes(tmp_path, cli, fixtures_dir):
    """The tester's case: "Eric Holscher:" corrected to "Eric H.:" throughout RFC5, and an
    interviewer question typed into one of his turns."""
    proj = tmp_path / "rfc.qlite"
    f = fixtures_dir / "changelog-rfc/files/rfc/request-for-commits-5.md"
    assert cli("new", proj, "--coder", "ann").code == 0
    assert cli("import", proj, f).code == 0
    assert cli("speakers", proj, "--interviewer", "Nadia Eghbal").code == 0
    assert cli("codes", proj, "add", "Learning").code == 0
    r = cli("autocode", proj, "--code", "Learning", "--pattern", r"Okay, cool\. So in high-school", "--unit", "match")
    assert r.code == 0, r.err
    fixed = tmp_path / "fixed.md"
    fixed.write_text(f.read_text(encoding="utf-8").replace("**Eric Holscher:**", "**Eric H.:**").replace(
        "Okay, cool. So in high-school",
        "Okay, cool.\n\n**Nadia Eghbal:** Inserted interviewer question here?\n\n**Eric H.:** So in high-school"),
        encoding="utf-8")
    r = cli("update-source", proj, "request-for-commits-5", fixed)
    assert r.code == 0, r.err
    assert "speaker 'Eric Holscher' is now 'Eric H.'" in r.out and "2 new" in r.out
    r = cli("speakers", proj, "--json")
    assert [(s["speaker"], s["role"]) for s in r.json()] == [
        ("Eric H.", "participant"), ("Mikeal Rogers", "participant"), ("Nadia Eghbal", "interviewer")]
    r = cli("segments", proj)
    assert r.code == 0 and "Okay, cool. […] So in high-school" in r.out, r.out
    r = cli("autocode", proj, "--code", "Learning", "--pattern", "Read the Docs", "--speaker", "Eric H.", "--json")
    assert r.code == 0, r.err
    assert r.json()["added"] >= 1
    r = cli("update-source", proj, "request-for-commits-5", fixed, "--json")
    assert r.code == 0 and r.json()["edits"] == 0
