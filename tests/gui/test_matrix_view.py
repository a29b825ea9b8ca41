"""The framework matrix view driven through real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.quotes.segments import segments
from tests.gui.conftest import finished


def _matrix(window):
    window.actionViewMatrix.trigger()
    m = window.matrix
    themes = [c.id for c in window.ctx.project.codes.all() if c.parent_id is None]
    m.set_columns(themes)
    return m


def _line_of(m, case_name):
    for line in range(m.model.rowCount()):
        row = m.model.row_of(line)
        if row is not None and row.name == case_name:
            return line
    raise AssertionError(case_name)


def test_type_a_summary_undo_redo(qtbot, window, demo_file):
    m = _matrix(window)
    line = _line_of(m, "LW04")
    col = next(c for c in range(m.model.columnCount()) if not m.model.cell_at(m.model.index(line, c)).summary)
    idx = m.model.index(line, col)
    m.table.setCurrentIndex(idx)
    m.table.setFocus()
    qtbot.keyClicks(m.table, "C")  # typing in a cell starts editing its summary
    editor = m.table.focusWidget()
    assert editor is not m.table
    qtbot.keyClicks(editor, "overs the whole island alone.")
    qtbot.keyClick(editor, Qt.Key_Return)
    code_id = m.model.matrix.columns[col].id
    case_id = window.ctx.project.cases.id_of("LW04")
    expected = "Covers the whole island alone."
    qtbot.waitUntil(lambda: window.ctx.project.matrix.summaries().get((case_id, code_id)) == expected)
    with open_project(demo_file) as p:  # saved in the file at once
        assert p.matrix.summaries()[(case_id, code_id)] == expected
    qtbot.waitUntil(lambda: expected in (m.model.index(_line_of(m, "LW04"), col).data() or ""))
    assert window.actionUndo.text() == "&Undo Edit matrix summary"
    window.actionUndo.trigger()
    assert (case_id, code_id) not in window.ctx.project.matrix.summaries()
    qtbot.waitUntil(lambda: "Covers" not in (m.model.index(_line_of(m, "LW04"), col).data() or ""))
    window.actionRedo.trigger()
    assert window.ctx.project.matrix.summaries()[(case_id, code_id)] == expected


def test_to_chart_flag_and_quotes_panel_jump(qtbot, window):
    m = _matrix(window)
    line = _line_of(m, "GP01")
    col = 0  # Referral pathways: GP01 has a quote but no summary there
    idx = m.model.index(line, col)
    assert m.model.data(idx).endswith("to chart")
    assert m.model.data(idx, Qt.BackgroundRole) is not None
    m.table.setCurrentIndex(idx)
    n = m.model.cell_at(idx).quotes
    assert m.quotes.count() == n > 0
    item = m.quotes.item(0)
    sid, start, end = item.data(Qt.UserRole)
    m.quotes.itemActivated.emit(item)
    assert window.stack.currentWidget() is window.workbench
    assert window.workbench.view.source_id == sid
    assert window.workbench.view.selection_cp() == (start, end)


def test_group_by_and_comparison_numbers(qtbot, window, demo_file):
    m = _matrix(window)
    m.group.setCurrentIndex(m.group.findData("wave"))
    m.compare_box.setChecked(True)
    assert [m.model.lines[i][1] for i in range(m.model.rowCount()) if m.model.is_group(i)] == ["2019", "2023"]
    assert m.table.columnSpan(0, 0) == m.model.columnCount()
    # comparison numbers against counts computed here from the segments
    with open_project(demo_file) as p:
        segs = segments(p)
        vals = p.attributes.case_values()
        wave = {c.name: vals[c.id].get("wave") for c in p.cases.all()}
        codes = {c.id: c for c in p.codes.all()}
    cm = m.comparison
    for r, (code_id, _name) in enumerate(cm.codes):
        prefix = codes[code_id].path
        for c, value in enumerate(cm.values):
            coded = {s.case for s in segs if wave[s.case] == value and codes[s.code_id].path[:len(prefix)] == prefix}
            total = sum(1 for w in wave.values() if w == value)
            assert cm.data(cm.index(r, c)).startswith(f"{len(coded)}/{total}")


def test_filter_sort_rows_sources_and_coding_query(qtbot, window):
    m = _matrix(window)
    m.filter.setCurrentIndex(m.filter.findData("role=Link worker"))
    names = [m.model.row_of(i).name for i in range(m.model.rowCount())]
    assert names == ["LW01", "LW02", "LW03", "LW04"]
    m.filter.setCurrentIndex(0)
    m.sort.setCurrentIndex(m.sort.findData("years_in_post"))
    assert m.model.row_of(m.model.rowCount() - 1).name == "LW04"  # no value: last
    m.rows.setCurrentIndex(m.rows.findData("source"))
    assert m.model.matrix.row_kind == "source" and m.model.rowCount() == 8
    m.lower.setCurrentIndex(1)  # the coding query tab
    m.query_attr.setCurrentIndex(m.query_attr.findData("role"))
    m.query_measure.setCurrentIndex(m.query_measure.findData("codings"))
    q = m.query
    assert q.columnCount() == 3 and q.rowCount() == len(m.model.matrix.columns)
    total = sum(q.data(q.index(r, c)) for r in range(q.rowCount()) for c in range(q.columnCount()))
    assert total == len(segments(window.ctx.project))


def test_export_from_the_view(tmp_path, window, qtbot):
    import docx

    m = _matrix(window)
    out = finished(qtbot, m.export(str(tmp_path / "matrix.docx"), with_quotes=True, per_theme=False))
    d = docx.Document(out)
    assert len(d.tables) == 1 and len(d.tables[0].columns) == 1 + m.model.columnCount()


def test_export_from_the_view_defaults_to_one_framework_chart_per_theme(tmp_path, window, qtbot):
    import docx
    import openpyxl

    project = window.ctx.project
    themes = [c for c in project.codes.all() if c.parent_id is None]
    subs = {t.name: [c.name for c in project.codes.all() if c.parent_id == t.id] for t in themes}
    m = _matrix(window)
    m.group.setCurrentIndex(m.group.findData("wave"))
    out = finished(qtbot, m.export(str(tmp_path / "charts.docx")))
    d = docx.Document(out)
    captions = [p.text for p in d.paragraphs if p.style.name == "Caption"]
    assert [c.split(": ", 1)[-1] for c in captions] == [t.name for t in themes], captions
    # grouped as the view is (by wave): one block per wave under each theme's caption
    assert len(d.tables) == 2 * len(themes)
    for t, table in zip(themes, d.tables[::2]):
        heads = [c.text for c in table.rows[0].cells]
        assert all(name in heads for name in subs[t.name]), (t.name, heads)
    assert any("wave" in c.text.lower() for t in d.tables for r in t.rows for c in r.cells)
    wb = openpyxl.load_workbook(finished(qtbot, m.export(str(tmp_path / "charts.xlsx"))))
    assert len(wb.sheetnames) == 1 + len(themes)


def test_matrix_model_testers(qtmodeltester, window):
    m = _matrix(window)
    qtmodeltester.check(m.model)
    m.group.setCurrentIndex(m.group.findData("wave"))
    m.compare_box.setChecked(True)
    qtmodeltester.check(m.model)
    qtmodeltester.check(m.comparison)
    m.lower.setCurrentIndex(1)
    m.query_attr.setCurrentIndex(m.query_attr.findData("wave"))
    qtmodeltester.check(m.query)


def test_hidden_matrix_catches_up_when_shown(qtbot, window):
    from qualcoder_lite.core.services.matrix.summaries import SetCellSummary

    m = _matrix(window)
    window.actionViewCoding.trigger()  # the matrix is hidden now
    line = _line_of(m, "GP02")
    col_id = m.model.matrix.columns[0].id
    window.ctx.run(SetCellSummary(window.ctx.project.cases.id_of("GP02"), col_id, "Written while hidden."))
    qtbot.wait(10)
    assert m._stale and "Written while hidden." not in (m.model.index(line, 0).data() or "")
    window.actionViewMatrix.trigger()
    assert "Written while hidden." in m.model.index(_line_of(m, "GP02"), 0).data()
