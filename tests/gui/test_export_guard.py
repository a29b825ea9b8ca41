"""Exports from the app go through the core's output guard (issue 12, item 1): the open
project (by its name or a symlink), another project and an encrypted one are refused with
a message and stay byte-for-byte the same; an existing file is replaced only when the user
says so; the attribute sheet exports its cells as data, never formulas."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import finished


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def answers(monkeypatch):
    """Record the app's message boxes and answer its questions."""
    seen: dict[str, list] = {"warning": [], "question": []}
    reply = {"question": QMessageBox.StandardButton.No}

    def warning(_parent, title, text, *a, **k):
        seen["warning"].append(f"{title}: {text}")
        return QMessageBox.StandardButton.Ok

    def question(_parent, title, text, *a, **k):
        seen["question"].append(f"{title}: {text}")
        return reply["question"]

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    seen["reply"] = reply
    return seen


def _matrix(window):
    window.actionViewMatrix.trigger()
    m = window.matrix
    m.set_columns([c.id for c in window.ctx.project.codes.all() if c.parent_id is None])
    return m


def test_matrix_export_onto_the_open_project_is_refused(window, demo_file, answers, tmp_path):
    m = _matrix(window)
    link = tmp_path / "link.xlsx"
    link.symlink_to(demo_file)
    before = window.ctx.project.conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    for target in (demo_file.with_suffix(".xlsx"), link):
        if target != link:
            shutil.copy(demo_file, target)  # another project under an export's name
        assert m.export(str(target), with_quotes=True, confirmed=True) is None
        assert answers["warning"] and ("never" in answers["warning"][-1] or "project itself" in answers["warning"][-1])
    # the open project still works and lost nothing
    assert window.ctx.project.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert window.ctx.project.conn.execute("SELECT count(*) FROM codings").fetchone()[0] == before


def test_existing_file_is_replaced_only_when_the_user_says_so(window, answers, tmp_path, qtbot):
    from qualcoder_lite.gui.report_dialog import export_codebook

    out = tmp_path / "codebook.csv"
    out.write_text("my notes")
    answers["reply"]["question"] = QMessageBox.StandardButton.No
    assert export_codebook(window, out) is None
    assert out.read_text() == "my notes" and "replace" in answers["question"][-1].lower()
    answers["reply"]["question"] = QMessageBox.StandardButton.Yes
    export_codebook(window, out)  # runs in the background
    qtbot.waitUntil(lambda: out.read_text(encoding="utf-8-sig").startswith("code,level"), timeout=30_000)


def test_attribute_sheet_export_is_data(window, answers, tmp_path, qtbot):
    from openpyxl import load_workbook

    from qualcoder_lite.core.services.sources.attributes import SetAttributeValue
    from qualcoder_lite.gui.attribute_sheet import open_sheet

    project = window.ctx.project
    attr = next(a for a in project.attributes.all("case") if a.type == "text")
    case = project.cases.all()[0]
    window.ctx.run(SetAttributeValue(attr.id, '=HYPERLINK("http://evil.example","x")', case_id=case.id))
    sheet = open_sheet(window)
    qtbot.addWidget(sheet)
    out = finished(qtbot, sheet.export_file(tmp_path / "cases.xlsx"))
    assert out, sheet.status.text()
    ws = load_workbook(out).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert '=HYPERLINK("http://evil.example","x")' in [c.value for c in cells]
    assert sheet.export_file(window.ctx.project.path) is None  # the project itself: refused
    assert answers["warning"]
