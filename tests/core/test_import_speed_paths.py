"""The fast import paths (issue 17) change how an import is done, never what it stores:
the word index built in pieces is the same bytes, the speaker turns written with one
``executemany`` undo and redo exactly, files read in worker processes give the same project
as files read here, a long text reports progress while it is indexed, and Cancel there leaves
the project as it was."""

from __future__ import annotations

import random
import re
import sys
import threading
import types

import pytest

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.project import memory_project
from qualcoder_lite.core.services.sources import reading
from qualcoder_lite.core.services.sources.importing import CaseRule, import_files
from qualcoder_lite.core.store import word_index as W
from tests.helpers import dump

_TURNS = "Interviewer: How was it?\n\nP1: It was fine_ish, really — the İstanbul office, ſo to say.\n\n"


def _text(seed: int, words: int) -> str:
    rng = random.Random(seed)
    vocab = ["the", "The", "practice", "ward", "nurse_led", "İx", "STRASSE", "straße", "K", "emoji😀", "x" * 300]
    out = [_TURNS]
    for _ in range(words):
        out.append(rng.choice(vocab))
        out.append(rng.choice([" ", " ", ", ", ".\n", "\n\nP1: ", "\n\nInterviewer: ", " " * 260]))
    return "".join(out)


@pytest.mark.parametrize("seed", range(8))
def test_index_in_pieces_is_the_same_bytes(seed):
    text = _text(seed, 3000)
    whole = W.build_word_index(text, piece_chars=len(text) + 1)
    for size in (1, 13, 500, 4096):
        assert W.build_word_index(text, piece_chars=size) == whole


def test_index_token_count_is_the_word_count():
    for seed in range(4):
        text = _text(seed, 500).replace("_", "-")
        assert W.index_tokens(W.build_word_index(text)) == len(re.findall(r"\w+", text))
        assert reading.words_of(text + " a_b", W.build_word_index(text + " a_b")) == len(
            re.findall(r"\w+", text + " a_b"))


def _files(tmp_path, n: int, words: int = 400):
    paths = []
    for i in range(n):
        p = tmp_path / f"P{i:02d} interview.txt"
        p.write_text(_text(100 + i, words), encoding="utf-8")
        paths.append(p)
    return paths


def _stored(project) -> dict:
    """The project's rows without what differs on every run (GUIDs, timestamps)."""
    out = dump(project)
    cols = [c[1] for c in project.conn.execute("PRAGMA table_info(sources)")]
    keep = [i for i, c in enumerate(cols) if c not in ("guid", "imported")]
    out["sources"] = [tuple(r[i] for i in keep) for r in out["sources"]]
    out["cases"] = [r[2:3] for r in out["cases"]]
    out.pop("coders")
    return out


def test_pool_and_in_process_store_the_same(tmp_path, monkeypatch):
    paths = _files(tmp_path, 9)
    here = memory_project(coder="alex")
    import_files(here, paths, CaseRule(pattern=r"^(P\d+)"))
    monkeypatch.setattr(reading, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(reading, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)
    pooled = memory_project(coder="alex")
    import_files(pooled, paths, CaseRule(pattern=r"^(P\d+)"))
    assert _stored(pooled) == _stored(here)


def test_pool_raises_the_in_process_error(tmp_path, monkeypatch):
    paths = _files(tmp_path, 4)
    bad = tmp_path / "P99 broken.txt"
    bad.write_bytes(b"\x00\x01binary\x00")
    monkeypatch.setattr(reading, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(reading, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)
    project = memory_project(coder="alex")
    with pytest.raises(InputError, match="binary"):
        import_files(project, paths[:2] + [bad] + paths[2:])
    assert project.sources.count() == 0


def test_a_job_thread_reads_in_workers_too(tmp_path, monkeypatch):
    """Off the main thread (the GUI's import job) the files are read by workers from a fork
    server: each comes back as UTF-8 (what a worker sends; this process reads a ``str``), its
    turns as row values, and as read here."""
    paths = _files(tmp_path, 9)
    here = [(p, r.text.encode("utf-8"), r.format, r.turns, r.word_index, r.words)
            for p, r in reading.read_files(paths)]
    monkeypatch.setattr(reading, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(reading, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)
    got: list = []
    job = threading.Thread(target=lambda: got.extend(reading.read_files(paths)))
    job.start()
    job.join()
    assert all(isinstance(r.text, bytes) and r.utf8 is None for _, r in got)
    assert all(type(t) is tuple for _, r in got for t in r.turns)
    assert [(p, r.text, r.format, r.turns, r.word_index, r.words) for p, r in got] == here


def test_a_job_thread_of_a_script_without_the_main_guard_reads_here(tmp_path, monkeypatch):
    """A fork server imports the program's main module: a script without the
    ``if __name__ == "__main__":`` guard would run again there, so its job threads read here."""
    paths = _files(tmp_path, 9)
    monkeypatch.setattr(reading, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(reading, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)
    script = tmp_path / "unguarded.py"
    script.write_text("print('this would run again')\n", encoding="utf-8")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    got: list = []
    job = threading.Thread(target=lambda: got.extend(reading.read_files(paths)))
    job.start()
    job.join()
    assert [type(r.text) for _, r in got] == [str] * len(paths)
    script.write_text('"""Use it so:\nif __name__ == "__main__":\n    main()\n"""\nprint("runs again")\n', encoding="utf-8")
    reading._guarded.cache_clear()
    assert not reading._server_safe()  # the guard only in a docstring
    script.write_text("def main():\n    pass\n\n\nif __name__ == '__main__':\n    main()\n", encoding="utf-8")
    reading._guarded.cache_clear()
    assert reading._server_safe()


def test_turns_in_bulk_undo_and_redo_exactly(tmp_path):
    project = memory_project(coder="alex")
    before = dump(project)
    paths = _files(tmp_path, 3)
    from qualcoder_lite.core.services.sources.importing import ImportSources, prepare

    cmd = ImportSources(prepare(paths, CaseRule(pattern=r"^(P\d+)")))
    project.execute(cmd)
    after = dump(project)
    assert len(after["speaker_turns"]) > 10
    turn_ops = [op for op in cmd.ops if op.table == "speaker_turns"]
    assert [op.after for op in turn_ops] == [
        dict(zip([c[1] for c in project.conn.execute("PRAGMA table_info(speaker_turns)")], row))
        for row in after["speaker_turns"]]
    source_cols = [c[1] for c in project.conn.execute("PRAGMA table_info(sources)")]
    indexes = [r[0] for r in project.conn.execute("SELECT word_index FROM source_facts ORDER BY source_id")]
    assert [op.after for op in cmd.ops if op.table == "sources"] == [  # texts kept as UTF-8, given back as str
        dict(zip(source_cols, row), word_index=index) for row, index in zip(after["sources"], indexes)]
    project.undo(cmd)
    assert dump(project) == before
    project.redo(cmd)
    assert dump(project) == after


def test_a_long_text_reports_progress_while_indexed(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "PIECE_CHARS", 2_000)
    monkeypatch.setattr(W.build_word_index, "__defaults__", (None, 2_000, None))
    path = tmp_path / "long.txt"
    path.write_text(_text(7, 6000), encoding="utf-8")
    labels = []
    project = memory_project(coder="alex")
    import_files(project, [path], progress=lambda d, t, label: labels.append(label) or True)
    indexing = [x for x in labels if x.startswith("Indexing long.txt: ")]
    assert len(indexing) >= 10
    percents = [int(x.rsplit(" ", 2)[1]) for x in indexing]
    assert percents == sorted(percents) and percents[-1] == 100


def test_cancel_while_indexing_leaves_the_project_unchanged(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "PIECE_CHARS", 2_000)
    monkeypatch.setattr(W.build_word_index, "__defaults__", (None, 2_000, None))
    path = tmp_path / "long.txt"
    path.write_text(_text(8, 6000), encoding="utf-8")
    project = memory_project(coder="alex")
    from tests.helpers import add_text_source

    add_text_source(project, "earlier", "Interviewer: hello\n\nP1: hi there\n")
    before = dump(project)
    seen = []

    def progress(_d, _t, label):
        seen.append(label)
        return not label.endswith(": 50 %") and "Indexing long.txt: 5" not in label

    with pytest.raises(InterruptedError):
        import_files(project, [path], progress=progress)
    assert any(x.startswith("Indexing long.txt: ") for x in seen)
    assert not any(x.startswith("Importing") for x in seen)
    assert dump(project) == before


@pytest.mark.parametrize("seed", [9, 10])
def test_a_long_text_read_in_workers_is_the_same(tmp_path, monkeypatch, seed):
    """Its turns and index pieces made in forked workers: the same turns, index and count."""
    monkeypatch.setattr(reading, "PIECE_CHARS", 2_000)
    monkeypatch.setattr(W.build_word_index, "__defaults__", (None, 2_000, None))
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)
    path = tmp_path / "long.txt"
    path.write_text(_text(seed, 6000), encoding="utf-8")
    here = reading.read_one(path, step=lambda _label: True)
    pieces = []
    real = reading._pieces_in
    monkeypatch.setattr(reading, "_pieces_in", lambda *a: pieces.append(1) or real(*a))
    pooled = reading.read_one(path, step=lambda _label: True, workers=True)
    assert pieces and pooled.turns and pooled.words
    assert all(type(t) is tuple for t in pooled.turns)
    assert (pooled.word_index, pooled.turns, pooled.words) == (here.word_index, here.turns, here.words)


def _qdpx_stored(path) -> dict:
    from qualcoder_lite.core.project import open_project

    with open_project(path) as p:
        return dump(p)


def test_qdpx_import_with_workers_stores_the_same(tmp_path, monkeypatch):
    from qualcoder_lite.core.services.refi.interop import export_qdpx, import_qdpx

    project = memory_project(coder="alex")
    import_files(project, _files(tmp_path, 9), CaseRule(pattern=r"^(P\d+)"))
    qdpx = tmp_path / "all.qdpx"
    export_qdpx(project, qdpx)
    from qualcoder_lite.core.services.refi import build

    monkeypatch.setattr(build, "now_iso", lambda: "2026-01-01T00:00:00+00:00")  # the import's time
    import_qdpx(qdpx, tmp_path / "here.qlite")
    monkeypatch.setattr(reading, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(reading, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(reading, "DERIVE_AHEAD", 2)  # texts handed out a few at a time, as at scale
    forked = []
    real = reading.derive
    monkeypatch.setattr(reading, "derive", lambda text: forked.append(text) or real(text))
    import_qdpx(qdpx, tmp_path / "pooled.qlite")
    assert not forked  # the workers' own list, not this process's: they did the work
    here, pooled = _qdpx_stored(tmp_path / "here.qlite"), _qdpx_stored(tmp_path / "pooled.qlite")
    assert len(here["sources"]) == 9 and len(here["speaker_turns"]) > 9
    assert pooled == here


def test_changes_of_packed_rows_are_those_of_their_dicts():
    """``Changes.from_ops`` reads a ``PackedRowOp``'s ids in place: the same record as from
    the row's dict (own id by table, source/code/case ids, NULLs skipped)."""
    from qualcoder_lite.core.changes import Changes, PackedRowOp, RowOp

    rows = [
        ("speaker_turns", ("id", "source_id", "speaker"), (1, 7, "A")),
        ("sources", ("id", "name", "text"), (3, "s", b"t")),
        ("codings", ("id", "source_id", "code_id", "coder_id"), (9, 4, 5, 1)),
        ("case_sources", ("id", "case_id", "source_id"), (2, 11, 12)),
        ("annotations", ("id", "source_id", "code_id"), (6, None, 8)),
        ("cases", ("id", "name"), (13, "P1")),
        ("codes", ("id", "parent_id"), (14, None)),
    ]
    packed = [PackedRowOp(t, c, v) for t, c, v in rows]
    plain = [RowOp("insert", op.table, None, op.after) for op in packed]
    got, want = Changes.from_ops(packed), Changes.from_ops(plain)
    assert got == want
    assert want.source_ids == {7, 3, 4, 12} and want.code_ids == {5, 8, 14} and want.case_ids == {11, 13}
    assert want.coding_ids == {9}
