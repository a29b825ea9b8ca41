"""Issue 18 in the desktop app: aggregate counts in the code tree, the coverage,
co-occurrence and word-frequency views (found by object name), counts that agree."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.queries_project import build


@pytest.fixture
def qwin(qtbot, tmp_path):
    from qualcoder_lite.gui.main_window import MainWindow

    path = build(tmp_path / "q.qlite")
    w = MainWindow(coder="alice")
    qtbot.addWidget(w)
    assert w.open_path(path, coder="alice")
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close_project()


def _row(model, name, parent=None):
    from PySide6.QtCore import QModelIndex

    parent = parent or QModelIndex()
    for r in range(model.rowCount(parent)):
        if model.index(r, 0, parent).data() == name:
            return r
    raise AssertionError(name)


def test_code_tree_aggregate_toggle(qwin, qtbot, qtmodeltester):
    from qualcoder_lite.core.services.info import codes_table

    panel = qwin.workbench.codes
    model = panel.model
    access = model.index(_row(model, "Access"), 0)
    assert access.siblingAtColumn(1).data() == 1  # own codings
    toggle = panel.findChild(type(panel.aggregateToggle), "aggregateToggle")
    qtbot.mouseClick(toggle, Qt.LeftButton)
    assert model.aggregate
    rows = {r["code"]: r for r in codes_table(qwin.workbench.ctx.project)}
    assert access.siblingAtColumn(1).data() == rows["Access"]["codings_aggregate"] == 9
    assert access.siblingAtColumn(2).data() == rows["Access"]["sources_aggregate"] == 3
    assert model.headerData(1, Qt.Horizontal) == "Σ Codings"
    qtmodeltester.check(model)
    qtbot.mouseClick(toggle, Qt.LeftButton)
    assert access.siblingAtColumn(1).data() == 1
