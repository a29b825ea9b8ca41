"""Every command undoes to exactly the state before and redoes to exactly the state after."""

from __future__ import annotations

import pytest

from qualcoder_lite.core.errors import DuplicateError, UsageError
from qualcoder_lite.core.services.coding.autocode import Autocode
from qualcoder_lite.core.services.coding.codes import (AddCode, DeleteCode, MergeCodes, MoveCode, UpdateCode,
    codings_under)
from qualcoder_lite.core.services.coding.coding import (AdjustCoding, ApplyCode, RemoveCoding, SetCodingMemo,
    SetQuoteEdit)
from qualcoder_lite.core.services.coding.memos import AddMemo, EditMemo
from qualcoder_lite.core.services.matrix.summaries import SetCellSummary
from tests.helpers import add_text_source, dump

TEXT = "Interviewer: How was it?\n\nP1: It was fine. Dr. Who helped 😀 a lot.\nThen it got worse!\n\nInterviewer: Why?\n\nP1: Money.\n"


@pytest.fixture
def proj(project):
    add_text_source(project, "P1", TEXT, case="P1")
    project.execute(AddCode("Theme/Sub"))
    project.execute(AddCode("Theme/Other"))
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


def test_apply_code_undo_redo(proj):
    sub = proj.codes.find("Theme/Sub").id
    src = proj.sources.by_name("P1").id
    start = TEXT.index("It was fine")
    cmd = _roundtrip(proj, ApplyCode(src, sub, start, start + 12))
    assert cmd.name == "Apply 'Sub'"
    (coding,) = proj.codings.for_source(src)
    assert (coding.start, coding.end, coding.coder) == (start, start + 12, "tester")


def test_apply_code_names_its_code_and_refuses_a_missing_one(proj):
    assert [proj.codes.name(c.id) for c in proj.codes.all()] == [c.name for c in proj.codes.all()]
    src = proj.sources.by_name("P1").id
    missing = max(c.id for c in proj.codes.all()) + 1
    with pytest.raises(KeyError):
        proj.codes.name(missing)
    before = dump(proj)
    with pytest.raises(KeyError):
        proj.execute(ApplyCode(src, missing, 0, 5))
    assert dump(proj) == before


def test_apply_code_refuses_bad_spans_and_skips_duplicates(proj):
    sub = proj.codes.find("Theme/Sub").id
    src = proj.sources.by_name("P1").id
    with pytest.raises(UsageError):
        proj.execute(ApplyCode(src, sub, 5, 5))
    with pytest.raises(UsageError):
        proj.execute(ApplyCode(src, sub, 0, len(TEXT) + 1))
    proj.execute(ApplyCode(src, sub, 0, 4))
    again = ApplyCode(src, sub, 0, 4)
    proj.execute(again)
    assert again.result == [] and not again.changed_anything
    assert proj.codings.count() == 1


def test_coding_edits_round_trip(proj):
    sub = proj.codes.find("Theme/Sub").id
    src = proj.sources.by_name("P1").id
    apply = ApplyCode(src, sub, 0, 11)
    proj.execute(apply)
    cid = apply.result[0]
    _roundtrip(proj, AdjustCoding(cid, 2, 20))
    _roundtrip(proj, SetCodingMemo(cid, "interesting"))
    _roundtrip(proj, SetQuoteEdit(cid, "How … it?"))
    _roundtrip(proj, RemoveCoding(cid))


def test_code_tree_commands_round_trip(proj):
    sub = proj.codes.find("Theme/Sub").id
    other = proj.codes.find("Theme/Other").id
    _roundtrip(proj, AddCode("New/Deep/Leaf", description="d", color="#112233"))
    _roundtrip(proj, UpdateCode(sub, name="Renamed"))
    _roundtrip(proj, UpdateCode(sub, color="#abcdef", description="desc", memo="summary"))
    _roundtrip(proj, MoveCode(other, None))
    with pytest.raises(DuplicateError):
        proj.execute(AddCode("Theme/Renamed"))
    with pytest.raises(UsageError):
        proj.execute(MoveCode(proj.codes.find("Theme").id, sub))  # into its own child


def test_merge_moves_codings_and_drops_duplicates(proj):
    a = proj.codes.find("Theme/Sub").id
    b = proj.codes.find("Theme/Other").id
    src = proj.sources.by_name("P1").id
    proj.execute(ApplyCode(src, [a, b], 0, 11))  # identical span on both: a duplicate after merging
    proj.execute(ApplyCode(src, a, 30, 40))
    proj.execute(SetCellSummary(proj.cases.id_of("P1"), a, "cell of a"))
    cmd = _roundtrip(proj, MergeCodes(a, b))
    assert cmd.result == {"moved": 1, "dropped": 1}
    assert proj.codes.find("Theme/Sub") is None
    spans = sorted((c.start, c.end, c.code_id) for c in proj.codings.for_source(src))
    assert spans == [(0, 11, b), (30, 40, b)]
    assert proj.matrix.summaries() == {(proj.cases.id_of("P1"), b): "cell of a"}


def test_delete_code_with_codings_is_undoable(proj):
    theme = proj.codes.find("Theme").id
    sub = proj.codes.find("Theme/Sub").id
    src = proj.sources.by_name("P1").id
    proj.execute(ApplyCode(src, sub, 0, 11))
    proj.execute(AddMemo("code", "memo on sub", target_id=sub))
    assert codings_under(proj, theme) == 1
    _roundtrip(proj, DeleteCode(theme))
    assert proj.codes.count() == 0 or proj.codes.find("Theme") is None


def test_autocode_units_and_no_duplicates(proj):
    code = proj.codes.find("Theme/Sub").id
    src = proj.sources.by_name("P1").id
    cmd = _roundtrip(proj, Autocode(code, r"fine|worse", unit="sentence"))
    texts = sorted(TEXT[c.start:c.end] for c in proj.codings.for_source(src))
    assert texts == ["It was fine.", "Then it got worse!"]
    assert cmd.result.added == 2
    again = Autocode(code, r"fine|worse", unit="sentence")
    proj.execute(again)
    assert again.result.added == 0 and again.result.existing == 2


def test_autocode_speaker_and_interviewer(proj):
    code = proj.codes.find("Theme/Other").id
    cmd = Autocode(code, r"\w+\?", unit="turn", speaker="Interviewer")
    proj.execute(cmd)
    src = proj.sources.by_name("P1").id
    assert sorted(TEXT[c.start:c.end] for c in proj.codings.for_source(src)) == ["How was it?", "Why?"]


def test_autocode_skips_zero_width_and_bad_patterns(proj):
    code = proj.codes.find("Theme/Other").id
    cmd = Autocode(code, r"x*", unit="match")
    proj.execute(cmd)
    assert cmd.result.added == 0
    with pytest.raises(UsageError, match="not a valid regular expression"):
        Autocode(code, "(", unit="match")


def test_matrix_summary_and_memos_round_trip(proj):
    code = proj.codes.find("Theme").id
    case = proj.cases.id_of("P1")
    _roundtrip(proj, SetCellSummary(case, code, "Finds it fine, then worse."))
    _roundtrip(proj, SetCellSummary(case, code, "Edited."))
    _roundtrip(proj, SetCellSummary(case, code, ""))
    add = _roundtrip(proj, AddMemo("journal", "Day one.", title="2026-01-01"))
    _roundtrip(proj, EditMemo(add.result, body="Day one, revised."))


def test_failed_command_leaves_nothing(proj):
    before = dump(proj)
    with pytest.raises(DuplicateError):
        proj.execute(AddCode("Theme/Sub"))
    assert dump(proj) == before


def test_source_commands_round_trip(proj):
    from qualcoder_lite.core.services.sources.sources import (DeleteSource, RenameSource, SetSourceCases,
        SetSourceKind)

    src = proj.sources.by_name("P1").id
    proj.execute(ApplyCode(src, proj.codes.find("Theme/Sub").id, 0, 11))
    _roundtrip(proj, RenameSource(src, "P1 interview ☕"))
    assert proj.sources.get(src).name == "P1 interview ☕"
    _roundtrip(proj, SetSourceKind(src, "notes"))
    cmd = _roundtrip(proj, SetSourceCases(src, ["P2", "P9"]))
    assert proj.sources.get(src).cases == ("P2", "P9") and cmd.result == ["P2", "P9"]
    _roundtrip(proj, DeleteSource(src))
    add_text_source(proj, "Other", "Other text entirely.")
    third = add_text_source(proj, "Third", "A third text.")
    with pytest.raises(DuplicateError):
        proj.execute(RenameSource(third, "Other"))


def test_split_code_round_trip(proj):
    from qualcoder_lite.core.services.coding.codes import SplitCode

    sub = proj.codes.find("Theme/Sub").id
    src = proj.sources.by_name("P1").id
    a = ApplyCode(src, sub, 0, 11)
    b = ApplyCode(src, sub, 20, 30)
    proj.execute(a)
    proj.execute(b)
    cmd = _roundtrip(proj, SplitCode(sub, [b.result[0]], "Sub detail"))
    new = proj.codes.find("Theme/Sub/Sub detail")
    assert new.id == cmd.result
    assert {c.code_id for c in proj.codings.for_source(src)} == {sub, new.id}
    with pytest.raises(UsageError):
        proj.execute(SplitCode(sub, [b.result[0]], "Again"))  # no longer a coding of Sub


def test_preferences_never_clash_with_undone_settings(proj):
    from qualcoder_lite.core.commands import Command

    class SetSetting(Command):
        name = "Set a setting"

        def apply(self, project, rec):
            project.settings.set(rec, "undoable", {"x": 1})

    cmd = SetSetting()
    proj.execute(cmd)
    proj.undo(cmd)
    proj.settings.put("pinned_codes", [1, 2])  # outside the undo history
    proj.redo(cmd)  # the undone row comes back with its own id
    assert proj.settings.get("undoable") == {"x": 1} and proj.settings.get("pinned_codes") == [1, 2]


def test_deleting_or_merging_codes_keeps_sets_clean(proj):
    from qualcoder_lite.core.commands import Command
    from qualcoder_lite.core.services.sources.sources import DeleteSource

    sub = proj.codes.find("Theme/Sub").id
    other = proj.codes.find("Theme/Other").id
    src = proj.sources.by_name("P1").id

    class MakeSets(Command):
        name = "Sets"

        def apply(self, project, rec):
            cs = rec.insert("sets", {"guid": "g1", "name": "Barriers", "kind": "code"})
            rec.insert("set_members", {"set_id": cs, "member_id": sub})
            ss = rec.insert("sets", {"guid": "g2", "name": "Wave 1", "kind": "source"})
            rec.insert("set_members", {"set_id": ss, "member_id": src})

    proj.execute(MakeSets())
    _roundtrip(proj, MergeCodes(sub, other))
    members = [r[0] for r in proj.conn.execute("SELECT member_id FROM set_members m JOIN sets s ON s.id = m.set_id "
                                                  "WHERE s.kind = 'code'")]
    assert members == [other]  # the membership followed the merge
    _roundtrip(proj, DeleteCode(other))
    _roundtrip(proj, DeleteSource(src))
    assert proj.conn.execute("SELECT count(*) FROM set_members").fetchone()[0] == 0
    proj.execute(AddCode("Brand new"))  # may reuse a freed id: it joins no set
    assert proj.conn.execute("SELECT count(*) FROM set_members").fetchone()[0] == 0
