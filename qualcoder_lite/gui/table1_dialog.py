"""Table 1, participant characteristics, from the app: File ▸ Export ▸ Table 1 and the
source panel's context menu. Pick the grouping attribute and the attribute columns, see
the rows, export as .docx, .xlsx or .csv (the same writer as ``qualcoder-lite
participants``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QPushButton, QVBoxLayout,
)



class Table1Dialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("table1Dialog")
        self.setWindowTitle("Table 1: participant characteristics")
        self.window_ = window
        self.project = window.ctx.project
        names = [a.name for a in self.project.attributes.all("case")]
        self.group = QComboBox(self)
        self.group.setObjectName("table1Group")
        self.group.addItem("(no groups)", None)
        for n in names:
            self.group.addItem(n, n)
        self.columns = QListWidget(self)
        self.columns.setObjectName("table1Columns")
        for n in names:
            item = QListWidgetItem(n, self.columns)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked)
        self.caption = QLineEdit("Characteristics of participants", self)
        self.footnote = QLineEdit(self)
        self.footnote.setPlaceholderText("abbreviations, notes (optional)")
        self.summary = QLabel(self)
        self.status = QLabel(self)
        export = QPushButton("Export…", self)
        export.setObjectName("table1Export")
        export.clicked.connect(self.export_dialog)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        form = QFormLayout()
        form.addRow("Group rows by:", self.group)
        form.addRow("Columns:", self.columns)
        form.addRow("Caption:", self.caption)
        form.addRow("Footnote:", self.footnote)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(export)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.summary)
        lay.addLayout(buttons)
        self.group.currentIndexChanged.connect(self.refresh)
        self.columns.itemChanged.connect(self.refresh)
        self.refresh()

    def attributes(self) -> list[str]:
        return [self.columns.item(i).text() for i in range(self.columns.count())
                if self.columns.item(i).checkState() == Qt.Checked]

    def table(self):
        from ..core.services.quotes.participants import participant_table

        return participant_table(self.project, self.group.currentData(), self.attributes())

    def refresh(self, *_args) -> None:
        t = self.table()
        groups = len(t.groups()) if t.group_by else 0
        self.summary.setText(f"{t.total} participant{'s' if t.total != 1 else ''}"
                             + (f" in {groups} groups" if groups else "")
                             + (f"; columns: {', '.join(self.attributes())}" if self.attributes() else ""))

    def export_dialog(self) -> None:
        from .save_target import from_dialog

        chosen, filt = QFileDialog.getSaveFileName(self, "Export Table 1", f"{self.project.name}-table1.docx",
                                                   "Word (*.docx);;Excel (*.xlsx);;CSV (*.csv)")
        if not chosen:
            return
        suffix = Path(chosen).suffix.lower()
        if suffix not in (".docx", ".xlsx", ".csv"):
            suffix = ".xlsx" if "xlsx" in filt else ".csv" if "csv" in filt.lower() else ".docx"
        target = from_dialog(self, chosen, suffix, self.project, "Export Table 1")
        if target is not None:
            self.export_to(target)

    def export_to(self, target):
        """Write Table 1 to ``target`` (an Output from the save dialog, or a path) as a job
        on its own connection; returns the job (its ``result`` is the path written), or
        None when refused at once."""
        from ..core.services.quotes.participants import participant_table, write_table1
        from .jobs import Job
        from .save_target import target_of

        target = target_of(self, target, self.project, "Export Table 1")
        if target is None:
            return None
        if not self.table().rows:
            self.status.setText("Nothing to export: the project has no cases.")
            return None
        group, attributes = self.group.currentData(), self.attributes()
        caption, footnote = self.caption.text().strip(), self.footnote.text().strip()

        def write(own, _progress):
            return str(write_table1(own, participant_table(own, group, attributes), target, caption, footnote))

        return (Job(self, write, project=self.project, what="Export Table 1")
                .success(lambda out: self.status.setText(f"Exported {Path(out).name}"))
                .failure(lambda msg: self.status.setText(f"Export failed: {msg}"))
                .with_progress("Export Table 1", object_name="exportProgress")
                .run())


def open_table1(window) -> Table1Dialog | None:
    if window.ctx is None:
        return None
    dlg = Table1Dialog(window)
    window._table1_dialog = dlg
    dlg.show()
    return dlg
