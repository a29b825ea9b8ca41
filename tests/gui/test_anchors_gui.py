"""Annotations and see-also links driven through the real widgets (object names
``annotationPanel`` and ``linkPanel``), each step undoable on the one undo stack."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QListWidget, QPushButton, QWidget

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.anchors.annotations import annotations
from qualcoder_lite.core.services.anchors.links import links
from tests.gui.conftest import open_source, select_text


def _span(wb, sid, phrase):
    text = wb.ctx.project.sources.text(sid)
    start = text.index(phrase)
    return start, start + len(phrase)


def _click_item(qtbot, lst: QListWidget, row: int) -> None:
    rect = lst.visualItemRect(lst.item(row))
    qtbot.mouseClick(lst.viewport(), Qt.LeftButton, pos=rect.center())


def test_ctrl_shift_a_is_one_action_only(window):
    seq = QKeySequence("Ctrl+Shift+A")
    users = [a.objectName() for a in window.findChildren(QAction)
             if any(s == seq for s in a.shortcuts())]
    assert users == ["actionAnnotate"]


def test_annotate_from_the_keyboard_list_click_and_undo(qtbot, window, demo_file, monkeypatch):
    wb = window.workbench
    panel = window.findChild(QWidget, "annotationPanel")
    lst = panel.findChild(QListWidget, "annotationList")
    sid = open_source(wb, "LW01")
    start, end = _span(wb, sid, "LW01:")
    start, end = end + 1, end + 30
    select_text(wb.view, start, end)
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("Ask about the waiting list", True))
    wb.view.setFocus()
    qtbot.keyClick(wb.view, Qt.Key_A, Qt.ControlModifier | Qt.ShiftModifier)
    sel = wb.view.selection_cp()
    assert lst.count() == 1 and "Ask about the waiting list" in lst.item(0).text()
    with open_project(demo_file) as p:  # written to the file at once
        assert [(a.source, a.start, a.end, a.text, a.author) for a in annotations(p)] == [
            ("LW01", sel[0], sel[1], "Ask about the waiting list", "alex")]
    # the mark in the margin, and clicking the list item selects the passage
    assert [kind for kind, _a, _r in wb.anchors.marks.hits(wb.view.margin.height())] == ["annotation"]
    select_text(wb.view, 0, 1)
    _click_item(qtbot, lst, 0)
    assert wb.view.selection_cp() == sel
    # clicking the mark in the margin selects it too
    select_text(wb.view, 0, 1)
    (_kind, _a, rect), = wb.anchors.marks.hits(wb.view.margin.height())
    qtbot.mouseClick(wb.view.margin, Qt.LeftButton, pos=rect.topLeft() + QPoint(3, 3))
    assert wb.view.selection_cp() == sel
    window.actionUndo.trigger()
    assert lst.count() == 0 and wb.anchors.marks.annotations == []
    window.actionRedo.trigger()
    assert lst.count() == 1


def test_edit_and_delete_from_the_panel(qtbot, window, monkeypatch):
    wb = window.workbench
    panel = window.findChild(QWidget, "annotationPanel")
    lst = panel.findChild(QListWidget, "annotationList")
    sid = open_source(wb, "LW02")
    select_text(wb.view, *_span(wb, sid, "LW02:"))
    assert wb.anchors.annotate_selection("first thought") is not None
    _click_item(qtbot, lst, 0)
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("second thought", True))
    qtbot.mouseClick(panel.findChild(QPushButton, "annotationEdit"), Qt.LeftButton)
    assert [a.text for a in annotations(wb.ctx.project)] == ["second thought"]
    _click_item(qtbot, lst, 0)
    qtbot.mouseClick(panel.findChild(QPushButton, "annotationDelete"), Qt.LeftButton)
    assert lst.count() == 0 and annotations(wb.ctx.project) == []
    window.actionUndo.trigger()
    window.actionUndo.trigger()
    assert [a.text for a in annotations(wb.ctx.project)] == ["first thought"]


def test_context_menu_offers_annotate_and_link(window):
    wb = window.workbench
    sid = open_source(wb, "LW01")
    select_text(wb.view, *_span(wb, sid, "LW01:"))
    menu = wb.build_view_menu(QPoint(5, 5))
    texts = [a.text() for a in menu.actions()]
    assert any(t.startswith("Annotate selection…") for t in texts)
    assert "Start see-also link from selection" in texts


def test_see_also_link_made_listed_followed_and_undone(qtbot, window, demo_file):
    wb = window.workbench
    panel = window.findChild(QWidget, "linkPanel")
    lst = panel.findChild(QListWidget, "linkList")
    a = open_source(wb, "LW01")
    origin = _span(wb, a, "LW01:")
    select_text(wb.view, *origin)
    qtbot.mouseClick(panel.findChild(QPushButton, "linkStart"), Qt.LeftButton)
    assert "Linking from" in panel.findChild(QWidget, "linkPending").text()
    b = open_source(wb, "LW02")
    target = _span(wb, b, "LW02:")
    select_text(wb.view, *target)
    qtbot.mouseClick(panel.findChild(QPushButton, "linkToSelection"), Qt.LeftButton)
    with open_project(demo_file) as p:
        assert [(x.source, x.start, x.end, x.target_source, x.target_start, x.target_end) for x in links(p)] == [
            ("LW01", *origin, "LW02", *target)]
    assert lst.count() == 1 and lst.item(0).text().startswith("← from LW01")  # listed at the target too
    open_source(wb, "LW01")
    assert lst.count() == 1 and "→ LW02" in lst.item(0).text()
    assert [k for k, _x, _r in wb.anchors.marks.hits(wb.view.margin.height())] == ["link"]
    _click_item(qtbot, lst, 0)  # follow it
    assert wb.view.source_id == b and wb.view.selection_cp() == target
    _click_item(qtbot, lst, 0)  # and back from the target's side
    assert wb.view.source_id == a and wb.view.selection_cp() == origin
    window.actionUndo.trigger()
    assert lst.count() == 0 and links(wb.ctx.project) == []


def test_link_to_a_whole_source(qtbot, window):
    wb = window.workbench
    panel = window.findChild(QWidget, "linkPanel")
    a = open_source(wb, "LW01")
    select_text(wb.view, *_span(wb, a, "LW01:"))
    wb.anchors.start_link()
    b = open_source(wb, "GP01")
    qtbot.mouseClick(panel.findChild(QPushButton, "linkToSource"), Qt.LeftButton)
    (ln,) = links(wb.ctx.project)
    assert (ln.target_source_id, ln.target_start) == (b, None)
    open_source(wb, "LW01")
    wb.anchors.follow_link(ln)
    assert wb.view.source_id == b
