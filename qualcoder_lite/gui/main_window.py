"""The main window: welcome page or an open project's views, menus and actions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog, QInputDialog, QLabel, QLineEdit, QMainWindow, QMessageBox, QProgressDialog, QStackedWidget,
)

from ..core.errors import QualCoderError
from ..core.project import Project, new_project, open_project
from . import prefs
from .context import Context
from .undo_keys import UndoKeys
from .welcome import WelcomePage

APP = "QualCoder Lite"
# GUI feature modules that add menu entries (see _install_extensions)
EXTENSIONS = ("report_dialog", "qdpx_dialog", "agreement_view", "pseudonym_dialog", "safety_menu",
              "attribute_sheet", "memos_dialog", "queries_view", "table1_dialog", "edit_transcript_dialog",
              "survey_dialog")
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
        self._sync_hooks: list = []  # extensions that enable their actions by the project's state
        self._build_actions()
        self.undo_keys = UndoKeys(self)
        self._update_title()
        self.resize(1400, 900)

    # -- actions and menus -----------------------------------------------------------
    def _act(self, name: str, text: str, slot, shortcut=None, checkable=False) -> QAction:
        a = QAction(text, self)
        a.setObjectName(name)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                a.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                a.setShortcut(QKeySequence(shortcut))
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        self.addAction(a)  # shortcuts work wherever focus is
        return a

    def _build_actions(self) -> None:
        mb = self.menuBar()
        f = self.menuFile = mb.addMenu("&File")
        f.addAction(self._act("actionNewProject", "&New project…", self.new_dialog, QKeySequence.New))
        f.addAction(self._act("actionOpenProject", "&Open project…", self.open_dialog, QKeySequence.Open))
        f.addAction(self._act("actionOpenDemo", "Open the &demo project", self.open_demo))
        f.addSeparator()
        self.actionImport = self._act("actionImportSources", "&Import sources…", self.import_dialog, "Ctrl+I")
        f.addAction(self.actionImport)
        self.actionImportAttributes = self._act("actionImportAttributes", "Import case &attributes (CSV, Excel)…",
                                                self.import_attributes_dialog)
        f.addAction(self.actionImportAttributes)
        self.menuImport = f.addMenu("Import")
        self.menuExport = f.addMenu("&Export")
        f.addSeparator()
        self.actionProjectProperties = self._act("actionProjectProperties", "Project &properties…",
                                                 self.project_properties)
        f.addAction(self.actionProjectProperties)
        self.actionClose = self._act("actionCloseProject", "&Close project", self._close_clicked, QKeySequence.Close)
        f.addAction(self.actionClose)
        f.addAction(self._act("actionQuit", "&Quit", self.close, QKeySequence.Quit))

        e = self.menuEdit = mb.addMenu("&Edit")
        self.actionUndo = self._act("actionUndo", "&Undo", self._undo, QKeySequence.Undo)
        self.actionRedo = self._act("actionRedo", "&Redo", self._redo, ["Ctrl+Shift+Z", "Ctrl+Y"])
        e.addAction(self.actionUndo)
        e.addAction(self.actionRedo)
        e.addSeparator()
        self.actionFind = self._act("actionFind", "&Find in transcript…", self._find, QKeySequence.Find)
        self.actionSearchAll = self._act("actionSearchAll", "&Search all sources…", self._search, "Ctrl+Shift+F")
        e.addAction(self.actionFind)
        e.addAction(self.actionSearchAll)
        e.addSeparator()
        self.actionCoder = self._act("actionSetCoder", "Set &coder name…", self.ask_coder)
        e.addAction(self.actionCoder)

        c = mb.addMenu("&Code")
        self.actionApplyCode = self._act("actionApplyCode", "&Apply selected code to the selection",
                                         self._apply_code, ["Ctrl+Return", "Ctrl+Enter"])
        self.actionQuickCode = self._act("actionQuickCode", "&Quick code…", self.quick_code, "Ctrl+K")
        self.actionNewCodeFromSelection = self._act("actionNewCodeFromSelection", "&New code from selection (in vivo)",
                                                    self._new_code_from_selection, "Ctrl+Shift+N")
        self.actionNewCode = self._act("actionNewCode", "New code…", self._new_code, "Ctrl+Alt+N")
        self.actionSnapWords = self._act("actionSnapWords", "Snap selections to whole &words", self._snap, checkable=True)
        self.actionClickToCode = self._act("actionClickToCode", "Click a code to code the selection",
                                           self._click_to_code, checkable=True)
        self.actionClickToCode.setChecked(True)
        for a in (self.actionApplyCode, self.actionQuickCode, self.actionNewCodeFromSelection, self.actionNewCode):
            c.addAction(a)
        c.addSeparator()
        c.addAction(self.actionSnapWords)
        c.addAction(self.actionClickToCode)
        c.addSeparator()
        # keyboard parity with dragging a code (in the code tree: Ctrl+X, Ctrl+V, Ctrl+Shift+M)
        self.actionMoveCode = self._act("actionMoveCode", "&Move code to…",
                                        lambda: self.workbench and self.workbench.codes.move_dialog())
        c.addAction(self.actionMoveCode)

        v = mb.addMenu("&View")
        group = QActionGroup(self)
        self.actionViewCoding = self._act("actionViewCoding", "&Coding", lambda: self.show_view("coding"), "Ctrl+1",
                                          checkable=True)
        self.actionViewMatrix = self._act("actionViewMatrix", "&Framework matrix", lambda: self.show_view("matrix"),
                                          "Ctrl+2", checkable=True)
        self.actionViewCodebook = self._act("actionViewCodebook", "Code&book", lambda: self.show_view("codebook"),
                                            "Ctrl+3", checkable=True)
        for a in (self.actionViewCoding, self.actionViewMatrix, self.actionViewCodebook):
            group.addAction(a)
            v.addAction(a)
        v.addSeparator()
        v.addAction(self._act("actionFocusSources", "Go to sources", lambda: self._focus("sources"), "Alt+1"))
        v.addAction(self._act("actionFocusTranscript", "Go to transcript", lambda: self._focus("view"), "Alt+2"))
        v.addAction(self._act("actionFocusCodes", "Go to codes", lambda: self._focus("codes"), "Alt+3"))
        v.addAction(self._act("actionFocusRetrieval", "Go to retrieval", lambda: self._focus("retrieval"), "Alt+4"))
        self.menuTools = mb.addMenu("&Tools")
        h = mb.addMenu("&Help")
        h.addAction(self._act("actionAbout", "&About QualCoder Lite", self._about))
        self._project_actions = [self.actionImport, self.actionImportAttributes, self.actionProjectProperties,
                                 self.actionClose, self.actionFind,
                                 self.actionSearchAll, self.actionCoder, self.actionApplyCode, self.actionQuickCode,
                                 self.actionNewCodeFromSelection, self.actionNewCode, self.actionMoveCode,
                                 self.actionViewCoding,
                                 self.actionViewMatrix, self.actionViewCodebook]
        self._install_extensions()
        self._sync_actions()

    def _install_extensions(self) -> None:
        """Feature modules (reports, REFI-QDA, agreement ...) add their menu entries
        through ``install(window)``; each entry goes in ``window._project_actions`` when
        it needs an open project."""
        import importlib
        import importlib.util

        for name in EXTENSIONS:
            full = f"{__package__}.{name}"
            if importlib.util.find_spec(full) is not None:
                importlib.import_module(full).install(self)

    def _sync_actions(self) -> None:
        has = self.ctx is not None
        for a in self._project_actions:
            a.setEnabled(has)
        if has and self.ctx.project.read_only:  # reading only: nothing that writes
            for a in (self.actionImport, self.actionImportAttributes, self.actionApplyCode, self.actionQuickCode,
                      self.actionNewCodeFromSelection, self.actionNewCode):
                a.setEnabled(False)
        stack = self.ctx.undo_stack if has else None
        self.actionUndo.setEnabled(bool(stack and stack.canUndo()))
        self.actionRedo.setEnabled(bool(stack and stack.canRedo()))
        self.actionUndo.setText(f"&Undo {stack.undoText()}" if stack and stack.canUndo() else "&Undo")
        self.actionRedo.setText(f"&Redo {stack.redoText()}" if stack and stack.canRedo() else "&Redo")
        for hook in self._sync_hooks:
            hook()

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
        self.ctx.sourceRequested.connect(lambda *_a: self.show_view("coding"))
        self.ctx.historyBroken.connect(self._replay_failed)
        # the message box waits until the undo that failed has returned
        self.ctx.historyBroken.connect(lambda msg: self.show_error("Undo", msg), Qt.QueuedConnection)
        self.workbench.codes.click_to_code = self.actionClickToCode.isChecked()
        self.workbench.view.snap_to_words = self.actionSnapWords.isChecked()
        self.show_view("coding")
        sources = project.sources.all()
        if sources:
            self.workbench.open_source(sources[0].id)
        self._sync_actions()
        self._update_title()
        if project.path is not None:
            prefs.add_recent(project.path)

    def open_path(self, path: Path, coder: str | None = None, passphrase: str | None = None,
                  read_only: bool = False, lock=None) -> bool:
        """Open a project for writing (taking its lock, or using the held ``lock`` handed
        over), asking for a passphrase when it is encrypted, offering read-only when someone
        else has it open and a backup when it is damaged (never for a disk error). A
        backup is taken on every open."""
        from ..core.errors import DamagedProjectError, ProjectIOError
        from ..core.store.backups import list_backups, make_backup
        from ..core.store.database import PassphraseNeeded
        from ..core.store.lock import LockedError

        path = Path(path)
        coder = coder or self.coder or prefs.coder_for(path)
        try:
            project = open_project(path, passphrase=passphrase, coder=coder, read_only=read_only,
                                   lock=lock if lock is not None else not read_only)
        except PassphraseNeeded:
            text, ok = QInputDialog.getText(self, "Encrypted project", f"Passphrase for {path.name}:",
                                            QLineEdit.Password)
            if not ok or not text:
                return False
            return self.open_path(path, coder, text, read_only, lock)
        except LockedError as exc:
            answer = QMessageBox.question(self, "Project in use", f"{exc}\n\nOpen it read-only?",
                                          QMessageBox.Yes | QMessageBox.Cancel)
            if answer == QMessageBox.Yes:
                return self.open_path(path, coder, passphrase, read_only=True)
            return False
        except DamagedProjectError as exc:
            backups = list_backups(path)
            if not backups:
                self.show_error("Damaged project", f"{exc}\n\nThere is no backup of it to restore.")
                return False
            from ..core.services.privacy.projectfile import kept_copy, restore_project

            answer = QMessageBox.question(
                self, "Damaged project",
                f"{exc}\n\nRestore the latest backup ({backups[0].label})? The damaged file is kept "
                f"beside it as {kept_copy(path).name}.", QMessageBox.Yes | QMessageBox.Cancel)
            if answer != QMessageBox.Yes:
                return False
            try:
                restore_project(path, backups[0], passphrase=passphrase, lock=lock)
            except QualCoderError as exc2:
                self.show_error("Restore failed", f"{exc2}\nThe project was not changed.")
                return False
            return self.open_path(path, coder, passphrase, read_only, lock)
        except ProjectIOError as exc:  # a full disk, a read-only medium: never a restore
            if read_only or lock is not None:
                self.show_error("Cannot open project", str(exc))
                return False
            answer = QMessageBox.question(self, "Cannot write to the project", f"{exc}\n\nOpen it read-only?",
                                          QMessageBox.Yes | QMessageBox.Cancel)
            if answer == QMessageBox.Yes:
                return self.open_path(path, coder, passphrase, read_only=True)
            return False
        except QualCoderError as exc:  # not a project, a newer version...
            self.show_error("Cannot open project", str(exc))
            return False
        if not read_only:
            try:
                make_backup(project)
            except (OSError, QualCoderError) as exc:
                self.show_message(f"Could not make the automatic backup: {exc}")
        self.set_project(project)
        if coder is None and not read_only:
            self.ask_coder(first_open=True)
        return True

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

    def project_properties(self) -> None:
        """The study's title and authors, one undoable step."""
        from ..core.services.sources.study import SetStudy, study
        from .project_properties import ProjectPropertiesDialog

        if self.ctx is None:
            return
        now = study(self.ctx.project)
        dlg = ProjectPropertiesDialog(now.title, now.authors, self.ctx.project.name, self)
        if dlg.exec() != ProjectPropertiesDialog.Accepted:
            return
        title, authors = dlg.values()
        if (" ".join(title.split()), authors.strip()) != (now.title, now.authors):
            self.ctx.run(SetStudy(title, authors))

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
        from .workers import running, stop

        jobs = running()
        if jobs:
            stop(jobs)
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
        from .workers import running, stop

        jobs = running()
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
                prefs.set_coder_for(p.path, name.strip())
            self._update_title()

    # -- commands -----------------------------------------------------------------------
    def _undo(self) -> None:
        """Edit ▸ Undo (Ctrl+Z from anywhere in the window, see ``undo_keys``): take back the
        project's last step and say which."""
        if self.ctx is not None and self.ctx.undo_stack.canUndo():
            self._step(self.ctx.undo_stack.undoText(), self.ctx.undo_stack.undo, "Undone")

    def _redo(self) -> None:
        if self.ctx is not None and self.ctx.undo_stack.canRedo():
            self._step(self.ctx.undo_stack.redoText(), self.ctx.undo_stack.redo, "Redone")

    def _step(self, text: str, replay, done: str) -> None:
        self._replay_ok = True
        replay()
        if self._replay_ok:  # otherwise the refusal is shown (historyBroken)
            self.show_message(f"{done}: {text}")

    def _replay_failed(self, _message: str) -> None:
        self._replay_ok = False

    def _find(self) -> None:
        if self.workbench is not None:
            self.show_view("coding")
            self.workbench.find_bar.open()

    def _search(self) -> None:
        if self.workbench is not None:
            self.show_view("coding")
            self.workbench.tabs.setCurrentWidget(self.workbench.search)
            self.workbench.search.query.setFocus()

    def _apply_code(self) -> None:
        if self.workbench is not None:
            self.workbench.apply_current()

    def _new_code_from_selection(self) -> None:
        if self.workbench is not None:
            self.workbench.new_code_from_selection()

    def _new_code(self) -> None:
        if self.workbench is not None:
            self.workbench.codes.new_code(None)

    def _snap(self, on: bool) -> None:
        if self.workbench is not None:
            self.workbench.view.snap_to_words = on

    def _click_to_code(self, on: bool) -> None:
        if self.workbench is not None:
            self.workbench.codes.click_to_code = on

    def quick_code(self):
        from .quick_code import QuickCodeDialog

        if self.workbench is None:
            return None
        if self.workbench.view.selection_cp() is None:
            self.show_message("Select some text in the transcript first.")
            return None
        dlg = QuickCodeDialog(self.ctx.project.codes.all(), self)
        self._quick = dlg
        dlg.accepted.connect(lambda: self._quick_done(dlg))
        dlg.open()
        return dlg

    def _quick_done(self, dlg) -> None:
        if dlg.chosen_id is not None:
            self.workbench.apply_codes([dlg.chosen_id])
        elif dlg.new_name:
            from ..core.services.coding.coding import CodeInVivo

            sel = self.workbench.view.selection_cp()
            if sel is not None:
                try:
                    self.ctx.run(CodeInVivo(self.workbench.view.source_id, sel[0], sel[1], dlg.new_name))
                except QualCoderError as exc:
                    self.show_message(str(exc))
        self.workbench.view.setFocus()

    # -- importing -----------------------------------------------------------------------
    def import_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import sources", "", SOURCE_FILTER)
        if files:
            self.import_files([Path(f) for f in files])

    def import_files(self, paths: list[Path], start_now: bool = True):
        """Import in a worker with a progress dialog and Cancel; names already in the
        project are asked about first. With ``start_now=False`` the caller starts the
        returned worker (after connecting to its signals)."""
        from .workers import ProjectJob, import_job, start

        if self.ctx is None or self.ctx.project.path is None:
            return None
        if self.ctx.project.read_only:
            self.show_message("The project is open read-only: nothing can be imported.")
            return None
        existing = {s.name for s in self.ctx.project.sources.all()}
        dupes = [p for p in paths if p.stem in existing]
        if dupes:
            names = ", ".join(p.name for p in dupes[:5])
            answer = QMessageBox.question(
                self, "Already imported",
                f"{names} {'is' if len(dupes) == 1 else 'are'} already in the project.\n"
                "Skip and import the others?", QMessageBox.Yes | QMessageBox.Cancel)
            if answer != QMessageBox.Yes:
                return None
            paths = [p for p in paths if p not in dupes]
            if not paths:
                return None
        worker = ProjectJob(self.ctx.project, import_job(paths), read_only=False, what="An import")
        ctx = self.ctx
        progress = QProgressDialog("Importing…", "Cancel", 0, len(paths) * 2, self)
        progress.setObjectName("importProgress")
        progress.setWindowTitle("Import sources")
        progress.setMinimumDuration(300)
        progress.setWindowModality(Qt.WindowModal)
        progress.canceled.connect(worker.cancel)
        phase = {"reading": True}

        def on_progress(done: int, total: int, label: str) -> None:
            if label.startswith("Importing") and phase["reading"]:
                phase["reading"] = False
            progress.setLabelText(label)
            progress.setValue(done + (0 if phase["reading"] else len(paths)))

        def finished(cmd) -> None:
            progress.close()
            if self.ctx is not ctx:  # the project was closed meanwhile; the file has the import
                return
            self.ctx.adopt(cmd)
            report = cmd.result
            self.show_message(report.summary())
            if report.warnings:
                QMessageBox.information(self, "Imported with warnings", "\n".join(report.warnings[:20]))

        def failed(msg: str) -> None:
            progress.close()
            self.show_error("Import failed — nothing was imported", msg)

        def cancelled() -> None:
            progress.close()
            self.show_message("Import cancelled; nothing was imported.")

        worker.signals.progress.connect(on_progress)
        worker.signals.finished.connect(finished)
        worker.signals.failed.connect(failed)
        worker.signals.cancelled.connect(cancelled)
        self._import_worker = worker
        self._import_progress = progress
        if start_now:
            start(worker)
        return worker

    def import_attributes_dialog(self) -> None:
        from .attribute_sheet import import_attribute_file

        if self.ctx is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "Import case attributes", "",
                                              "Attribute tables (*.csv *.xlsx);;All files (*)")
        if not path:
            return
        try:
            report = import_attribute_file(self, self.ctx, path)
        except QualCoderError as exc:
            self.show_error("Cannot import attributes", str(exc))
            return
        if report is not None:
            self.show_message(report.summary())

    def _about(self) -> None:
        from .. import __version__

        QMessageBox.about(self, APP, f"<b>{APP}</b> {__version__}<br>Qualitative coding that stays on your laptop.")
