"""File ▸ Import survey…: pick the id column, the open-ended text columns and the attribute
columns of a CSV or .xlsx survey export, with a preview of its first rows; OK runs the same
service as ``import-survey`` (``core.services.sources.survey``) as one undoable step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.errors import QualCoderError
from ..core.formats.survey_table import SurveyTable, read_survey_table
from ..core.services.sources.survey import ImportSurvey, SurveyReport, SurveySpec
from .context import Context

PREVIEW_ROWS = 8
_LONG = 25  # a column whose previewed answers are this long on average is offered as text


def _checked(widget: QListWidget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count()) if widget.item(i).checkState() == Qt.Checked]


def guess_roles(table: SurveyTable) -> tuple[str, list[str], list[str]]:
    """(id column, text columns, attribute columns) as first offered: the first column is
    the id, columns with long answers are text, the rest attributes."""
    cols = table.columns
    text, attrs = [], []
    for i, name in enumerate(cols[1:], start=1):
        values = [row[i] for _n, row in table.rows if row[i]]
        avg = sum(map(len, values)) / len(values) if values else 0
        (text if avg >= _LONG else attrs).append(name)
    return cols[0], text, attrs


class SurveyImportDialog(QDialog):
    def __init__(self, ctx: Context, path: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("surveyImportDialog")
        self.ctx, self.path = ctx, Path(path)
        self.report: SurveyReport | None = None
        self.preview = read_survey_table(self.path, max_rows=PREVIEW_ROWS)  # errors: the caller shows them
        self.setWindowTitle(f"Import survey – {self.path.name}")
        self.resize(900, 620)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.idColumn = QComboBox(self)
        self.idColumn.setObjectName("surveyIdColumn")
        self.idColumn.addItems(self.preview.columns)
        form.addRow("Respondent id column (one case per row):", self.idColumn)
        self.dataset = QLineEdit(self.path.stem, self)
        self.dataset.setObjectName("surveyDataset")
        form.addRow("Survey name (importing again under it updates):", self.dataset)
        layout.addLayout(form)
        lists = QHBoxLayout()
        self.textColumns = self._column_list("surveyTextColumns")
        self.attributeColumns = self._column_list("surveyAttributeColumns")
        for title, widget in (("Open-ended answers (text columns)", self.textColumns),
                              ("Case attributes", self.attributeColumns)):
            box = QVBoxLayout()
            box.addWidget(QLabel(title))
            box.addWidget(widget)
            lists.addLayout(box)
        layout.addLayout(lists)
        self.byQuestion = QCheckBox("One source per question, one paragraph per respondent (default: one source "
                                    "per answer, best for the framework matrix)", self)
        self.byQuestion.setObjectName("surveyByQuestion")
        layout.addWidget(self.byQuestion)
        layout.addWidget(QLabel(f"First {len(self.preview.rows)} rows:"))
        self.table = self._preview_table()
        layout.addWidget(self.table)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.buttons.button(QDialogButtonBox.Ok).setText("Import")
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        id_col, text, attrs = guess_roles(self.preview)
        self.set_roles(id_col, text, attrs)
        self.idColumn.currentTextChanged.connect(lambda name: self._exclude_id(name))

    def _column_list(self, name: str) -> QListWidget:
        widget = QListWidget(self)
        widget.setObjectName(name)
        for col in self.preview.columns:
            item = QListWidgetItem(col, widget)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
        return widget

    def _preview_table(self) -> QTableWidget:
        t = QTableWidget(len(self.preview.rows), len(self.preview.columns), self)
        t.setObjectName("surveyPreview")
        t.setHorizontalHeaderLabels(self.preview.columns)
        for r, (_n, row) in enumerate(self.preview.rows):
            for c, value in enumerate(row):
                shown = value if len(value) <= 200 else value[:199] + "…"
                item = QTableWidgetItem(shown)
                item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                t.setItem(r, c, item)
        t.resizeColumnsToContents()
        for c in range(t.columnCount()):  # long answers wrap instead of pushing the rest away
            t.setColumnWidth(c, min(t.columnWidth(c), 280))
        t.resizeRowsToContents()
        return t

    def set_roles(self, id_column: str, text: list[str], attributes: list[str]) -> None:
        self.idColumn.setCurrentText(id_column)
        for widget, names in ((self.textColumns, text), (self.attributeColumns, attributes)):
            for i in range(widget.count()):
                item = widget.item(i)
                item.setCheckState(Qt.Checked if item.text() in names else Qt.Unchecked)
        self._exclude_id(id_column)

    def _exclude_id(self, id_column: str) -> None:
        for widget in (self.textColumns, self.attributeColumns):
            for i in range(widget.count()):
                item = widget.item(i)
                item.setHidden(item.text() == id_column)
                if item.text() == id_column:
                    item.setCheckState(Qt.Unchecked)

    def spec(self) -> SurveySpec:
        return SurveySpec(self.idColumn.currentText(), _checked(self.textColumns), _checked(self.attributeColumns),
                          by_question=self.byQuestion.isChecked(), dataset=self.dataset.text().strip() or None)

    def run_import(self):
        """Read and import the survey as a job (its own connection, off the GUI thread), one
        undoable step; the dialog closes when it is done. Returns the job."""
        from .jobs import Job

        path, spec = self.path, self.spec()

        def task(own, _progress):
            cmd = ImportSurvey(read_survey_table(path), spec)
            own.execute(cmd)
            return cmd

        def done(cmd) -> None:
            self.report = cmd.result
            self.accept()

        self.job = (Job(self, task, what="The survey import").writes(self.ctx)
                    .success(done)
                    .failure(lambda msg: QMessageBox.warning(self, "Cannot import the survey", msg))
                    .with_progress("Importing the survey", cancellable=False, object_name="surveyProgress")
                    .run())
        return self.job


def open_survey(window, path: str | None = None) -> SurveyImportDialog | None:
    if window.ctx is None:
        return None
    if window.ctx.project.read_only:
        window.show_message("The project is open for reading only")
        return None
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Import survey", "", "Survey tables (*.csv *.xlsx);;All files (*)")
        if not path:
            return None
    try:
        dlg = SurveyImportDialog(window.ctx, path, window)
    except QualCoderError as exc:
        window.show_error("Cannot read the survey", str(exc))
        return None
    window._survey_dialog = dlg
    dlg.finished.connect(lambda _r: _after(window, dlg))
    dlg.open()
    return dlg


def _after(window, dlg: SurveyImportDialog) -> None:
    if dlg.report is None:
        return
    window.show_message(dlg.report.summary())
    if dlg.report.warnings:
        QMessageBox.information(window, "Survey imported", "\n\n".join(dlg.report.warnings[:10]))
