"""Tools ▸ Pseudonymise…: the dialog driven through its widgets on the demo project, offscreen."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog, QLineEdit, QMessageBox

from qualcoder_lite.gui import pseudonym_dialog
from qualcoder_lite.gui.pseudonym_dialog import PseudonymDialog
from tests.helpers import dump


def _action(window):
    (action,) = [a for a in window.menuTools.actions() if a.objectName() == "actionPseudonymise"]
    return action


def _open(window, qtbot) -> PseudonymDialog:
    _action(window).trigger()
    dlg = window.findChild(PseudonymDialog, "pseudonymDialog")
    assert dlg is not None
    qtbot.waitUntil(dlg.isVisible)
    return dlg


def _row_of(dlg, real: str) -> int:
    for row in range(dlg.table.rowCount()):
        if dlg.table.item(row, 0).text() == real:
            return row
    raise AssertionError(f"{real!r} not in the table")


def _only(dlg, names) -> None:
    for row in range(dlg.table.rowCount()):
        item = dlg.table.item(row, 0)
        item.setCheckState(Qt.Checked if item.text() in names else Qt.Unchecked)


def _editor(dlg):
    editors = [e for e in dlg.table.findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1, editors
    return editors[0]


def _type_cell(qtbot, dlg, row: int, col: int, text: str) -> None:
    """Edit a cell with the keyboard: select it, F2, type, Return."""
    dlg.activateWindow()
    dlg.table.setFocus()
    dlg.table.setCurrentCell(row, col)
    qtbot.keyClick(dlg.table, Qt.Key_F2)
    editor = _editor(dlg)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    _commit(qtbot, dlg, editor)


def _commit(qtbot, dlg, editor) -> None:
    """Return commits through a queued call: wait until the editor is closed."""
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: dlg.table.state() != QAbstractItemView.EditingState)


def _finished(qtbot, job) -> None:
    """Wait for a job (it runs off the GUI thread) to report."""
    assert job is not None
    qtbot.waitUntil(lambda: job.reported, timeout=30000)


def test_menu_entry_needs_a_project(qtbot):
    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    assert _action(w).text().replace("&", "") == "Pseudonymise…"
    assert not _action(w).isEnabled()


def test_dialog_lists_suggestions(window, qtbot, qtmodeltester):
    dlg = _open(window, qtbot)
    assert dlg.objectName() == "pseudonymDialog"
    qtmodeltester.check(dlg.table.model())
    names = {dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())}
    assert {"Siobhán", "Dr Fraser", "Kirsty", "Glenmorie Health Centre"} <= names
    row = _row_of(dlg, "Glenmorie Health Centre")
    assert dlg.table.item(row, 1).text().startswith("[ORG_")
    assert dlg.table.item(row, 2).text() == "organisation"
    assert dlg.table.item(row, 0).checkState() == Qt.Checked
    assert not dlg.exportButton.isEnabled() and not dlg.removeKeyButton.isEnabled()
    assert "No key yet" in dlg.status.text()


def test_apply_edited_rows_is_one_undo_step(window, qtbot):
    ctx = window.ctx
    wb = window.workbench
    sid = ctx.project.sources.by_name("GP01").id
    wb.open_source(sid)
    assert "Kirsty" in wb.view.text
    before = dump(ctx.project)
    steps = ctx.undo_stack.count()

    dlg = _open(window, qtbot)
    _only(dlg, {"Kirsty"})
    _type_cell(qtbot, dlg, _row_of(dlg, "Kirsty"), 1, "[LINK_WORKER]")
    qtbot.mouseClick(dlg.addButton, Qt.LeftButton)
    new_row = dlg.table.rowCount() - 1
    editor = _editor(dlg)  # the new row opens its name for editing
    qtbot.keyClicks(editor, "Millbrae")
    _commit(qtbot, dlg, editor)
    _type_cell(qtbot, dlg, new_row, 1, "[TOWN]")
    assert dlg.rows() == [(f"row {_row_of(dlg, 'Kirsty') + 1}", "Kirsty", "[LINK_WORKER]"),
                          (f"row {new_row + 1}", "Millbrae", "[TOWN]")]
    qtbot.mouseClick(dlg.applyButton, Qt.LeftButton)
    _finished(qtbot, dlg.job)

    assert ctx.undo_stack.count() == steps + 1
    assert "Kirsty" not in wb.view.text and "[LINK_WORKER]" in wb.view.text
    assert "[TOWN] Medical Group" in wb.view.text
    assert dlg.last_result.replacements["Kirsty"] == 7
    assert dlg.exportButton.isEnabled() and "Applied" in dlg.status.text()
    # the codings still point at the same words: every coding's text is its old text, renamed
    for c in ctx.project.codings.for_source(sid):
        assert wb.view.text[c.start:c.end] == ctx.project.sources.text(sid)[c.start:c.end]

    window.actionUndo.trigger()
    assert dump(ctx.project) == before
    assert "Kirsty" in wb.view.text
    window.actionRedo.trigger()
    assert "[LINK_WORKER]" in wb.view.text


def test_bad_rows_are_refused_and_change_nothing(window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]) or QMessageBox.Ok)
    before = dump(window.ctx.project)
    dlg = _open(window, qtbot)
    _only(dlg, {"Kirsty", "Callum"})
    dlg.table.item(_row_of(dlg, "Callum"), 1).setText("Kirsty")
    _finished(qtbot, dlg.apply())
    assert dlg.last_result is None
    assert shown and "is also a real name" in shown[-1] and "row " in shown[-1]
    assert dump(window.ctx.project) == before
    _only(dlg, set())
    assert dlg.apply() is None
    assert "Tick at least one name" in shown[-1]


def test_export_and_remove_the_key(window, qtbot, monkeypatch, tmp_path):
    ctx = window.ctx
    dlg = _open(window, qtbot)
    _only(dlg, {"Kirsty", "Siobhán"})
    _finished(qtbot, dlg.apply())
    assert dlg.last_result is not None
    out = tmp_path / "key.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(dlg.exportButton, Qt.LeftButton)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["real", "pseudonym"] and {r[0] for r in rows[1:]} == {"Kirsty", "Siobhán"}

    asked = []
    monkeypatch.setattr(pseudonym_dialog, "confirm_irreversible", lambda parent, text: asked.append(text) or False)
    qtbot.mouseClick(dlg.removeKeyButton, Qt.LeftButton)
    assert "irreversible" in asked[0] and "backup" in asked[0] and "undo history" in asked[0]
    assert ctx.project.settings.get("pseudonym_key")
    assert ctx.undo_stack.canUndo()

    monkeypatch.setattr(pseudonym_dialog, "confirm_irreversible", lambda parent, text: True)
    qtbot.mouseClick(dlg.removeKeyButton, Qt.LeftButton)
    _finished(qtbot, dlg.job)
    assert dlg.last_removal is not None and dlg.last_removal.vacuumed and dlg.last_removal.wal_truncated
    assert ctx.project.settings.get("pseudonym_key") is None
    assert not ctx.undo_stack.canUndo()  # the history held the real names
    assert "cannot be undone" in dlg.status.text()
    assert not dlg.removeKeyButton.isEnabled() and not dlg.exportButton.isEnabled()


def test_confirmation_box_defaults_to_cancel(window, qtbot):
    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        seen.append(box.text())
        qtbot.keyClick(box, Qt.Key_Escape)

    QTimer.singleShot(100, answer)
    assert pseudonym_dialog.confirm_irreversible(window, "Removing the key is irreversible.") is False
    assert seen == ["Removing the key is irreversible."]
