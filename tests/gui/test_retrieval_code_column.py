"""The retrieval table's Code column is wide enough to read the shown code's path (it was
left at ~100 px: "Working with practices › Relationships with GPs" read "…hips with GPs")."""

from __future__ import annotations

from qualcoder_lite.gui.segment_table import CODE_COL_MAX, CODE_COL_MIN


def test_the_code_column_fits_the_selected_codes_path(window, qtbot):
    wb = window.workbench
    project = wb.ctx.project
    code = project.codes.resolve("Working with practices/Relationships with GPs")
    wb.codes.select_code(code.id)
    wb.ctx.codeSelected.emit([code.id])
    qtbot.waitUntil(lambda: wb.retrieval.model.rowCount() > 0)
    table = wb.retrieval.table
    leaf = table.fontMetrics().horizontalAdvance("… › " + code.name)
    width = table.columnWidth(2)
    assert width >= leaf and CODE_COL_MIN <= width <= CODE_COL_MAX  # the leaf reads whole
    assert width <= max(CODE_COL_MIN, table.width() // 4)  # the quote keeps its room
    # a short path gets the minimum, not the long one's width
    short = project.codes.resolve("Referral pathways")
    wb.ctx.codeSelected.emit([short.id])
    fm = table.fontMetrics()
    assert table.columnWidth(2) == max(CODE_COL_MIN, fm.horizontalAdvance(short.display_path) + 2 * fm.horizontalAdvance("  "))
