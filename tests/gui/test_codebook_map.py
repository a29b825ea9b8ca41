"""The thematic map in the codebook view: a preview, overarching themes chosen from the
selection (one undoable step) and Export… through the output guard."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtCore import QItemSelectionModel

S = "{http://www.w3.org/2000/svg}"


def _select(view, names):
    sel = view.tree.selectionModel()
    sel.clearSelection()
    for row in range(view.model.rowCount()):
        item = view.model.item(row, 0)
        if item.text() in names:
            sel.select(item.index(), QItemSelectionModel.Select | QItemSelectionModel.Rows)


def test_preview_overarching_undo_and_export(qtbot, window, tmp_path):
    window.actionViewCodebook.trigger()
    view = window.codebook
    pix = view.map_label.pixmap()
    assert pix is not None and not pix.isNull() and pix.width() > 400
    _select(view, {"Change over time"})
    view.overarching_button.click()
    assert "Overarching" in window.ctx.undo_stack.undoText()
    out = tmp_path / "fig.svg"
    assert view.export_map(str(out))
    root = ET.parse(out).getroot()
    assert root.find(f"{S}g[@class='node overarching']") is not None
    window.ctx.undo_stack.undo()  # one step: the choice is taken back
    assert "Overarching" not in window.ctx.undo_stack.undoText()
    out2 = tmp_path / "fig2.svg"
    assert view.export_map(str(out2))
    assert ET.parse(out2).getroot().find(f"{S}g[@class='node overarching']") is None
    assert view.export_map(str(tmp_path / "fig.png")) and (tmp_path / "fig.png").read_bytes()[:4] == b"\x89PNG"
