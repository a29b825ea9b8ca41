"""The main window: welcome page or an open project's views, menus and actions."""

from __future__ import annotations

import gc
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog, QInputDialog, QLabel, QMainWindow, QMessageBox, QStackedWidget,
)

from ..core.errors import QualCoderError
from ..core.project import Project, new_project
from . import prefs
from .actions import Actions
from .commands import replay_failed
from .context import Context
from .postings_keeper import PostingsKeeper
from .undo_keys import UndoKeys
from .welcome import WelcomePage

APP = "QualCoder Lite"
SOURCE_FILTER = "Transcripts (*.txt *.md *.markdown *.text *.docx *.odt *.rtf *.pdf *.srt *.vtt);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(self, coder: str | None = None):
        super().__init__()
        self.setObjectName("mainWindow")
        self.coder = coder
        self.ctx: Context | None = None
        self.workbench = None
        self.codebook = None
        self.matrix = None
        self.backup_job = None  # the automatic backup of the open project (``opening``)
        self.postings: PostingsKeeper | None = None  # builds the open project's search postings
        self.stack = QStackedWidget(self)
        self.welcome = WelcomePage(self)
        self.stack.addWidget(self.welcome)
        self.setCentralWidget(self.stack)
        self.welcome.openRequested.connect(lambda p: self.open_path(Path(p)))
        self.welcome.newRequested.connect(self.new_dialog)
        self.welcome.browseRequested.connect(self.open_dialog)
        self.welcome.demoRequested.connect(self.open_demo)
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        self.menu_actions = Actions(self)  # every menu and action (actions.py)
        self.undo_keys = UndoKeys(self)
        self._update_title()
        self.resize(1400, 900)

    def _sync_actions(self) -> None:
        self.menu_actions.sync()

    # -- opening and closing ------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        from .codebook_view import CodebookView
        from .workbench import Workbench

        self.close_project()
        self.ctx = Context(project, self)
        self.workbench = Workbench(self.ctx, self)
        self.workbench.message.connect(self.show_message)
        self.codebook = CodebookView(self.ctx, self)
        self.stack.addWidget(self.workbench)
        self.stack.addWidget(self.codebook)
        self.ctx.undo_stack.indexChanged.connect(lambda _i: self._sync_actions())
        self.ctx.undo_stack.cleanChanged.connect(lambda _c: self._update_title())
        self.ctx.changed.connect(self._on_changed)
        self.postings = PostingsKeeper(self, self.ctx)
        self.ctx.sourceRequested.connect(lambda *_a: self.show_view("coding"))
        self.ctx.historyBroken.connect(partial(replay_failed, self))
        # the message box waits until the undo that failed has returned
        self.ctx.historyBroken.connect(lambda msg: self.show_error("Undo", msg), Qt.QueuedConnection)
        self.workbench.codes.click_to_code = self.actionClickToCode.isChecked()
        self.workbench.view.snap_to_words = self.actionSnapWords.isChecked()
        self.show_view("coding")
        first = self.workbench.sources.first_source_id  # read by the source list just now
        if first is not None:
            self.workbench.open_source(first)
        self._sync_actions()
        self._update_title()
        if project.path is not None:
            try:
                prefs.add_recent(project.path)
            except QualCoderError as exc:  # a full or read-only config folder: the project opens all the same
                self.show_message(f"The list of recent projects was not updated: {exc}")
        # What exists now (the window, its models, the project's caches) lives as long as the
        # project: full collections leave it out from now on (the one after a job walked
        # it all, 20-60 ms on the GUI thread at 10x). Closing the project gives it back.
        gc.freeze()

    def open_path(self, path: Path, coder: str | None = None, passphrase: str | None = None,
                  read_only: bool = False, lock=None) -> bool:
        """Open a project (see ``opening.open_path``); False when it was not opened."""
        from .opening import open_path

        return open_path(self, path, coder, passphrase, read_only, lock)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", "QualCoder Lite projects (*.qlite);;All files (*)")
        if path:
            self.open_path(Path(path))

    def new_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", "", "QualCoder Lite projects (*.qlite)")
        if not path:
            return
        try:
            project = new_project(path, coder=self.coder, lock=True)
        except QualCoderError as exc:
            self.show_error("Cannot create project", str(exc))
            return
        self.set_project(project)
        self.ask_coder(first_open=True)

    def open_demo(self) -> None:
        from .launch import make_demo_copy

        try:
            path = make_demo_copy()
        except QualCoderError as exc:
            self.show_error("Cannot open the demo", str(exc))
            return
        self.open_path(path, coder=self.coder or "alex")

    def close_project(self) -> None:
        """Close the open project; a background job still running is cancelled first and
        waited for (``_stop_jobs`` asks the user before it comes to that)."""
        if self.ctx is None:
            return
        from .jobs import running, stop

        if self.postings is not None:
            self.postings.stop()  # no new upkeep; one running is cancelled below
            self.postings = None
        jobs = running()
        if jobs:
            stop(jobs)
        gc.unfreeze()  # the closed project's window can be collected again
        for w in (self.workbench, self.codebook, self.matrix):
            if w is not None:
                self.stack.removeWidget(w)
                w.deleteLater()
        self.workbench = self.codebook = self.matrix = None
        self.ctx.project.close()
        # a closed project says nothing more (its stack is deleted later, perhaps after
        # this window at quit, and would report its last index change to a deleted window)
        self.ctx.undo_stack.blockSignals(True)
        self.ctx.blockSignals(True)
        self.ctx.deleteLater()
        self.ctx = None
        self.welcome.reload()
        self.stack.setCurrentWidget(self.welcome)
        self._sync_actions()
        self._update_title()

    def closeEvent(self, event) -> None:
        if not self._stop_jobs("quit"):
            event.ignore()
            return
        self.close_project()
        super().closeEvent(event)

    def _close_clicked(self) -> None:
        if self._stop_jobs("close the project"):
            self.close_project()

    def _stop_jobs(self, then: str) -> bool:
        """A background job (an import...) is running: ask before cancelling it. Yes
        cancels it and waits until it has stopped (the project then holds all of its work
        or none); No leaves everything as it is. True when nothing is running any more."""
        from .jobs import running, stop

        # the backup is waited for, upkeep (search postings) cancelled, both unasked
        jobs = [job for job in running() if not job.background and not job.idle]
        if not jobs:
            return True
        answer = QMessageBox.question(self, APP, f"{jobs[0].what} is running. Cancel it and {then}?",
                                      QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        if answer != QMessageBox.Yes:
            return False
        stop(jobs)
        return True

    # -- views ------------------------------------------------------------------------
    def show_view(self, name: str) -> None:
        if self.ctx is None:
            return
        if name == "matrix":
            if self.matrix is None:
                from .matrix_view import MatrixView

                self.matrix = MatrixView(self.ctx, self)
                self.stack.addWidget(self.matrix)
            self.stack.setCurrentWidget(self.matrix)
            self.actionViewMatrix.setChecked(True)
        elif name == "codebook":
            self.codebook.reload()
            self.stack.setCurrentWidget(self.codebook)
            self.actionViewCodebook.setChecked(True)
        else:
            self.stack.setCurrentWidget(self.workbench)
            self.actionViewCoding.setChecked(True)

    def _focus(self, what: str) -> None:
        if self.workbench is None:
            return
        self.show_view("coding")
        widget = {"sources": self.workbench.sources.tree, "view": self.workbench.view,
                  "codes": self.workbench.codes.tree, "retrieval": self.workbench.retrieval.table}[what]
        if what == "retrieval":
            self.workbench.tabs.setCurrentWidget(self.workbench.retrieval)
        widget.setFocus(Qt.ShortcutFocusReason)

    # -- state shown to the user ----------------------------------------------------------
    def _update_title(self) -> None:
        if self.ctx is None:
            self.setWindowTitle(APP)
            self.status_label.setText("")
            return
        p = self.ctx.project
        # Every change is written to the file as it happens: there is never unsaved work.
        self.setWindowModified(False)
        flags = (" (read-only)" if p.read_only else "") + (" 🔒" if p.encrypted else "")
        self.setWindowTitle(f"{p.name}{flags} — {APP}")
        n = self.ctx.undo_stack.index()
        if p.read_only:
            self.status_label.setText("Read-only: someone else has this project open")
            return
        self.status_label.setText(f"Coder: {p.coder}   ·   All changes saved"
                                  + (f"   ·   {n} step{'s' if n != 1 else ''} to undo" if n else ""))

    def _on_changed(self, changes) -> None:
        self._update_title()
        if self.codebook is not None and self.stack.currentWidget() is self.codebook:
            self.codebook.reload()
        if self.matrix is not None:
            self.matrix.on_changed(changes)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def show_error(self, title: str, text: str) -> None:
        self.show_message(text)
        if self.isVisible():
            QMessageBox.warning(self, title, text)

    def ask_coder(self, first_open: bool = False) -> None:
        if self.ctx is None:
            return
        p = self.ctx.project
        prompt = ("Your name as a coder in this project (recorded with every coding you make):"
                  if first_open else "Coder name:")
        name, ok = QInputDialog.getText(self, "Coder", prompt, text=p.coder)
        if ok and name.strip():
            self.ctx.set_coder(name.strip())
            if p.path is not None:
                try:
                    prefs.set_coder_for(p.path, name.strip())
                except QualCoderError as exc:  # used now, only not remembered for next time
                    self.show_message(f"Your coder name was not remembered for next time: {exc}")
            self._update_title()

    def quick_code(self):
        """Code ▸ Quick code… (see ``commands.quick_code``); the dialog, or None."""
        from .commands import quick_code

        return quick_code(self)

    # -- importing -----------------------------------------------------------------------
    def import_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import sources", "", SOURCE_FILTER)
        if files:
            self.import_files([Path(f) for f in files])

    def import_files(self, paths: list[Path], start_now: bool = True):
        """Import in a job with progress and Cancel (see ``import_sources``); returns its worker."""
        from .import_sources import import_files

        return import_files(self, paths, start_now)
