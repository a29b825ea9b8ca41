"""The menu registry (gui/actions.py): one table of menus and actions, unique shortcuts,
enablement from one place, and the menu bar a user knows, in its order."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QKeySequence

from qualcoder_lite.gui import actions as registry

GUI = Path(registry.__file__).parent

# The menu bar as users know it: menu titles, then each entry's object name ("-" a
# separator, "[title]" a submenu) in order.
EXPECTED = {
    "&File": ["actionNewProject", "actionOpenProject", "actionOpenDemo", "-", "actionImportSources",
              "actionImportAttributes", "actionImportSurvey", "[Import]", "[&Export]", "-", "actionProjectProperties",
              "actionRestoreBackup", "actionEncrypt", "actionDecrypt", "-", "actionCloseProject", "actionQuit"],
    "Import": ["actionImportRefiProject", "actionImportRefiCodebook"],
    "&Export": ["actionExportQuoteTables", "actionExportCodebook", "actionExportTranscript",
                "actionExportRefiProject", "actionExportRefiCodebook", "actionExportTable1"],
    "&Edit": ["actionUndo", "actionRedo", "-", "actionFind", "actionSearchAll", "-", "actionSetCoder", "actionEditTranscript"],
    "&Code": ["actionApplyCode", "actionQuickCode", "actionNewCodeFromSelection", "actionNewCode", "-",
              "actionSnapWords", "actionClickToCode", "-", "actionMoveCode", "actionAnnotate", "actionStartLink"],
    "&View": ["actionViewCoding", "actionViewMatrix", "actionViewCodebook", "-", "actionFocusSources",
              "actionFocusTranscript", "actionFocusCodes", "actionFocusRetrieval"],
    "&Tools": ["actionCoderComparison", "actionShowCoders", "actionMergeCopy", "actionPseudonymise",
               "actionAttributeSheet", "actionMemos", "[&Queries]"],
    "&Queries": ["actionQueryCoverage", "actionQueryCooccurrence", "actionQueryWords"],
    "&Help": ["actionAbout"],
}


def _entries(menu) -> list[str]:
    out = []
    for a in menu.actions():
        if a.isSeparator():
            out.append("-")
        elif a.menu() is not None:
            out.append(f"[{a.menu().title()}]")
        else:
            out.append(a.objectName())
    return out


def _menus(window) -> dict[str, list[str]]:
    found = {}

    def walk(menu):
        found[menu.title()] = _entries(menu)
        for a in menu.actions():
            if a.menu() is not None:
                walk(a.menu())

    for top in window.menuBar().actions():
        walk(top.menu())
    return found


@pytest.fixture
def empty_window(qtbot):
    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    return w


def test_the_registry_is_consistent():
    specs = registry.action_specs()
    ids = [s.id for s in specs]
    assert len(ids) == len(set(ids))
    menu_ids = {m.id for m in registry.MENU_BAR} | {e.spec.id for e in registry.ENTRIES
                                                    if isinstance(e, registry.SubMenu)}
    assert {s.menu for s in specs} <= menu_ids
    assert {s.enabled_when for s in specs} - {None} <= set(registry.CONDITIONS)
    for s in specs:  # each "module:function" handler names a real function
        if not s.handler.startswith("."):
            module, name = s.handler.split(":")
            mod = __import__(f"qualcoder_lite.gui.{module}", fromlist=[name])
            assert callable(getattr(mod, name)), s.handler


def test_no_two_actions_share_a_shortcut(qapp):  # standard keys need the app
    keys = [QKeySequence(k).toString(QKeySequence.PortableText)
            for s in registry.action_specs() for k in s.shortcut]
    keys = [k for k in keys if k]  # a standard key (Quit) may have no binding on this platform
    assert len(keys) > 20
    assert [k for k, n in Counter(keys).items() if n > 1] == []


def test_no_two_actions_in_the_open_window_share_a_shortcut(window):
    """Window-wide actions and the panels' own (code tree: Ctrl+X, Del …) together."""
    window.show_view("matrix")
    window.show_view("coding")
    keys = [k.toString(QKeySequence.PortableText) for a in window.findChildren(QAction) for k in a.shortcuts()]
    assert len(keys) > 25
    assert [k for k, n in Counter(keys).items() if n > 1] == []


def test_menus_keep_their_order_texts_and_shortcuts(empty_window):
    assert _menus(empty_window) == EXPECTED
    w = empty_window
    assert [a.text() for a in w.menuBar().actions()] == ["&File", "&Edit", "&Code", "&View", "&Tools", "&Help"]
    assert w.actionApplyCode.objectName() == "actionApplyCode"
    assert [k.toString() for k in w.actionApplyCode.shortcuts()] == ["Ctrl+Return", "Ctrl+Enter"]
    assert w.actionMemos.shortcut().toString() == "Ctrl+M"
    assert w.actionClose is w.findChild(QAction, "actionCloseProject")
    assert w.menuTools.title() == "&Tools" and w.menuExport.title() == "&Export"


def test_every_entry_is_declared_in_the_registry(empty_window):
    declared = {s.id for s in registry.action_specs()}
    shown = {name for entries in _menus(empty_window).values() for name in entries
             if name != "-" and not name.startswith("[")}
    assert shown == declared


def test_no_feature_reaches_a_menu_by_position():
    for path in GUI.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "menuBar().actions()[" not in text, path.name
        assert "_project_actions" not in text, path.name


def _project_actions(window) -> list[QAction]:
    return [window.menu_actions.actions[s.id] for s in registry.action_specs()
            if s.enabled_when in ("project", "writable")]


def test_project_actions_follow_the_open_project(empty_window, demo_file):
    w = empty_window
    always = [w.menu_actions.actions[s.id] for s in registry.action_specs() if s.enabled_when is None]
    assert len(_project_actions(w)) > 25
    assert not any(a.isEnabled() for a in _project_actions(w))
    assert all(a.isEnabled() for a in always)
    assert not w.actionUndo.isEnabled() and not w.actionEncrypt.isEnabled()
    assert w.open_path(demo_file, coder="alex")
    assert all(a.isEnabled() for a in _project_actions(w))
    assert w.actionRestoreBackup.isEnabled() and not w.actionDecrypt.isEnabled()
    assert not w.actionUndo.isEnabled() and w.actionUndo.text() == "&Undo"
    w.close_project()
    assert not any(a.isEnabled() for a in _project_actions(w))
    assert all(a.isEnabled() for a in always)


def test_undo_follows_the_history(window):
    from qualcoder_lite.core.services.coding.codes import AddCode

    assert not window.actionUndo.isEnabled()
    window.ctx.run(AddCode("Registry check"))
    assert window.actionUndo.isEnabled() and window.actionUndo.text().startswith("&Undo ")
    window.actionUndo.trigger()
    assert not window.actionUndo.isEnabled() and window.actionRedo.isEnabled()


def test_read_only_disables_what_writes(empty_window, demo_file):
    w = empty_window
    assert w.open_path(demo_file, coder="alex", read_only=True)
    writes = [w.menu_actions.actions[s.id] for s in registry.action_specs() if s.enabled_when == "writable"]
    assert writes and not any(a.isEnabled() for a in writes)
    assert w.actionFind.isEnabled() and w.actionViewMatrix.isEnabled()
    assert not w.actionRestoreBackup.isEnabled() and not w.actionEncrypt.isEnabled()
    w.close_project()


def test_a_menu_entry_runs_its_handler(window):
    window.findChild(QAction, "actionViewMatrix").trigger()
    assert window.stack.currentWidget() is window.matrix
    window.actionFocusCodes.trigger()
    assert window.stack.currentWidget() is window.workbench
    window.actionSnapWords.trigger()
    assert window.workbench.view.snap_to_words is True
