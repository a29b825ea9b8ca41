"""Merging a colleague's copy: nothing lost, nothing duplicated, conflicts listed, one undo."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3

import pytest

from qualcoder_lite.core import codepath
from qualcoder_lite.core.commands import Command
from qualcoder_lite.core.errors import ProjectError, QualCoderError, UsageError
from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.sources.attributes import SetAttributeValue
from qualcoder_lite.core.services.coding.codes import AddCode, MoveCode, UpdateCode
from qualcoder_lite.core.services.coding.coding import AdjustCoding, ApplyCode, SetCodingMemo
from qualcoder_lite.core.services.team.merge import merge_copy, prepare_merge
from qualcoder_lite.core.store import database
from qualcoder_lite.core.store.schema import MIGRATIONS
from tests.helpers import add_text_source, dump


def codings_of(project) -> set[tuple]:
    """Every coding by identity that survives a merge: (text hash, code GUID, coder, start, end)."""
    rows = project.conn.execute(
        'SELECT s.text_hash, c.guid, k.name, g.start, g."end" FROM codings g JOIN sources s ON s.id = g.source_id '
        "JOIN codes c ON c.id = g.code_id JOIN coders k ON k.id = g.coder_id").fetchall()
    out = [tuple(r) for r in rows]
    assert len(out) == len(set(out)), "duplicate codings"
    return set(out)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _span(project, source: str, phrase: str) -> tuple[int, int, int]:
    sid = project.sources.by_name(source).id
    text = project.sources.text(sid)
    s = text.index(phrase)
    return sid, s, s + len(phrase)


@pytest.fixture
def copies(demo_file, tmp_path):
    """Two diverged copies of the demo: ``mine`` (alex) and ``theirs`` (sam's laptop)."""
    theirs = tmp_path / "theirs.qlite"
    shutil.copy(demo_file, theirs)
    with open_project(demo_file, coder="alex") as p:
        code = p.codes.find("Referral pathways/Quality of referrals").id
        sid, s, e = _span(p, "GP01", "We need clearer criteria")
        p.execute(ApplyCode(sid, code, s, e))
        p.execute(ApplyCode(p.sources.by_name("LW02").id, code, 0, 40))
    with open_project(theirs, coder="sam") as p:
        code = p.codes.find("Referral pathways/Quality of referrals")
        sid, s, e = _span(p, "GP01", "We need clearer criteria")
        p.execute(ApplyCode(sid, code.id, s, e))  # sam codes the same words (not a duplicate: other coder)
        p.execute(ApplyCode(sid, code.id, s, e, coder="alex"))  # identical to alex's coding in mine
        p.execute(ApplyCode(sid, code.id, 100, 180))
        p.execute(UpdateCode(code.id, name="Referral quality"))  # renamed in theirs
        p.execute(AddCode("Inductive/Brand new code"))
        new = p.codes.find("Inductive/Brand new code").id
        p.execute(ApplyCode(sid, new, 5, 25, coder="kim"))  # a third coder
        add_text_source(p, "LW09", "Interviewer: Hi.\n\nLW09: Hello there. It went well.\n", case="LW09")
        p.execute(ApplyCode(p.sources.by_name("LW09").id, new, 25, 36))
    return demo_file, theirs


def test_merge_keeps_every_coding_of_both_without_duplicates(copies):
    mine_path, theirs_path = copies
    with open_project(theirs_path) as t:
        theirs = codings_of(t)
    theirs_hash = sha(theirs_path)
    with open_project(mine_path, coder="alex") as p:
        mine = codings_of(p)
        before = dump(p)
        n_before = p.codings.count()
        cmd = merge_copy(p, theirs_path)
        report = cmd.result
        merged = codings_of(p)
        # every coding of both copies, each once
        assert merged == mine | theirs
        common = mine & theirs
        assert p.codings.count() == len(mine) + len(theirs) - len(common)
        assert report.counts["codings_added"] == len(theirs - mine) == p.codings.count() - n_before
        assert report.counts["codings_duplicate"] == len(common)
        # new coder, code (with its parent), source with turns and case
        assert report.counts["coders_added"] == 1 and p.coders.id_of("kim") is not None
        assert p.codes.find("Inductive/Brand new code") is not None
        assert report.counts["codes_added"] == 2
        lw09 = p.sources.by_name("LW09")
        assert lw09 is not None and lw09.cases == ("LW09",)
        assert len(p.sources.turns(lw09.id)) == 2
        assert report.counts["sources_added"] == 1 and report.counts["sources_matched"] == 8
        # the rename is a conflict: this copy's name kept, the codings merged onto it
        renamed = [c for c in report.conflicts if c.kind == "code_renamed"]
        assert len(renamed) == 1
        assert renamed[0].here == "Referral pathways/Quality of referrals"
        assert renamed[0].there == "Referral pathways/Referral quality"
        assert p.codes.find("Referral pathways/Quality of referrals") is not None
        assert p.codes.find("Referral pathways/Referral quality") is None
        after = dump(p)
        # one undo restores exactly; redo exactly again
        p.undo(cmd)
        assert dump(p) == before
        p.redo(cmd)
        assert dump(p) == after
    assert sha(theirs_path) == theirs_hash  # the colleague's file is never modified


def test_merging_twice_adds_nothing(copies):
    mine_path, theirs_path = copies
    with open_project(mine_path) as p:
        merge_copy(p, theirs_path)
        state = dump(p)
        again = merge_copy(p, theirs_path)
        assert again.result.counts["codings_added"] == 0
        assert again.result.counts["sources_added"] == 0 and again.result.counts["codes_added"] == 0
        assert dump(p) == state
        assert not again.changed_anything


def test_merge_is_symmetric_in_what_it_keeps(copies):
    mine_path, theirs_path = copies
    with open_project(mine_path) as p:
        mine = codings_of(p)
    with open_project(theirs_path) as t:
        theirs = codings_of(t)
        merge_copy(t, mine_path)
        assert codings_of(t) == mine | theirs


def test_same_name_different_text_is_added_under_a_new_name(project, tmp_path):
    from qualcoder_lite.core.project import new_project

    add_text_source(project, "P1", "My version of the text.")
    other = tmp_path / "bob.qlite"
    with new_project(other, coder="bob") as o:
        add_text_source(o, "P1", "A different interview altogether.")
        o.execute(AddCode("C"))
        o.execute(ApplyCode(o.sources.by_name("P1").id, o.codes.find("C").id, 2, 11))
    report = merge_copy(project, other).result
    names = sorted(s.name for s in project.sources.all())
    assert names == ["P1", "P1 (bob)"]
    assert [c.kind for c in report.conflicts] == ["source_name_taken"]
    moved = project.codings.for_source(project.sources.by_name("P1 (bob)").id)
    assert [(c.start, c.end, c.coder) for c in moved] == [(2, 11, "bob")]


def test_source_matched_by_content_not_name(project, tmp_path):
    from qualcoder_lite.core.project import new_project

    add_text_source(project, "Interview 1", "Same words here.")
    other = tmp_path / "bob.qlite"
    with new_project(other, coder="bob") as o:
        add_text_source(o, "P1-renamed", "Same words here.")
        o.execute(AddCode("C"))
        o.execute(ApplyCode(o.sources.by_name("P1-renamed").id, o.codes.find("C").id, 0, 4))
    report = merge_copy(project, other).result
    assert [s.name for s in project.sources.all()] == ["Interview 1"]
    assert report.counts["sources_matched"] == 1
    assert [c.kind for c in report.conflicts] == ["source_renamed"]
    assert len(project.codings.for_source(project.sources.by_name("Interview 1").id)) == 1


def test_code_matched_by_path_when_guids_differ(project, tmp_path):
    from qualcoder_lite.core.project import new_project

    sid = add_text_source(project, "P1", "Same words here.")
    project.execute(AddCode("Theme/Sub"))
    other = tmp_path / "bob.qlite"
    with new_project(other, coder="bob") as o:
        osid = add_text_source(o, "P1", "Same words here.")
        o.execute(AddCode("Theme/Sub"))  # created independently: another GUID, same path
        o.execute(AddCode("Theme/Sub/Deeper"))
        o.execute(ApplyCode(osid, o.codes.find("Theme/Sub/Deeper").id, 0, 4))
    report = merge_copy(project, other).result
    assert [c.path_str for c in project.codes.all()] == ["Theme", "Theme/Sub", "Theme/Sub/Deeper"]
    assert report.counts["codes_matched"] == 2 and report.counts["codes_added"] == 1
    assert len(project.codings.for_source(sid)) == 1


def test_code_moved_and_renamed_parent(copies):
    mine_path, theirs_path = copies
    with open_project(theirs_path) as t:
        parent = t.codes.find("Referral pathways")
        t.execute(UpdateCode(parent.id, name="Referrals"))
        t.execute(AddCode("Referrals/Another new one"))
        child = t.codes.find("Referrals/Routes into the service")
        t.execute(MoveCode(child.id, None))
    with open_project(mine_path) as p:
        report = merge_copy(p, theirs_path).result
        kinds = sorted(c.kind for c in report.conflicts)
        assert "code_moved" in kinds and kinds.count("code_renamed") == 2
        # a new child of a renamed parent lands under this copy's parent
        assert p.codes.find("Referral pathways/Another new one") is not None


def test_coding_adjusted_in_one_copy_keeps_both_and_is_listed(copies):
    mine_path, theirs_path = copies
    with open_project(theirs_path) as t:
        sid = t.sources.by_name("LW01").id
        first = t.codings.for_source(sid)[0]
        t.execute(AdjustCoding(first.id, first.start, first.end + 3))
        t.execute(SetCodingMemo(t.codings.for_source(sid)[1].id, "sam's note"))
    with open_project(mine_path) as p:
        before = p.codings.count()
        report = merge_copy(p, theirs_path).result
        changed = [c for c in report.conflicts if c.kind == "coding_changed"]
        assert len(changed) == 1 and changed[0].resolution == "kept both"
        assert p.codings.count() == before + report.counts["codings_added"]


def test_attribute_values_added_conflicts_listed(copies):
    mine_path, theirs_path = copies
    with open_project(theirs_path) as t:
        attr = t.attributes.by_name("sex", "case")
        t.execute(SetAttributeValue(attr.id, "F", case_id=t.cases.id_of("GP01")))  # conflicts with 'M'
        t.execute(SetAttributeValue(t.attributes.by_name("years_in_post", "case").id, "3",
                                    case_id=t.cases.id_of("LW04")))
    with open_project(mine_path) as p:
        report = merge_copy(p, theirs_path).result
        vals = p.attributes.case_values()
        assert vals[p.cases.id_of("GP01")]["sex"] == "M"  # not overwritten
        assert vals[p.cases.id_of("LW04")]["years_in_post"] == "3"  # empty here: filled
        conflicts = [c for c in report.conflicts if c.kind == "attribute_value"]
        assert [(c.here, c.there) for c in conflicts] == [("M", "F")]
        assert "sex" in conflicts[0].what and "GP01" in conflicts[0].what


def test_edited_source_text_is_a_conflict_not_a_silent_match(project, tmp_path):
    from qualcoder_lite.core.project import new_project

    sid = add_text_source(project, "P1", "Original words of the interview.")
    other = tmp_path / "bob.qlite"
    with new_project(other, coder="bob") as o:
        osid = add_text_source(o, "P1", "Original words of the interview.")
        o.execute(AddCode("C"))
        o.execute(ApplyCode(osid, o.codes.find("C").id, 0, 8))

        class Edit(Command):  # stands in for a text edit that keeps the import hash
            def apply(self, p, rec):
                rec.update("sources", osid, {"text": "EDITED words of the interview."})

        o.execute(Edit())
    report = merge_copy(project, other).result
    assert [c.kind for c in report.conflicts] == ["source_text_differs"]
    assert sorted(s.name for s in project.sources.all()) == ["P1", "P1 (bob)"]
    assert project.codings.for_source(sid) == []


def test_merge_into_itself_is_refused(demo_file):
    with open_project(demo_file) as p:
        with pytest.raises(UsageError, match="is this project"):
            prepare_merge(p, demo_file)


def test_not_a_project_names_the_file_and_changes_nothing(demo_file, tmp_path):
    bad = tmp_path / "notes.qlite"
    bad.write_text("hello")
    with open_project(demo_file) as p:
        before = dump(p)
        with pytest.raises(ProjectError) as err:
            merge_copy(p, bad)
        assert str(bad) in str(err.value) and "copy.qlite" not in str(err.value)
        with pytest.raises(QualCoderError, match="no such file"):
            merge_copy(p, tmp_path / "missing.qlite")
        assert dump(p) == before


def test_merge_a_qdpx_from_a_colleague(copies, tmp_path):
    from qualcoder_lite.core.services.refi.interop import export_qdpx

    mine_path, theirs_path = copies
    qdpx = tmp_path / "theirs.qdpx"
    with open_project(theirs_path) as t:
        export_qdpx(t, qdpx)
        theirs = codings_of(t)
    digest = sha(qdpx)
    with open_project(mine_path) as p:
        mine = codings_of(p)
        before = dump(p)
        cmd = merge_copy(p, qdpx)
        report = cmd.result
        assert report.counts["sources_matched"] == 8 and report.counts["sources_added"] == 1
        assert codings_of(p) == mine | theirs  # same texts, same code GUIDs through REFI-QDA
        assert [c.kind for c in report.conflicts if c.kind.startswith("code_")] == ["code_renamed"]
        p.undo(cmd)
        assert dump(p) == before
    assert sha(qdpx) == digest


def test_broken_qdpx_names_the_file(demo_file, tmp_path):
    q = tmp_path / "colleague.qdpx"
    q.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    with open_project(demo_file) as p:
        before = dump(p)
        with pytest.raises(QualCoderError, match="colleague.qdpx"):
            merge_copy(p, q)
        assert dump(p) == before


def _v1_project(path):
    """A project file at schema version 1, written with the version-1 SQL itself."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {database.APPLICATION_ID}")
    database.migrate(conn, 0, 1)
    assert 2 in MIGRATIONS
    now = "2024-01-01T00:00:00+00:00"
    conn.execute("INSERT INTO coders(id, guid, name, color, created) VALUES (1, 'g-old', 'olga', NULL, ?)", (now,))
    text = "Old interview text."
    import hashlib as h

    conn.execute("INSERT INTO sources(id, guid, name, text, text_hash, imported) VALUES (1, 's-old', 'OLD', ?, ?, ?)",
                 (text, h.sha256(text.encode()).hexdigest(), now))
    conn.execute("INSERT INTO codes(id, guid, name, created) VALUES (1, 'c-old', 'Old code', ?)", (now,))
    conn.execute('INSERT INTO codings(guid, source_id, code_id, coder_id, start, "end", created) '
                 "VALUES ('k-old', 1, 1, 1, 0, 3, ?)", (now,))
    conn.close()


def test_older_schema_copy_is_migrated_in_a_temporary_copy(demo_file, tmp_path):
    old = tmp_path / "old.qlite"
    _v1_project(old)
    digest = sha(old)
    with open_project(demo_file) as p:
        report = merge_copy(p, old).result
        assert report.counts["codings_added"] == 1
        assert p.codes.find("Old code") is not None and p.coders.id_of("olga") is not None
    assert sha(old) == digest
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_report_lists_and_serialises(copies):
    mine_path, theirs_path = copies
    with open_project(mine_path) as p:
        report = merge_copy(p, theirs_path).result
    d = report.as_dict()
    assert d["other"] == "theirs" and d["codings_added"] == report.counts["codings_added"]
    assert {"kind", "what", "here", "there", "resolution"} <= set(d["conflicts"][0])
    text = "\n".join(report.lines())
    assert "Referral quality" in text and "codings added" in text
    assert codepath.join(["Referral pathways", "Quality of referrals"]) in text


def test_merged_coders_get_distinct_colours(project, tmp_path):
    """Each copy gave its first coder the palette's first colour; after the merge every
    coder has a colour of their own (the colleague's own colour is kept when it is free)."""
    from qualcoder_lite.core.project import new_project

    add_text_source(project, "P1", "Same words here.")
    project.execute(AddCode("C"))
    project.execute(ApplyCode(project.sources.by_name("P1").id, project.codes.find("C").id, 0, 4))
    other = tmp_path / "bob.qlite"
    with new_project(other, coder="bob") as o:
        add_text_source(o, "P1", "Same words here.")
        o.execute(AddCode("C"))
        code = o.codes.find("C").id
        o.execute(ApplyCode(o.sources.by_name("P1").id, code, 5, 10))
        o.execute(ApplyCode(o.sources.by_name("P1").id, code, 11, 15, coder="kim"))
        o.conn.execute("UPDATE coders SET color = '#123456' WHERE name = 'kim'")
    mine = {c.name: c.color for c in project.coders.all()}
    merge_copy(project, other)
    colours = {c.name: c.color for c in project.coders.all()}
    assert set(colours) == set(mine) | {"bob", "kim"}
    assert len(set(c.lower() for c in colours.values())) == len(colours), colours
    assert colours["kim"] == "#123456"
    assert all(colours[n] == c for n, c in mine.items())  # this copy's coders keep theirs


def test_a_merge_holds_only_the_texts_it_adds_and_lets_go_of_the_other_copy(copies):
    """The other copy's texts this project already has are matched by digest, never held; the
    command on the undo stack keeps its recorded rows, not the other copy."""
    mine_path, theirs_path = copies
    with open_project(mine_path, coder="alex") as p:
        cmd = prepare_merge(p, theirs_path)
        held = {s["name"]: "text" in s for s in cmd.snap.sources}
        assert held.pop("LW09") is True  # new here: its text and turns are read
        assert held and not any(held.values())
        assert set(cmd.snap.turns) == {s["id"] for s in cmd.snap.sources if s["name"] == "LW09"}
        p.execute(cmd)
        assert cmd.snap is None
        assert p.sources.text(p.sources.by_name("LW09").id) == "Interviewer: Hi.\n\nLW09: Hello there. It went well.\n"
        p.undo(cmd)
        assert p.sources.by_name("LW09") is None
        p.redo(cmd)
        assert len(p.sources.turns(p.sources.by_name("LW09").id)) == 2
