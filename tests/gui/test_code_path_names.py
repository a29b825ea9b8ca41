"""Code paths read as names in the app (issue 13, item 7): a code ``Money / funding`` under
``Funding`` never shows as ``Money \\/ funding``; levels are joined with `` › ``."""

from __future__ import annotations

from PySide6.QtCore import Qt

from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode
from tests.gui.conftest import open_source, select_text

ESCAPED = "Funding/Money \\/ funding"
SHOWN = "Funding › Money / funding"
LEAF = "Money / funding"


def _add_and_code(window):
    wb = window.workbench
    ctx = wb.ctx
    ctx.run(AddCode(ESCAPED))
    code = ctx.project.codes.find(ESCAPED)
    assert code.path == ("Funding", LEAF) and code.path_str == ESCAPED and code.display_path == SHOWN
    sid = open_source(wb, "LW02")
    ctx.run(ApplyCode(sid, code.id, 10, 60))
    return wb, code, sid


def test_code_panel_retrieval_and_transcript(qtbot, window):
    wb, code, sid = _add_and_code(window)
    model = wb.codes.model
    idx = model.index_of(code.id)
    assert model.data(idx, Qt.DisplayRole) == LEAF
    tip = model.data(idx, Qt.ToolTipRole)
    assert tip.startswith(SHOWN) and "\\/" not in tip
    assert model.mimeData([idx]).text() == SHOWN
    # the retrieval table's code column and its tooltip
    wb.retrieval.show_codes([code.id])
    rm = wb.retrieval.model
    qtbot.waitUntil(lambda: rm.rowCount() == 1)
    assert rm.data(rm.index(0, 2), Qt.DisplayRole) == SHOWN
    assert rm.data(rm.index(0, 2), Qt.ToolTipRole) == SHOWN
    # the transcript's stripe labels and context menu name codes the same way
    assert wb.view.code_names[code.id] == SHOWN
    assert any(s.label.startswith(SHOWN) for s in wb.view._stripes)


def test_quick_code_list(qtbot, window):
    wb, code, _sid = _add_and_code(window)
    select_text(wb.view, 100, 140)  # the quick-code list opens on a selection
    dlg = window.quick_code()
    qtbot.keyClicks(dlg.edit, "money /")
    labels = [dlg.list.item(i).text() for i in range(dlg.list.count())]
    assert SHOWN in labels and not any("\\/" in x for x in labels)
    dlg.close()


def test_matrix_header_comparison_and_query(qtbot, window):
    wb, code, _sid = _add_and_code(window)
    window.actionViewMatrix.trigger()
    m = window.matrix
    m.set_columns([code.id])
    assert m.model.headerData(0, Qt.Horizontal, Qt.DisplayRole) == LEAF
    assert m.model.headerData(0, Qt.Horizontal, Qt.ToolTipRole).startswith(SHOWN + " (")
    m.compare_box.setChecked(True)
    m.group.setCurrentIndex(m.group.findData("wave"))
    qtbot.waitUntil(lambda: m.comparison.rowCount() >= 1)
    assert m.comparison.headerData(0, Qt.Vertical, Qt.DisplayRole) == SHOWN
    m.lower.setCurrentIndex(1)
    m.query_attr.setCurrentIndex(m.query_attr.findData("role"))
    assert m.query.headerData(0, Qt.Vertical, Qt.DisplayRole) == SHOWN


def test_agreement_view(qtbot, window):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog

    wb, code, sid = _add_and_code(window)  # coded by alex
    wb.ctx.run(ApplyCode(sid, code.id, 20, 80, coder="sam"))
    window.findChild(QAction, "actionCoderComparison").trigger()
    view = window.findChild(QDialog, "agreementView")
    assert view is not None
    qtbot.waitUntil(lambda: view.model.row_of(code.id) >= 0)
    row = view.model.row_of(code.id)
    idx = view.model.index(row, 0)
    assert view.model.data(idx, Qt.DisplayRole) == SHOWN
    assert view.model.data(idx, Qt.ToolTipRole) == SHOWN
