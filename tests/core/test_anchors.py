"""Annotations, see-also links and summary links: commands undo and redo exactly, deleting a
source or a summary takes its anchored rows along and undo brings them back."""

from __future__ import annotations

import sqlite3

import pytest

from qualcoder_lite.core.errors import UsageError
from qualcoder_lite.core.services.anchors.annotations import (AddAnnotation, DeleteAnnotation, EditAnnotation,
    annotations)
from qualcoder_lite.core.services.anchors.links import AddLink, DeleteLink, links
from qualcoder_lite.core.services.anchors.summary_links import (AddSummaryLink, DeleteSummaryLink, by_cell,
    phrase_spans, summary_links)
from qualcoder_lite.core.services.coding.codes import AddCode, DeleteCode
from qualcoder_lite.core.services.matrix.summaries import SetCellSummary
from qualcoder_lite.core.services.sources.sources import DeleteSource
from qualcoder_lite.core.store.schema import ANCHORED_SPANS, CASCADES
from tests.helpers import add_text_source, dump

TEXT_A = "P1: The reforms 😀 were rushed.\nWe had no time to plan.\n"
TEXT_B = "P2: Funding came late.\nThe cluster met monthly.\n"


@pytest.fixture
def proj(project):
    add_text_source(project, "P1", TEXT_A, case="P1")
    add_text_source(project, "P2", TEXT_B, case="P2")
    return project


def _roundtrip(project, cmd):
    before = dump(project)
    project.execute(cmd)
    after = dump(project)
    assert after != before, f"{cmd.name} changed nothing"
    project.undo(cmd)
    assert dump(project) == before
    project.redo(cmd)
    assert dump(project) == after
    return cmd


def _sid(p, name):
    return p.sources.by_name(name).id


def test_add_edit_delete_annotation_undo_redo(proj):
    a = _sid(proj, "P1")
    start = TEXT_A.index("were rushed")
    cmd = _roundtrip(proj, AddAnnotation(a, start, start + 11, "Check against the board minutes"))
    (ann,) = annotations(proj)
    assert ann.id == cmd.result
    assert ann.as_dict() == {"source": "P1", "start": start, "end": start + 11,
                             "text": "Check against the board minutes", "author": "tester", "created": ann.created}
    _roundtrip(proj, EditAnnotation(ann.id, "Checked: yes"))
    assert annotations(proj)[0].text == "Checked: yes"
    _roundtrip(proj, DeleteAnnotation(ann.id))
    assert annotations(proj) == []


def test_annotation_refuses_bad_span_and_empty_text(proj):
    a = _sid(proj, "P1")
    with pytest.raises(UsageError):
        proj.execute(AddAnnotation(a, 3, 3, "x"))
    with pytest.raises(UsageError):
        proj.execute(AddAnnotation(a, 0, len(TEXT_A) + 1, "x"))
    with pytest.raises(UsageError):
        AddAnnotation(a, 0, 2, "   ")


def test_annotations_are_neither_codings_nor_memos(proj):
    a = _sid(proj, "P1")
    proj.execute(AddAnnotation(a, 0, 3, "note"))
    assert proj.conn.execute("SELECT count(*) FROM codings").fetchone()[0] == 0
    assert proj.conn.execute("SELECT count(*) FROM memos").fetchone()[0] == 0


def test_links_to_passage_and_whole_source_listed_per_source(proj):
    a, b = _sid(proj, "P1"), _sid(proj, "P2")
    to_passage = _roundtrip(proj, AddLink(a, 4, 15, b, 4, 22))
    _roundtrip(proj, AddLink(a, 20, 30, b))
    assert [ln.as_dict()["to_start"] for ln in links(proj, a)] == [4, None]
    # listed from the target's side too
    assert [ln.id for ln in links(proj, b)] == [ln.id for ln in links(proj, a)]
    d = links(proj)[0].as_dict()
    assert {k: d[k] for k in ("source", "start", "end", "to_source", "to_start", "to_end")} == {
        "source": "P1", "start": 4, "end": 15, "to_source": "P2", "to_start": 4, "to_end": 22}
    assert links(proj)[1].to_whole_source
    _roundtrip(proj, DeleteLink(to_passage.result))
    assert len(links(proj)) == 1


def test_link_refuses_half_target_and_itself(proj):
    a = _sid(proj, "P1")
    with pytest.raises(UsageError):
        AddLink(a, 0, 3, a, 5, None)
    with pytest.raises(UsageError):
        proj.execute(AddLink(a, 0, 3, a, 0, 3))
    with pytest.raises(UsageError):
        proj.execute(AddLink(a, 0, 3, 999))


def test_delete_source_takes_its_anchors_and_undo_brings_them_back(proj):
    a, b = _sid(proj, "P1"), _sid(proj, "P2")
    proj.execute(AddAnnotation(a, 0, 3, "on P1"))
    proj.execute(AddAnnotation(b, 0, 3, "on P2"))
    proj.execute(AddLink(b, 4, 10, a, 0, 3))  # P2 -> P1: goes with P1 too
    code = proj.execute(AddCode("Theme"))
    code_id = proj.codes.find("Theme").id
    case = proj.cases.all()[0].id
    proj.execute(SetCellSummary(case, code_id, "Reforms rushed, no time"))
    proj.execute(AddSummaryLink("case", case, code_id, "Reforms rushed", a, 4, 15))
    assert code
    before = dump(proj)
    cmd = DeleteSource(a)
    proj.execute(cmd)
    assert [x.source for x in annotations(proj)] == ["P2"]
    assert links(proj) == [] and summary_links(proj) == []
    proj.undo(cmd)
    assert dump(proj) == before
    proj.redo(cmd)
    assert links(proj) == []


def test_summary_links_commands_and_clearing_the_summary(proj):
    a = _sid(proj, "P1")
    proj.execute(AddCode("Theme"))
    code_id = proj.codes.find("Theme").id
    case = proj.cases.all()[0].id
    with pytest.raises(UsageError):  # no summary yet
        proj.execute(AddSummaryLink("case", case, code_id, "rushed", a, 4, 15))
    proj.execute(SetCellSummary(case, code_id, "Reforms rushed; no time to plan"))
    with pytest.raises(UsageError):
        proj.execute(AddSummaryLink("case", case, code_id, "not there", a, 4, 15))
    _roundtrip(proj, AddSummaryLink("case", case, code_id, "rushed", a, 4, 15))
    # one passage per phrase: linking it again replaces the link, in one undoable step
    _roundtrip(proj, AddSummaryLink("case", case, code_id, "rushed", a, 16, 30))
    assert [(x.phrase, x.start) for x in summary_links(proj)] == [("rushed", 16)]
    assert list(by_cell(proj, "case")) == [(case, code_id)]
    clear = _roundtrip(proj, SetCellSummary(case, code_id, ""))
    assert clear.done and summary_links(proj) == []
    proj.undo(clear)
    _roundtrip(proj, DeleteSummaryLink(summary_links(proj)[0].id))
    # deleting the code deletes its cells and their links, undoably
    proj.execute(AddSummaryLink("case", case, code_id, "no time", a, 0, 3))
    before = dump(proj)
    delete = DeleteCode(code_id)
    proj.execute(delete)
    assert summary_links(proj) == []
    proj.undo(delete)
    assert dump(proj) == before


def test_phrase_spans_first_non_overlapping_occurrence():
    class L:
        def __init__(self, phrase):
            self.phrase = phrase

    a, b, c = L("no time"), L("time"), L("absent")
    spans = phrase_spans("no time, time again", [b, a, c])
    assert [(s, e, x.phrase) for s, e, x in spans] == [(0, 7, "no time"), (9, 13, "time")]


def test_schema_cascades_match_the_recorder_map(proj):
    conn: sqlite3.Connection = proj.conn
    found: dict[str, set] = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
            if fk["on_delete"] == "CASCADE":
                found.setdefault(fk["table"], set()).add((table, fk["from"]))
    assert found == {parent: set(children) for parent, children in CASCADES.items()}
    for table, sid, start, end in ANCHORED_SPANS:
        cols = {r["name"] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        assert {sid, start, end} <= cols


def test_pseudonymisation_moves_anchors_and_replaces_annotation_text(project):
    from qualcoder_lite.core.services.privacy.pseudonymise import Pseudonymise

    text = "P1: Dr Smith said the reforms were rushed.\nDr Smith left in May.\n"
    a = add_text_source(project, "P1", text, case="P1")
    b = add_text_source(project, "P2", TEXT_B, case="P2")
    rushed = (text.index("the reforms"), text.index(" were"))
    left = (text.index("left"), text.index(" in May"))
    project.execute(AddAnnotation(a, *rushed, "Dr Smith again"))
    project.execute(AddLink(a, *left, a, *rushed))
    project.execute(AddLink(b, 0, 3, a, *left))
    project.execute(AddCode("Theme"))
    code = project.codes.find("Theme").id
    case = project.cases.all()[0].id
    project.execute(SetCellSummary(case, code, "Dr Smith says rushed"))
    project.execute(AddSummaryLink("case", case, code, "Dr Smith says", a, *rushed))
    before = dump(project)
    cmd = Pseudonymise({"Dr Smith": "[GP_A]"})
    project.execute(cmd)
    new = project.sources.text(a)
    (ann,) = annotations(project)
    assert new[ann.start:ann.end] == "the reforms" and ann.text == "[GP_A] again"
    own, other = sorted(links(project), key=lambda x: x.source)
    assert new[own.start:own.end] == "left" and new[own.target_start:own.target_end] == "the reforms"
    assert new[other.target_start:other.target_end] == "left"
    (sl,) = summary_links(project)
    assert sl.phrase == "[GP_A] says" and new[sl.start:sl.end] == "the reforms"
    project.undo(cmd)
    assert dump(project) == before
