"""Tools ▸ Pseudonymise…: review suggested names, edit their pseudonyms, apply them everywhere
in one undoable step, export the key, remove it for good.

The dialog only gathers a table of (real name, pseudonym) rows; finding candidates, applying,
exporting and removing the key are the core's work (``core.services.pseudonymise``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from ..core.errors import QualCoderError
from ..core.services.privacy.pseudonymise import (IRREVERSIBLE_WARNING, Pseudonymise, RemoveKey, export_key,
    key_removed, load_key, suggest)
from .jobs import Job

COLUMNS = ("Real name", "Pseudonym", "Kind", "Found")
KIND_LABELS = {"key": "in the key, still found", "speaker": "speaker", "person": "person (title)",
               "organisation": "organisation", "name": "name or place", "added": "added by you"}
KIND_ROLE = Qt.UserRole + 1

INTRO = (
    "Ticked names are replaced by their pseudonyms in every source text, source name, speaker label, "
    "memo, matrix summary, attribute value and export, and every coding moves with its text. It is one "
    "step you can undo (Edit ▸ Undo) until the key is removed. Matching is whole-word and case-sensitive: "
    "add other spellings (\"Smith\", \"Dr. Smith\", \"SMITH\") as rows of their own. Untick what is not a name."
)


def confirm_irreversible(parent, text: str) -> bool:
    """Ask before removing the key; the default button is Cancel."""
    box = QMessageBox(QMessageBox.Warning, "Remove the pseudonym key — irreversible", text, QMessageBox.NoButton,
                      parent)
    box.setObjectName("removeKeyConfirm")
    remove = box.addButton("Remove key permanently", QMessageBox.DestructiveRole)
    cancel = box.addButton(QMessageBox.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is remove


class PseudonymDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("pseudonymDialog")
        self.setWindowTitle("Pseudonymise")
        self.window = window
        self.ctx = window.ctx
        self.last_result = None
        self.last_removal = None
        self.job: Job | None = None  # the last apply or key removal

        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("pseudonymTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                                   | QAbstractItemView.AnyKeyPressed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeToContents)
        self.table.verticalHeader().setVisible(False)

        self.addButton = self._button("addRowButton", "&Add name", self.add_row)
        self.removeRowButton = self._button("removeRowButton", "&Delete row", self.delete_rows)
        self.refreshButton = self._button("refreshButton", "&Suggest again", self.load)
        self.applyButton = self._button("applyButton", "A&pply", self.apply)
        self.exportButton = self._button("exportKeyButton", "&Export key…", self.export_key)
        self.removeKeyButton = self._button("removeKeyButton", "&Remove key…", self.remove_key)
        close = self._button("closeButton", "Close", self.close)
        self.status = QLabel(self)
        self.status.setObjectName("pseudonymStatus")
        self.status.setWordWrap(True)

        edit_row = QHBoxLayout()
        for b in (self.addButton, self.removeRowButton, self.refreshButton):
            edit_row.addWidget(b)
        edit_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.exportButton)
        buttons.addWidget(self.removeKeyButton)
        buttons.addStretch(1)
        buttons.addWidget(self.applyButton)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(edit_row)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(760, 560)
        self.load()

    def _button(self, name: str, text: str, slot) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        b.setAutoDefault(False)
        b.clicked.connect(lambda _checked=False: slot())
        return b

    # -- the table ------------------------------------------------------------------------
    def load(self) -> None:
        """Fill the table with the core's suggestions (all ticked)."""
        self.table.setRowCount(0)
        for s in suggest(self.ctx.project):
            self._append(s.real, s.pseudonym, s.kind, s.count, checked=True)
        self._update_status()

    def _append(self, real: str, pseudonym: str, kind: str, count: int | None, checked: bool) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(real)
        name.setFlags(name.flags() | Qt.ItemIsUserCheckable | Qt.ItemIsEditable)
        name.setCheckState(Qt.Checked if checked else Qt.Unchecked)
        name.setData(KIND_ROLE, kind)
        self.table.setItem(row, 0, name)
        self.table.setItem(row, 1, QTableWidgetItem(pseudonym))
        for col, value in ((2, KIND_LABELS.get(kind, kind)), (3, "" if count is None else f"{count:,}")):
            item = QTableWidgetItem(value)
            item.setFlags(item.flags() & ~Qt.ItemIsEditable)
            if col == 3:
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.table.setItem(row, col, item)
        return row

    def add_row(self, real: str = "", pseudonym: str = "") -> int:
        """Add a name of your own (ticked) and start editing it when it is empty."""
        row = self._append(real, pseudonym, "added", None, checked=True)
        self.table.scrollToItem(self.table.item(row, 0))
        self.table.setCurrentCell(row, 0)
        if not real:
            self.table.editItem(self.table.item(row, 0))
        return row

    def delete_rows(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def rows(self) -> list[tuple[str, str, str]]:
        """Ticked rows as (label, real, pseudonym); the label names the row in messages."""
        out = []
        for row in range(self.table.rowCount()):
            name, pseudo = self.table.item(row, 0), self.table.item(row, 1)
            if name is None or name.checkState() != Qt.Checked:
                continue
            real = name.text()
            if not real.strip() and not (pseudo and pseudo.text().strip()):
                continue  # an empty row nobody filled in
            out.append((f"row {row + 1}", real, pseudo.text() if pseudo else ""))
        return out

    # -- actions --------------------------------------------------------------------------
    def apply(self):
        """Apply the ticked rows (and the stored key) as one undoable step, as a job (its own
        connection, progress, Cancel); returns the job (None when refused at once). Its
        result lands in ``last_result``; a refusal is shown and changes nothing."""
        rows = self.rows()
        if not rows and not load_key(self.ctx.project):
            self.window.show_error("Nothing to pseudonymise", "Tick at least one name, or add one.")
            return None

        def pseudonymise(own, progress):
            cmd = Pseudonymise(rows)
            own.execute(cmd)
            return cmd

        self.job = (Job(self, pseudonymise, what="Pseudonymisation").writes(self.ctx)
                    .success(lambda cmd: self._applied(cmd.result))
                    .failure(lambda msg: self.window.show_error("Pseudonymisation refused — nothing was changed",
                                                                msg))
                    .cancelled(lambda: self.window.show_message("Pseudonymisation cancelled; nothing was changed."))
                    .with_progress("Pseudonymising", object_name="pseudonymProgress")
                    .run())
        return self.job

    def _applied(self, result) -> None:
        self.last_result = result
        summary = result.summary()
        if result.unused:
            summary += f". Not found in any source: {', '.join(result.unused[:5])}"
        self.window.show_message(f"Pseudonymised: {summary}. Undo with Edit ▸ Undo.")
        self.load()
        self.status.setText(f"Applied: {summary}.")

    def export_key(self, path: str | Path | None = None) -> int | None:
        """Write the key table as CSV (asks where when ``path`` is None); returns the count."""
        from .save_target import choose_target, from_dialog

        title = "Export the pseudonym key"
        if path is None:
            name = f"{self.ctx.project.name}-pseudonym-key.csv"
            chosen, _ = QFileDialog.getSaveFileName(self, "Export the pseudonym key (keep it apart from the project)",
                                                    name, "CSV files (*.csv)")
            target = from_dialog(self, chosen, ".csv", self.ctx.project, title)
        else:
            target = choose_target(self, path, self.ctx.project, title=title)
        if target is None:
            return None
        path = target.path
        try:
            n = export_key(self.ctx.project, target)
        except (QualCoderError, OSError) as exc:
            self.window.show_error("Key not exported", str(exc))
            return None
        self.window.show_message(f"Wrote the key ({n} names) to {path}. Keep it apart from the project.")
        self.status.setText(f"Exported the key ({n} names) to {path}.")
        return n

    def remove_key(self):
        """Remove the key for good after a confirmation that says it is irreversible; clears
        the undo history (it holds the real names). Runs as a job; returns it (None when
        nothing was started); the core's report lands in ``last_removal``."""
        project = self.ctx.project
        entries = load_key(project)
        if not entries:
            self.window.show_error("No key to remove", "This project has no pseudonym key.")
            return None
        text = (f"{IRREVERSIBLE_WARNING}\n\nThe key holds {len(entries)} name{'' if len(entries) == 1 else 's'}. "
                "The undo history of this session is cleared too.")
        if not confirm_irreversible(self, text):
            self.window.show_message("The pseudonym key was kept.")
            return None
        keeper = getattr(self.window, "postings", None)  # no search upkeep while the file is compacted
        if keeper is not None:
            keeper.pause()
        self.job = (Job(self, lambda own, _progress: RemoveKey().run(own), project=project,
                        what="Removing the pseudonym key")
                    .writes(self.ctx)
                    .success(self._key_removed)
                    .always(lambda: keeper.resume() if keeper is not None else None)
                    .failure(lambda msg: self.window.show_error("Key not removed", msg))
                    .with_progress("Removing the pseudonym key", cancellable=False, object_name="removeKeyProgress")
                    .run())
        return self.job

    def _key_removed(self, report) -> None:
        self.ctx.undo_stack.clear()
        self.last_removal = report
        lines = report.lines()
        self.window.show_message(lines[0])
        self.load()
        self.status.setText("\n".join(lines))

    def _update_status(self) -> None:
        project = self.ctx.project
        entries = load_key(project)
        removed = key_removed(project)
        if entries:
            text = f"The key holds {len(entries)} name{'' if len(entries) == 1 else 's'}; export it before removing it."
        elif removed:
            text = f"The key was removed ({removed.get('removed', '?')}); it cannot be restored."
        else:
            text = "No key yet: the names you apply are kept in the project until you remove the key."
        self.status.setText(text)
        self.exportButton.setEnabled(bool(entries))
        self.removeKeyButton.setEnabled(bool(entries))


def open_pseudonym_dialog(window) -> PseudonymDialog | None:
    if window.ctx is None:
        return None
    old = getattr(window, "_pseudonym_dialog", None)
    if old is not None:
        old.close()
        old.deleteLater()
    dlg = PseudonymDialog(window)
    window._pseudonym_dialog = dlg
    dlg.show()
    return dlg
