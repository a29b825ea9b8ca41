"""Tools ▸ Attribute sheet…: cases (or sources) × attributes, edited in place; add an
attribute; import a CSV or Excel sheet. Every edit is one undoable step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from ..core.errors import QualCoderError
from ..core.services.sources.attribute_table import read_attribute_table
from ..core.services.sources.attributes import (AddAttribute, AttributeReport, ImportAttributes,
    SetAttributeValue, name_list, unmatched_cases)
from .context import Context


def import_attribute_file(parent: QWidget, ctx: Context, path: str) -> AttributeReport | None:
    """Import an attributes table (CSV or .xlsx) as one undoable step. Rows whose case id
    matches no case are listed first and the user chooses: create those cases (without
    sources), leave the rows out, or cancel (None). Errors raise ``QualCoderError``."""
    table = read_attribute_table(path)
    unmatched = unmatched_cases(ctx.project, table)
    create = False
    if unmatched:
        n = len(unmatched)
        known = {c.name.casefold(): c.name for c in ctx.project.cases.all()}
        answer = QMessageBox.question(
            parent, "Cases not in the project",
            f"{n:,} of the {len(table.rows):,} rows in {table.path.name} name a case this project does not have:"
            f"\n\n{name_list(unmatched, known)}\n\nCreate {'these cases' if n != 1 else 'this case'} (without "
            f"sources)?\n\nYes: create {'them' if n != 1 else 'it'}. No: leave {'those rows' if n != 1 else 'that row'} "
            "out. Cancel: import nothing.",
            QMessageBox.Yes | QMessageBox.No | QMessageBox.Cancel, QMessageBox.No)
        if answer == QMessageBox.Cancel:
            return None
        create = answer == QMessageBox.Yes
    cmd = ImportAttributes(table, create_cases=create)
    ctx.run(cmd)
    return cmd.result


class AttributeSheetModel(QAbstractTableModel):
    errorRaised = Signal(str)

    def __init__(self, ctx: Context, applies_to: str = "case", parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.applies_to = applies_to
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        p = self.ctx.project
        self.attributes = p.attributes.all(self.applies_to)
        if self.applies_to == "case":
            self.rows = [(c.id, c.name) for c in p.cases.all()]
            self.values = p.attributes.case_values()
        else:
            self.rows = [(s.id, s.name) for s in p.sources.all()]
            self.values = p.attributes.source_values()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.attributes)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole:
            if orientation == Qt.Horizontal and 0 <= section < len(self.attributes):
                return self.attributes[section].name
            if orientation == Qt.Vertical and 0 <= section < len(self.rows):
                return self.rows[section][1]
        if role == Qt.ToolTipRole and orientation == Qt.Horizontal and 0 <= section < len(self.attributes):
            return f"type: {self.attributes[section].type}"
        return None

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.EditRole):
            return None
        row_id = self.rows[index.row()][0]
        return self.values.get(row_id, {}).get(self.attributes[index.column()].name, "")

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsEditable

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        if not index.isValid() or role != Qt.EditRole:
            return False
        row_id = self.rows[index.row()][0]
        attr = self.attributes[index.column()]
        text = str(value).strip()
        if text == self.data(index):
            return False
        kwargs = {"case_id": row_id} if self.applies_to == "case" else {"source_id": row_id}
        try:
            self.ctx.run(SetAttributeValue(attr.id, text, **kwargs))
        except QualCoderError as exc:
            self.errorRaised.emit(str(exc))
            return False
        return True


class AttributeSheet(QDialog):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.setObjectName("attributeSheet")
        self.setWindowTitle("Attribute sheet")
        self.ctx = ctx
        self.model = AttributeSheetModel(ctx, "case", self)
        self.table = QTableView(self)
        self.table.setObjectName("attributeTable")
        self.table.setModel(self.model)
        self.kind = QComboBox(self)
        self.kind.addItem("Cases", "case")
        self.kind.addItem("Sources", "source")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.status = QLabel(self)
        add = QPushButton("Add attribute…", self)
        add.clicked.connect(self.add_attribute)
        imp = QPushButton("Import CSV / Excel…", self)
        imp.clicked.connect(self.import_dialog)
        exp = QPushButton("Export CSV / Excel…", self)
        exp.setObjectName("exportAttributes")
        exp.clicked.connect(self.export_dialog)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(QLabel("Attributes of:", self))
        top.addWidget(self.kind)
        top.addStretch(1)
        top.addWidget(add)
        top.addWidget(imp)
        top.addWidget(exp)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        self.model.errorRaised.connect(self.status.setText)
        ctx.changed.connect(self._changed)
        self.resize(760, 480)

    def _kind_changed(self, _i: int) -> None:
        self.model.applies_to = self.kind.currentData()
        self.model.reload()

    def _changed(self, changes) -> None:
        if changes.tables & {"attributes", "attribute_values", "cases", "sources"}:
            self.model.reload()

    def add_attribute(self, name: str | None = None, type_: str | None = None) -> bool:
        if name is None:
            name, ok = QInputDialog.getText(self, "Add attribute", "Attribute name:")
            if not ok or not name.strip():
                return False
        if type_ is None:
            type_, ok = QInputDialog.getItem(self, "Add attribute", f"Type of '{name}':",
                                             ["text", "number", "date", "boolean"], 0, False)
            if not ok:
                return False
        try:
            self.ctx.run(AddAttribute(name, type_, self.model.applies_to))
        except QualCoderError as exc:
            self.status.setText(str(exc))
            return False
        return True

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import attributes", "",
                                              "Attribute tables (*.csv *.xlsx);;All files (*)")
        if path:
            self.import_file(path)

    def export_dialog(self) -> None:
        from .save_target import from_dialog

        what = "cases" if self.model.applies_to == "case" else "sources"
        chosen, filt = QFileDialog.getSaveFileName(self, "Export attribute sheet",
                                                   f"{self.ctx.project.name}-{what}.xlsx",
                                                   "Excel (*.xlsx);;CSV (*.csv)")
        if chosen:
            suffix = Path(chosen).suffix.lower()
            if suffix not in (".csv", ".xlsx"):
                suffix = ".csv" if "csv" in filt.lower() else ".xlsx"
            target = from_dialog(self, chosen, suffix, self.ctx.project, "Export attribute sheet")
            if target is not None:
                self.export_file(target)

    def export_file(self, target):
        """Write the sheet as a job on its own connection; returns the job (its ``result``
        is the path written), or None when refused at once."""
        from ..core.formats.attributes_export import write_attribute_sheet
        from .jobs import Job
        from .save_target import target_of

        target = target_of(self, target, self.ctx.project, "Export attribute sheet")
        if target is None:
            return None
        applies_to = self.model.applies_to
        return (Job(self, lambda own, _progress: str(write_attribute_sheet(own, target, applies_to)),
                    project=self.ctx.project, what="Export attribute sheet")
                .success(lambda out: self.status.setText(f"Exported {Path(out).name}"))
                .failure(lambda msg: self.status.setText(f"Export failed: {msg}"))
                .with_progress("Export attribute sheet", object_name="exportProgress")
                .run())

    def import_file(self, path: str) -> bool:
        try:
            report = import_attribute_file(self, self.ctx, path)
        except QualCoderError as exc:
            self.status.setText(str(exc))
            return False
        if report is None:
            self.status.setText("Import cancelled; nothing was changed")
            return False
        self.status.setText(report.summary())
        return True


def open_sheet(window) -> AttributeSheet | None:
    if window.ctx is None:
        return None
    sheet = AttributeSheet(window.ctx, window)
    window._attribute_sheet = sheet
    sheet.show()
    return sheet
