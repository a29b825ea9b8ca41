"""Table 1 from the app (issue 14, item 4): File ▸ Export ▸ Table 1 and the source panel's
context menu open the dialog; grouping and columns change the rows; the export writes the
same table as ``qualcoder-lite participants``, through the output guard."""

from __future__ import annotations

import docx
from PySide6.QtCore import Qt

from tests.gui.conftest import finished


def test_table1_from_the_menu_matches_the_command_line(window, qtbot, tmp_path, demo_file, capsys):
    window.actionExportTable1.trigger()
    dlg = window._table1_dialog
    qtbot.addWidget(dlg)
    assert dlg.objectName() == "table1Dialog"
    dlg.group.setCurrentIndex(dlg.group.findData("board_type"))
    for i in range(dlg.columns.count()):  # only two columns
        item = dlg.columns.item(i)
        item.setCheckState(Qt.Checked if item.text() in ("role", "wave") else Qt.Unchecked)
    assert "8 participants" in dlg.summary.text() and "groups" in dlg.summary.text()
    out = finished(qtbot, dlg.export_to(tmp_path / "t1.docx"))
    assert out, dlg.status.text()
    table = docx.Document(out).tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert sorted(c.lower() for c in cells[0][1:3]) == ["role", "wave"] and len(set(cells[0])) == 3
    assert any(row[0].startswith("Total (n = 8)") for row in cells)

    from qualcoder_lite.cli import main

    window.close_project()  # the command line reads the same file
    assert main(["participants", str(demo_file), "--group-by", "board_type", "--attributes", *dlg.attributes(),
                 "--out", str(tmp_path / "cli.docx")]) == 0
    cli_cells = [[c.text for c in row.cells] for row in docx.Document(tmp_path / "cli.docx").tables[0].rows]
    assert cli_cells == cells


def test_table1_refuses_the_project_and_opens_from_the_source_panel(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warnings.append(a[2])))
    dlg = window.workbench.sources.open_table1()
    qtbot.addWidget(dlg)
    assert dlg.export_to(window.ctx.project.path) is None
    assert warnings and "project" in warnings[-1]
