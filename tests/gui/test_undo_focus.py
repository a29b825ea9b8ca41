"""Ctrl+Z reaches the project's last step from wherever the user is (issue 12, item 11),
says what it undid, and a step that someone else's change made stale is refused with a
message instead of writing old rows back (item 4, in the app).

All keys are real key events (``qtbot.keyClick``) on real widgets of the main window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.coding.coding import SetCodingMemo

from .conftest import open_source, select_text


def _codings(window) -> int:
    return window.ctx.project.conn.execute("SELECT count(*) FROM codings").fetchone()[0]


def _focus(qtbot, window, widget) -> None:
    window.activateWindow()
    widget.setFocus(Qt.OtherFocusReason)
    qtbot.waitUntil(widget.hasFocus)


def _ctrl_z(qtbot, widget, shift: bool = False) -> None:
    mods = Qt.ControlModifier | (Qt.ShiftModifier if shift else Qt.NoModifier)
    qtbot.keyClick(widget, Qt.Key_Z, mods)


def _bulk_code(qtbot, window, query: str = "practice") -> tuple[int, int, str]:
    """Type a search, run it, press "Code all hits" with a code chosen: one bulk step.
    The focus stays in the search box, as after a click on macOS (buttons take no focus)."""
    wb = window.workbench
    wb.codes.select_code(window.ctx.project.codes.all()[0].id)
    wb.tabs.setCurrentWidget(wb.search)
    _focus(qtbot, window, wb.search.query)
    qtbot.keyClicks(wb.search.query, query)
    qtbot.keyClick(wb.search.query, Qt.Key_Return)
    assert wb.search.hits
    before = _codings(window)
    wb.search.code_all.click()
    after = _codings(window)
    assert after > before + 1
    step = window.ctx.undo_stack.undoText()
    assert wb.search.query.hasFocus()
    return before, after, step


def test_ctrl_z_from_every_view_undoes_the_bulk_coding_and_says_so(qtbot, window):
    wb = window.workbench
    before, after, step = _bulk_code(qtbot, window)
    assert step.startswith("Code ") and "passages" in step
    targets = [("transcript", wb.view), ("code tree", wb.codes.tree), ("source list", wb.sources.tree),
               ("retrieval table", wb.retrieval.table), ("search results", wb.search.results)]
    for name, widget in targets:
        if widget is wb.retrieval.table:
            wb.tabs.setCurrentWidget(wb.retrieval)
        if widget is wb.search.results:
            wb.tabs.setCurrentWidget(wb.search)
        _focus(qtbot, window, widget)
        _ctrl_z(qtbot, widget)
        assert _codings(window) == before, name
        assert window.statusBar().currentMessage() == f"Undone: {step}", name
        _ctrl_z(qtbot, widget, shift=True)
        assert _codings(window) == after, name
        assert window.statusBar().currentMessage() == f"Redone: {step}", name
    window.show_view("matrix")
    grid = window.matrix.table
    grid.setCurrentIndex(window.matrix.model.index(0, 0))
    _focus(qtbot, window, grid)
    _ctrl_z(qtbot, grid)
    assert _codings(window) == before
    assert window.statusBar().currentMessage() == f"Undone: {step}"
    assert grid.hasFocus()  # no cell editor was opened by the key


def test_ctrl_z_in_the_search_box_undoes_the_newer_bulk_coding_first(qtbot, window):
    query = window.workbench.search.query
    before, after, step = _bulk_code(qtbot, window)
    _ctrl_z(qtbot, query)  # the coding came after the typing: it goes first
    assert _codings(window) == before
    assert query.text() == "practice"
    assert window.statusBar().currentMessage() == f"Undone: {step}"
    _ctrl_z(qtbot, query)  # now the typing, which is older than any step left
    assert query.text() == ""
    assert _codings(window) == before
    _ctrl_z(qtbot, query, shift=True)  # redo follows the same order back
    assert query.text() == "practice" and _codings(window) == before
    _ctrl_z(qtbot, query, shift=True)
    assert _codings(window) == after


def test_typing_newer_than_the_step_is_undone_first_in_the_code_filter(qtbot, window):
    wb = window.workbench
    before, after, step = _bulk_code(qtbot, window)
    _focus(qtbot, window, wb.codes.filter)
    qtbot.keyClicks(wb.codes.filter, "ref")  # typed after the coding
    _ctrl_z(qtbot, wb.codes.filter)
    assert wb.codes.filter.text() == "" and _codings(window) == after
    _ctrl_z(qtbot, wb.codes.filter)  # the box has nothing left: the project's step
    assert _codings(window) == before
    assert window.statusBar().currentMessage() == f"Undone: {step}"


def test_ctrl_z_in_a_matrix_summary_editor(qtbot, window):
    """Typing in a cell is the editor's to undo; an editor just opened passes Ctrl+Z on."""
    _before, after, step = _bulk_code(qtbot, window)
    window.show_view("matrix")
    m = window.matrix
    grid = m.table
    idx = next(m.model.index(r, c) for r in range(m.model.rowCount()) for c in range(m.model.columnCount())
               if m.model.flags(m.model.index(r, c)) & Qt.ItemIsEditable)
    grid.setCurrentIndex(idx)
    _focus(qtbot, window, grid)
    grid.edit(idx)
    editor = QApplication.focusWidget()
    assert editor is not grid
    text = editor.toPlainText()
    qtbot.keyClicks(editor, " new")
    _ctrl_z(qtbot, editor)
    assert editor.toPlainText() == text and _codings(window) == after
    _ctrl_z(qtbot, editor)
    assert _codings(window) == _before
    assert window.statusBar().currentMessage() == f"Undone: {step}"


def test_ctrl_z_in_the_memo_editor_reaches_the_project(qtbot, window):
    from qualcoder_lite.gui.memos_dialog import open_memos

    before, after, step = _bulk_code(qtbot, window)
    dlg = open_memos(window)
    qtbot.addWidget(dlg)
    dlg.activateWindow()
    dlg.body.setFocus()
    qtbot.waitUntil(dlg.body.hasFocus)
    _ctrl_z(qtbot, dlg.body)
    assert _codings(window) == before
    assert window.statusBar().currentMessage() == f"Undone: {step}"
    qtbot.keyClicks(dlg.body, "Day one")
    _ctrl_z(qtbot, dlg.body, shift=True)  # the box has nothing to redo: the project's redo
    assert _codings(window) == after
    _ctrl_z(qtbot, dlg.body)  # the redo came after the typing: it is undone first
    assert _codings(window) == before and dlg.body.toPlainText() == "Day one"
    _ctrl_z(qtbot, dlg.body)
    assert dlg.body.toPlainText() == "" and _codings(window) == before


def test_stale_undo_is_refused_with_a_message_and_the_history_dropped(qtbot, window, demo_file, monkeypatch):
    """Another program changed the coded passage after the app coded it: Ctrl+Z says so,
    writes nothing back, and clears the history (it no longer matches the file)."""
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]) or QMessageBox.Ok)
    wb = window.workbench
    sid = open_source(wb, "LW04")
    select_text(wb.view, 10, 40)
    wb.codes.select_code(window.ctx.project.codes.all()[0].id)
    assert wb.apply_current()
    step = window.ctx.undo_stack.undoText()
    coding = max(c.id for c in window.ctx.project.codings.for_source(sid))
    with open_project(demo_file, coder="ben") as other:  # another program, another connection
        other.execute(SetCodingMemo(coding, "Ben was here"))
    n = _codings(window)
    _focus(qtbot, window, wb.view)
    _ctrl_z(qtbot, wb.view)
    qtbot.waitUntil(lambda: bool(shown))
    assert shown[0].startswith(f"cannot undo '{step}': the passage was changed since (by another program or window)")
    assert "nothing was changed" in shown[0] and "history was cleared" in shown[0]
    assert _codings(window) == n
    memo = window.ctx.project.conn.execute("SELECT memo FROM codings WHERE id = ?", (coding,)).fetchone()[0]
    assert memo == "Ben was here"
    qtbot.waitUntil(lambda: window.ctx.undo_stack.count() == 0)
    assert not window.actionUndo.isEnabled()
    assert not window.statusBar().currentMessage().startswith("Undone")
