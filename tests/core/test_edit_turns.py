"""Speaker turns after a transcript is corrected (``sources.edit_turns``), on the real Markdown
fixture RFC5 (``**Name:**`` labels): after ``update-source`` the turns are those a fresh
import of the corrected file finds; a speaker renamed by the correction is renamed (and keeps
an interviewer mark); an interviewer question typed into a turn is cut from a quote as after
an import; codings stay on their words; Undo restores every row. A subtitle source keeps its
cue times. Pseudonymisation leaves no real name in the turns either."""

from __future__ import annotations

import pytest

from qualcoder_lite.core.project import memory_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode
from qualcoder_lite.core.services.coding.speakers import SetSpeakerRole, speakers
from qualcoder_lite.core.services.privacy.pseudonymise import Pseudonymise
from qualcoder_lite.core.services.quotes.citations import CitationTemplate
from qualcoder_lite.core.services.quotes.quoting import Quoter, cite_fields
from qualcoder_lite.core.services.quotes.segments import segments
from qualcoder_lite.core.services.sources.edit_text import ReplaceSourceText, read_corrected, update_source
from qualcoder_lite.core.services.sources.importing import CaseRule, import_files
from qualcoder_lite.core.units import detect_turn_rows
from tests.helpers import dump

RFC5 = "changelog-rfc/files/rfc/request-for-commits-5.md"
NAME = "request-for-commits-5"
SRT = "hitsave-interviews/files/2023/Goodboy Galaxy/Goodboy Galaxy - Rik Nicol.srt"


def _project(path, interviewer: str | None = "Nadia Eghbal"):
    p = memory_project(coder="ann")
    import_files(p, [path], CaseRule())
    if interviewer:
        p.execute(SetSpeakerRole(interviewer, "interviewer"))
    p.execute(AddCode("Theme"))
    return p, p.sources.by_name(path.stem).id


def _ordered(rows) -> list[tuple]:
    return sorted(map(tuple, rows), key=lambda r: (r[1], r[3], r[4]))  # (a speaker may be None)


def _rows(p, sid) -> list[tuple]:
    return _ordered(p.conn.execute(
        'SELECT speaker, label_start, label_end, start, "end", timestamp FROM speaker_turns WHERE source_id = ?',
        (sid,)))


def _code(p, sid, start: int, end: int) -> None:
    p.execute(ApplyCode(sid, p.codes.find(["Theme"]).id, start, end))


def _quote(p, sid):
    (seg,) = [s for s in segments(p) if s.source_id == sid]
    return seg, Quoter(p, cite=CitationTemplate("({speaker}, {case})", cite_fields(p))).coding_quote(seg)


@pytest.fixture
def rfc5(fixtures_dir):
    """The fixture's Markdown and a project with it imported (Nadia Eghbal: interviewer)."""
    p, sid = _project(fixtures_dir / RFC5)
    yield (fixtures_dir / RFC5).read_text(encoding="utf-8"), p, sid
    p.close()


def _fresh(tmp_path, markdown: str):
    """A project with ``markdown`` imported as RFC5 anew."""
    d = tmp_path / "fresh"
    d.mkdir(exist_ok=True)
    f = d / f"{NAME}.md"
    f.write_text(markdown, encoding="utf-8")
    return _project(f)


def _correct(p, tmp_path, markdown: str):
    f = tmp_path / "corrected.md"
    f.write_text(markdown, encoding="utf-8")
    return update_source(p, NAME, f)


def test_a_renamed_speaker_label_renames_the_turns_like_a_fresh_import(rfc5, tmp_path):
    original, p, sid = rfc5
    text = p.sources.text(sid)
    phrase = "Do you want the medium or the long version of the story?"
    _code(p, sid, text.index(phrase), text.index(phrase) + len(phrase))
    erics = {s["speaker"]: s["turns"] for s in speakers(p)}["Eric Holscher"]
    corrected = original.replace("**Eric Holscher:**", "**Eric H.:**")
    report = _correct(p, tmp_path, corrected)
    fresh, fsid = _fresh(tmp_path, corrected)
    assert p.sources.text(sid) == fresh.sources.text(fsid)
    assert _rows(p, sid) == _rows(fresh, fsid)
    assert [s["speaker"] for s in speakers(p)] == ["Eric H.", "Mikeal Rogers", "Nadia Eghbal"]
    assert p.conn.execute("SELECT count(*) FROM speaker_turns WHERE speaker LIKE '%Holscher%'").fetchone()[0] == 0
    assert report.turns.renamed == {"Eric Holscher": "Eric H."} and report.turns.relabelled == erics
    assert "speaker 'Eric Holscher' is now 'Eric H.'" in report.summary()
    seg, quote = _quote(p, sid)
    assert seg.text == phrase  # the coding is on the same words
    assert "Eric H." in quote.citation and "Holscher" not in quote.citation
    fresh.close()


def test_an_interviewer_question_typed_into_a_turn_is_cut_from_the_quote_as_after_an_import(rfc5, tmp_path):
    original, p, sid = rfc5
    text = p.sources.text(sid)
    a = text.index("Okay, cool. So in high-school")
    b = text.index("started using Linux", a) + len("started using Linux")
    _code(p, sid, a, b)
    label = "**Eric Holscher:** Okay, cool. So in high-school"
    assert original.count(label) == 1
    corrected = original.replace(label, "**Eric Holscher:** Okay, cool.\n\n**Nadia Eghbal:** Inserted interviewer "
                                        "question here?\n\n**Eric Holscher:** So in high-school")
    report = _correct(p, tmp_path, corrected)
    assert report.turns.added == 2 and report.turns.removed == 0
    fresh, fsid = _fresh(tmp_path, corrected)
    assert _rows(p, sid) == _rows(fresh, fsid)
    new = fresh.sources.text(fsid)
    a = new.index("Okay, cool.", new.index("Do you want the medium"))
    _code(fresh, fsid, a, new.index("started using Linux", a) + len("started using Linux"))
    (mine, q), (theirs, fq) = _quote(p, sid), _quote(fresh, fsid)
    assert (mine.start, mine.end) == (theirs.start, theirs.end)
    assert q.text == fq.text and "[…]" in q.text
    assert "Inserted interviewer" not in q.text and "Nadia" not in q.text and "Holscher" not in q.text
    fresh.close()


def test_an_interviewer_renamed_in_the_text_keeps_the_mark_and_undo_restores_every_row(rfc5, tmp_path):
    original, p, sid = rfc5
    before = dump(p)
    f = tmp_path / "corrected.md"
    f.write_text(original.replace("**Nadia Eghbal:**", "**Nadia E.:**"), encoding="utf-8")
    text, turns = read_corrected(f)
    cmd = ReplaceSourceText(sid, text, turns=turns)
    p.execute(cmd)
    assert p.sources.speaker_roles() == {"Nadia E.": "interviewer"}
    assert cmd.result.turns.roles_moved == [("Nadia Eghbal", "Nadia E.", "interviewer")]
    assert "'Nadia E.' is marked interviewer as 'Nadia Eghbal' was" in cmd.result.summary()
    after = dump(p)
    p.undo(cmd)
    assert dump(p) == before
    p.redo(cmd)
    assert dump(p) == after
    p.undo(cmd)
    assert dump(p) == before


def test_a_role_is_not_given_to_a_speaker_the_project_had_already(rfc5, tmp_path):
    """Nadia's labels corrected to an existing participant: her mark goes with her name and
    does not make Mikeal Rogers an interviewer."""
    original, p, sid = rfc5
    report = _correct(p, tmp_path, original.replace("**Nadia Eghbal:**", "**Mikeal Rogers:**"))
    assert p.sources.speaker_roles() == {}
    assert report.turns.roles_dropped == [("Nadia Eghbal", "interviewer")]
    assert [s["speaker"] for s in speakers(p)] == ["Eric Holscher", "Mikeal Rogers"]


def test_a_subtitle_source_keeps_its_cue_turns_and_times_after_a_text_edit(fixtures_dir):
    """Its turns came from the cues, not from labels in the text: they move with the edit
    and keep their times (what a fresh detection in the text could not give)."""
    p, sid = _project(fixtures_dir / SRT, interviewer=None)
    text = p.sources.text(sid)
    old = _rows(p, sid)
    assert len(old) > 20 and all(r[5] for r in old)
    new = text.replace("Hello everyone", "Hello, everyone", 1)
    p.execute(ReplaceSourceText(sid, new))
    rows = _rows(p, sid)
    assert [(r[0], r[5]) for r in rows] == [(r[0], r[5]) for r in old]
    assert [r[1:5] for r in rows[1:]] == [tuple(x + 1 for x in r[1:5]) for r in old[1:]]
    p.close()


def test_pseudonymised_speakers_leave_no_real_name_in_the_turns(rfc5):
    _original, p, sid = rfc5
    p.execute(Pseudonymise({"Eric Holscher": "Ed Harper", "Nadia Eghbal": "Nina Ember"}))
    text = p.sources.text(sid)
    assert "Eric Holscher" not in text and "Nadia Eghbal" not in text
    assert {r[0] for r in p.conn.execute("SELECT speaker FROM speaker_turns")} == {
        "Ed Harper", "Mikeal Rogers", "Nina Ember"}
    assert _rows(p, sid) == _ordered(detect_turn_rows(text))  # the turns an import of the new text finds
    assert p.sources.speaker_roles() == {"Nina Ember": "interviewer"}
