"""``Recorder.insert_many`` records each row as SQLite stored it: without reading the rows
back only when nothing can differ from the values given (every column given, no trigger,
each value of its column's type), by reading them back otherwise."""

from __future__ import annotations

from qualcoder_lite.core.changes import Changes
from qualcoder_lite.core.store.recorder import Recorder
from tests.helpers import add_text_source, dump

COLS = ("source_id", "speaker", "label_start", "label_end", "start", "end", "timestamp")


def stored(project, ids: list[int]) -> list[dict]:
    return [dict(project.conn.execute('SELECT * FROM speaker_turns WHERE id = ?', (i,)).fetchone()) for i in ids]


def insert(project, rows: list[tuple]):
    rec = Recorder(project.conn)
    with project.transaction():
        ids = rec.insert_many("speaker_turns", COLS, rows)
    return rec, ids


def test_rows_stored_as_given_are_recorded_as_given(project):
    sid = add_text_source(project, "A", "P1: hello there\n")
    rec, ids = insert(project, [(sid, "P1", 0, 3, 4, 15, None), (sid, "P2", 16, 19, 20, 30, "00:01")])
    assert [op.after for op in rec.ops] == stored(project, ids) and len(ids) == 2
    assert ids == [ids[0], ids[0] + 1]
    assert Changes.from_ops(rec.ops).source_ids == {sid} and Changes.from_ops(rec.ops).tables == {"speaker_turns"}


def test_values_sqlite_converts_are_recorded_as_stored(project):
    """A number given for a TEXT column is stored as text, a numeric text for an INTEGER
    column as a number: the record must hold what undo will find there."""
    sid = add_text_source(project, "A", "P1: hello there\n")
    before = dump(project)
    rec, ids = insert(project, [(sid, 7, 0, 3, 4, 15, None), (sid, "P2", "16", 19, 20, 30, 1.5)])
    rows = stored(project, ids)
    assert rows[0]["speaker"] == "7" and rows[1]["label_start"] == 16 and rows[1]["timestamp"] == "1.5"
    assert [op.after for op in rec.ops] == rows
    with project.transaction():
        rec.replay_undo(rec.ops)  # checks each row against its record first
    assert dump(project) == before


def test_changes_of_packed_records_equal_those_of_their_rows(project):
    """``Changes.from_ops`` reads packed records in runs (``PackedRowOp.many``'s, an import's
    sources and turns interleaved, NULLs in id columns): what it finds is what the same rows
    as plain ``RowOp``s give."""
    from qualcoder_lite.core.changes import PackedRowOp, RowOp

    sid = add_text_source(project, "A", "P1: hello there\n")
    rec = Recorder(project.conn)
    with project.transaction():
        rec.insert_many("speaker_turns", COLS, [(sid, "P1", 0, 3, 4, 15, None)] * 3)
        rec.insert("codes", {"guid": "g1", "name": "c1", "parent_id": None, "created": "x"})
        rec.insert_many("speaker_turns", COLS, [(sid, "P2", 16, 19, 20, 30, "00:01")])
    ops = rec.ops + PackedRowOp.many("case_sources", ("id", "case_id", "source_id"), [(1, None, sid), (2, 5, None)])
    ops += PackedRowOp.many("codings", ("id", "code_id", "source_id"), [(3, sid), (4, None)], ids=[70, 71])
    assert sum(type(op) is PackedRowOp for op in ops) >= 7 and any(type(op) is RowOp for op in ops)
    packed = Changes.from_ops(ops)
    plain = Changes.from_ops([RowOp(op.kind, op.table, op.before, op.after) for op in ops])
    assert packed == plain
    assert packed.case_ids == {5} and packed.coding_ids == {70, 71} and packed.code_ids >= {3, 4}
    assert [op.after for op in ops[-2:]] == [{"id": 70, "code_id": 3, "source_id": sid},
                                           {"id": 71, "code_id": 4, "source_id": None}]


def test_a_text_given_as_its_utf8_is_stored_as_that_text(project):
    """``Recorder.insert`` of a source whose text is given as its UTF-8 (an import's: never
    decoded) stores and records exactly what the ``str`` gives: TEXT, its length in
    characters, its CRC-32, the same undo record."""
    text = "Interviewer: café? 😀 — ſo\n\nP1: naïve, 中文\n"
    rows = []
    for i, given in enumerate((text, text.encode("utf-8"))):
        raw = text.encode("utf-8") if isinstance(given, str) else given
        rec = Recorder(project.conn)
        with project.transaction():
            sid = rec.insert("sources", {"guid": f"g{i}", "name": f"S{i}", "kind": "transcript", "text": given,
                                         "text_hash": f"h{i}", "words": 1, "file_format": "txt", "original_path": "x",
                                         "imported": "t", "imported_by": None, "word_index": b"ix"}, utf8={"text": raw})
        got = project.conn.execute("SELECT typeof(s.text), s.text, f.length, f.text_crc, f.word_index FROM sources s "
                                   "JOIN source_facts f ON f.source_id = s.id WHERE s.id = ?", (sid,)).fetchone()
        after = {k: v for k, v in rec.ops[0].after.items() if k not in ("id", "guid", "name", "text_hash")}
        rows.append((tuple(got), after))
    assert rows[0] == rows[1]
    assert rows[1][0][:3] == ("text", text, len(text)) and rows[1][1]["text"] == text
