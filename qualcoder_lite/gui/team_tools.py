"""Team coding in the main window: Tools ▸ Coder comparison…, Show coders…, Merge a
colleague's copy…. The three entries are declared in ``actions.py`` (object name ``teamTools``).
The merge runs as a job (its own connection, progress, Cancel) and is one undoable step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QLabel, QListWidget, QListWidgetItem,
    QPlainTextEdit, QRadioButton, QVBoxLayout,
)

from ..core.model import CODER_COLORS
from ..core.changes import Changes
from .agreement_view import AgreementView
from .jobs import Job


# --------------------------------------------------------------------------- show coders
class ShowCodersDialog(QDialog):
    """All coders / only mine / a chosen set; optionally colour the margin stripes by coder."""

    def __init__(self, coders: list[str], mine: str, visible: list[str] | None, by_coder: bool, parent=None):
        super().__init__(parent)
        self.setObjectName("showCodersDialog")
        self.setWindowTitle("Show coders")
        self.mine = mine
        self.all_radio = QRadioButton("All coders", self)
        self.all_radio.setObjectName("showAllCoders")
        self.mine_radio = QRadioButton(f"Only mine ({mine})", self)
        self.mine_radio.setObjectName("showMine")
        self.chosen_radio = QRadioButton("These coders:", self)
        self.chosen_radio.setObjectName("showChosen")
        group = QButtonGroup(self)
        for r in (self.all_radio, self.mine_radio, self.chosen_radio):
            group.addButton(r)
        self.list = QListWidget(self)
        self.list.setObjectName("coderList")
        for name in coders:
            item = QListWidgetItem(name, self.list)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if visible is None or name in visible else Qt.Unchecked)
        self.by_coder = QCheckBox("Colour the margin stripes by coder", self)
        self.by_coder.setObjectName("stripesByCoder")
        self.by_coder.setChecked(by_coder)
        if visible is None:
            self.all_radio.setChecked(True)
        elif visible == [mine]:
            self.mine_radio.setChecked(True)
        else:
            self.chosen_radio.setChecked(True)
        self.list.setEnabled(self.chosen_radio.isChecked())
        self.chosen_radio.toggled.connect(self.list.setEnabled)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        for w in (self.all_radio, self.mine_radio, self.chosen_radio, self.list, self.by_coder, buttons):
            lay.addWidget(w)

    def choice(self) -> list[str] | None:
        if self.all_radio.isChecked():
            return None
        if self.mine_radio.isChecked():
            return [self.mine]
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.Checked]


# --------------------------------------------------------------------------- merge report
class MergeReportDialog(QDialog):
    def __init__(self, report, parent=None):
        super().__init__(parent)
        self.setObjectName("mergeReport")
        self.setWindowTitle(f"Merged {report.other}")
        self.report = report
        head = QLabel(report.summary(), self)
        head.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("mergeReportText")
        self.text.setReadOnly(True)
        self.text.setPlainText("\n".join(report.lines()))
        note = QLabel("The whole merge is one step: Edit ▸ Undo takes it back.", self)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        for w in (head, self.text, note, buttons):
            lay.addWidget(w)
        self.resize(760, 520)


# --------------------------------------------------------------------------- install
class TeamTools(QObject):
    """The Tools-menu entries for team coding (object name ``teamTools``)."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("teamTools")
        self.window = window
        self.view: AgreementView | None = None
        self.report_dialog: MergeReportDialog | None = None
        self.coders_dialog: ShowCodersDialog | None = None
        self.by_coder = False
        # its Tools-menu entries are declared in actions.py

    # -- comparison ------------------------------------------------------------------------
    def open_comparison(self) -> AgreementView | None:
        ctx = self.window.ctx
        if ctx is None:
            return None
        if self.view is None or self.view.ctx is not ctx:
            if self.view is not None:
                self.view.close()
                self.view.deleteLater()
            self.view = AgreementView(ctx, self.window)
            ctx.destroyed.connect(self._forget_view)
        else:
            self.view.reload_coders()
        self.view.show()
        self.view.raise_()
        self.view.activateWindow()
        return self.view

    def _forget_view(self, *_args) -> None:
        if self.view is not None:
            self.view.close()
            self.view.deleteLater()
            self.view = None

    # -- which coders are shown ----------------------------------------------------------------
    def show_coders_dialog(self) -> ShowCodersDialog | None:
        ctx = self.window.ctx
        if ctx is None:
            return None
        coders = [c.name for c in ctx.project.coders.all()]
        dlg = ShowCodersDialog(coders, ctx.project.coder, ctx.visible_coders, self.by_coder, self.window)
        dlg.accepted.connect(lambda: self.set_visible_coders(dlg.choice(), dlg.by_coder.isChecked()))
        self.coders_dialog = dlg
        dlg.open()
        return dlg

    def set_visible_coders(self, names: list[str] | None, by_coder: bool | None = None) -> None:
        """Show all coders (None) or only ``names``; optionally colour the stripes by coder."""
        ctx = self.window.ctx
        if ctx is None:
            return
        ctx.visible_coders = None if names is None else list(names)
        if by_coder is not None:
            self.by_coder = by_coder
            wb = self.window.workbench
            if wb is not None:
                colors = {}
                if by_coder:
                    for i, c in enumerate(ctx.project.coders.all()):
                        colors[c.name] = c.color or CODER_COLORS[i % len(CODER_COLORS)]
                v = wb.view
                v.set_codings(v.codings, v.code_colors, v.code_names, coder_colors=colors)
        ctx.changed.emit(Changes(tables={"codings"}))
        shown = "all coders" if names is None else (", ".join(names) or "no coder")
        self.window.show_message(f"Showing codings of {shown}.")

    # -- merge -------------------------------------------------------------------------
    def merge_dialog(self) -> None:
        if self.window.ctx is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Merge a colleague's copy", "",
            "QualCoder Lite projects (*.qlite);;REFI-QDA projects (*.qdpx);;All files (*)")
        if path:
            self.merge_file(Path(path))

    def merge_file(self, path: str | Path) -> Job | None:
        """Merge ``path`` as a job (own connection, progress, Cancel), one undoable step, and
        show the report; returns the job (its ``report`` is set once it has merged)."""
        ctx = self.window.ctx
        if ctx is None:
            return None

        def merge(own, progress):
            from ..core.services.team.merge import prepare_merge  # imported by the job, not on the GUI thread

            progress(0, 1, f"Reading {Path(path).name}")
            cmd = prepare_merge(own, path, progress)
            own.execute(cmd)
            return cmd

        job = Job(self.window, merge, what="The merge").writes(ctx)
        job.report = None
        return (job.success(lambda cmd: self._merged(job, cmd.result))
                .failure(lambda msg: self.window.show_error("Merge failed — nothing was changed", msg))
                .cancelled(lambda: self.window.show_message("Merge cancelled; nothing was changed."))
                .with_progress("Merging a colleague's copy", object_name="mergeProgress")
                .run())

    def _merged(self, job: Job, report) -> None:
        job.report = report
        self.window.show_message(report.summary())
        if self.report_dialog is not None:
            self.report_dialog.close()
            self.report_dialog.deleteLater()
        self.report_dialog = MergeReportDialog(report, self.window)
        self.report_dialog.show()
