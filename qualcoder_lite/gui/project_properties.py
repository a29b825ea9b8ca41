"""File ▸ Project properties: the study's title and authors (printed on every title page)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit


class ProjectPropertiesDialog(QDialog):
    def __init__(self, title: str, authors: str, file_name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Project properties")
        form = QFormLayout(self)
        self.titleEdit = QLineEdit(title, self)
        self.titleEdit.setObjectName("studyTitle")
        self.titleEdit.setPlaceholderText(f"(documents use the file name: {file_name})")
        self.authorsEdit = QLineEdit(authors, self)
        self.authorsEdit.setObjectName("studyAuthors")
        form.addRow("Study &title:", self.titleEdit)
        form.addRow("&Authors:", self.authorsEdit)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, self.sizeHint().height())

    def values(self) -> tuple[str, str]:
        return self.titleEdit.text(), self.authorsEdit.text()
