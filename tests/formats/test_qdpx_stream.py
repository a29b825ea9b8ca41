"""project.qde is rendered straight into the archive in pieces (issue 17: never held whole at
ten times the data): the pieces make exactly the text rendered whole, and the archive holds it."""

from __future__ import annotations

import zipfile

import pytest

from qualcoder_lite.core.project import memory_project
from qualcoder_lite.core.services.refi import model as refi
from qualcoder_lite.core.services.refi.interop import export_qdpx
from qualcoder_lite.core.services.refi.qdpx_write import render_project
from qualcoder_lite.core.services.refi.snapshot import snapshot
from tests.helpers import add_text_source


def _project():
    project = memory_project(coder="alex")
    for i in range(30):
        add_text_source(project, f"P{i:02d}", f"Interviewer: hi {i}\n\nP{i}: bell\x07 & <tag> \"q\" émoji😀\r\n" * 40, f"P{i:02d}")
    return project


def test_pieces_make_the_whole_text(monkeypatch):
    snap = snapshot(_project())
    whole, replaced = render_project(snap.project, "test")
    pieces: list[str] = []
    monkeypatch.setattr(refi, "FLUSH_PARTS", 7)
    empty, replaced_too = render_project(snap.project, "test", sink=pieces.append)
    assert len(pieces) > 5 and empty == ""
    assert "".join(pieces) == whole and replaced_too == replaced


def test_the_archive_holds_the_whole_text(tmp_path):
    project = _project()
    export_qdpx(project, tmp_path / "p.qdpx")
    snap = snapshot(project)
    whole, _ = render_project(snap.project, "x")
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        got = zf.read("project.qde").decode("utf-8")
        info = zf.getinfo("project.qde")
    assert got.split("\n", 2)[2] == whole.split("\n", 2)[2]  # the Project line names origin and time
    assert info.compress_type == zipfile.ZIP_DEFLATED and info.external_attr == 0o600 << 16
    assert info.date_time != (1980, 1, 1, 0, 0, 0)


def test_texts_are_read_as_written_from_one_view_of_the_project(tmp_path):
    """The export reads each source's text when it writes its member (never all texts at
    once), inside one read transaction: a text changed meanwhile by another connection (the
    GUI exports on its own) is exported as it was when the export began."""
    import sqlite3

    from qualcoder_lite.core.project import new_project

    project = new_project(tmp_path / "p.qlite", coder="alex")
    texts = {f"P{i}": f"Interviewer: text {i} 😀\n\nP{i}: é & <b>\n" * 50 for i in range(3)}
    for name, text in texts.items():
        add_text_source(project, name, text, name)
    snap = snapshot(project, texts=False)
    assert [s.text for s in snap.project.sources] == [None] * 3
    assert [snap.text_of(s) for s in snap.project.sources] == list(texts.values())
    other = sqlite3.connect(tmp_path / "p.qlite")

    def progress(done: int, total: int, label: str) -> bool:
        if done == 1:
            other.execute("UPDATE sources SET text = 'changed' WHERE name = 'P2'")
            other.commit()
        return True

    export_qdpx(project, tmp_path / "p.qdpx", progress=progress)
    assert other.execute("SELECT text FROM sources WHERE name = 'P2'").fetchone()[0] == "changed"
    guids = {s.name: s.guid for s in snap.project.sources}
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        for name, text in texts.items():
            assert zf.read(f"sources/{guids[name]}.txt").decode("utf-8") == text
    other.close()
    project.close()


def _stored(path) -> dict[str, tuple]:
    """Each member as stored: its CRC-32, sizes, method and the bytes of its deflate stream."""
    import struct

    out = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset)
            head = fh.read(30)
            name_len, extra_len = struct.unpack("<HH", head[26:30])
            fh.seek(info.header_offset + 30 + name_len + extra_len)
            out[info.filename] = (info.CRC, info.file_size, info.compress_size, info.compress_type,
                                  info.external_attr, fh.read(info.compress_size))
    return out


@pytest.mark.parametrize("takes_stream", [True, False], ids=["stream-handed-over", "zipfile-compresses"])
def test_source_members_are_stored_as_writestr_stores_them(tmp_path, monkeypatch, takes_stream):
    """The texts' members hold, byte for byte, what ``ZipFile.writestr`` at the export's level stores
    (deflate stream, CRC-32, sizes), whether the stream made on another thread is handed to
    zipfile or zipfile compresses the text itself (internals not as expected)."""
    from qualcoder_lite.core.services.refi import qdpx_deflate
    from qualcoder_lite.core.services.refi.qdpx_write import LEVEL, source_member

    if not takes_stream:
        monkeypatch.setattr(qdpx_deflate, "_takes_stream", lambda _dest: False)
    project = _project()
    export_qdpx(project, tmp_path / "p.qdpx")
    snap = snapshot(project)
    with zipfile.ZipFile(tmp_path / "ref.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=LEVEL) as ref:
        for src in snap.project.sources:
            info = zipfile.ZipInfo(source_member(src))
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            ref.writestr(info, src.text.encode("utf-8"), compresslevel=LEVEL)
    got, expected = _stored(tmp_path / "p.qdpx"), _stored(tmp_path / "ref.zip")
    assert len(expected) == 30 and {k: got[k] for k in expected} == expected


def test_the_collector_is_paused_while_exporting_and_comes_back(tmp_path):
    """The cyclic GC is paused while the export reads and renders (its objects hold no
    cycles) and is on again afterwards, also after a cancel; a paused one stays paused."""
    import gc

    project = _project()
    seen = []

    def progress(done, total, label):
        seen.append(gc.isenabled())
        return done < 3

    assert gc.isenabled()
    with pytest.raises(InterruptedError):
        export_qdpx(project, tmp_path / "p.qdpx", progress)
    assert seen == [False] * 4 and gc.isenabled()
    gc.disable()
    try:
        export_qdpx(project, tmp_path / "p.qdpx")
        assert not gc.isenabled()
    finally:
        gc.enable()
