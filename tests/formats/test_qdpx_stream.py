"""project.qde is rendered straight into the archive in pieces (issue 17: never held whole at
ten times the data): the pieces make exactly the text rendered whole, and the archive holds it."""

from __future__ import annotations

import zipfile

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
