"""What the main window's menu entries do (see ``actions.py``), as functions of the window."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..core.errors import QualCoderError

APP = "QualCoder Lite"


# -- Edit ------------------------------------------------------------------------------
def undo(window) -> None:
    """Edit ▸ Undo (Ctrl+Z from anywhere in the window, see ``undo_keys``): take back the
    project's last step and say which."""
    if window.ctx is not None and window.ctx.undo_stack.canUndo():
        _step(window, window.ctx.undo_stack.undoText(), window.ctx.undo_stack.undo, "Undone")


def redo(window) -> None:
    if window.ctx is not None and window.ctx.undo_stack.canRedo():
        _step(window, window.ctx.undo_stack.redoText(), window.ctx.undo_stack.redo, "Redone")


def _step(window, text: str, replay, done: str) -> None:
    window._replay_ok = True
    replay()
    if window._replay_ok:  # otherwise the refusal is shown (historyBroken)
        window.show_message(f"{done}: {text}")


def replay_failed(window, _message: str) -> None:
    window._replay_ok = False


def find(window) -> None:
    if window.workbench is not None:
        window.show_view("coding")
        window.workbench.find_bar.open()


def search_all(window) -> None:
    if window.workbench is not None:
        window.show_view("coding")
        window.workbench.tabs.setCurrentWidget(window.workbench.search)
        window.workbench.search.query.setFocus()


# -- Code ------------------------------------------------------------------------------
def apply_code(window) -> None:
    if window.workbench is not None:
        window.workbench.apply_current()


def new_code_from_selection(window) -> None:
    if window.workbench is not None:
        window.workbench.new_code_from_selection()


def new_code(window) -> None:
    if window.workbench is not None:
        window.workbench.codes.new_code(None)


def snap_to_words(window, on: bool) -> None:
    if window.workbench is not None:
        window.workbench.view.snap_to_words = on


def click_to_code(window, on: bool) -> None:
    if window.workbench is not None:
        window.workbench.codes.click_to_code = on


def move_code(window) -> None:
    if window.workbench is not None:
        window.workbench.codes.move_dialog()


def quick_code(window):
    from .quick_code import QuickCodeDialog

    if window.workbench is None:
        return None
    if window.workbench.view.selection_cp() is None:
        window.show_message("Select some text in the transcript first.")
        return None
    dlg = QuickCodeDialog(window.ctx.project.codes.all(), window)
    window._quick = dlg
    dlg.accepted.connect(lambda: _quick_done(window, dlg))
    dlg.open()
    return dlg


def _quick_done(window, dlg) -> None:
    if dlg.chosen_id is not None:
        window.workbench.apply_codes([dlg.chosen_id])
    elif dlg.new_name:
        from ..core.services.coding.coding import CodeInVivo

        sel = window.workbench.view.selection_cp()
        if sel is not None:
            try:
                window.ctx.run(CodeInVivo(window.workbench.view.source_id, sel[0], sel[1], dlg.new_name))
            except QualCoderError as exc:
                window.show_message(str(exc))
    window.workbench.view.setFocus()


# -- File ------------------------------------------------------------------------------
def project_properties(window) -> None:
    """The study's title and authors, one undoable step."""
    from ..core.services.sources.study import SetStudy, study
    from .project_properties import ProjectPropertiesDialog

    if window.ctx is None:
        return
    now = study(window.ctx.project)
    dlg = ProjectPropertiesDialog(now.title, now.authors, window.ctx.project.name, window)
    if dlg.exec() != ProjectPropertiesDialog.Accepted:
        return
    title, authors = dlg.values()
    if (" ".join(title.split()), authors.strip()) != (now.title, now.authors):
        window.ctx.run(SetStudy(title, authors))


def import_attributes_dialog(window) -> None:
    from .attribute_sheet import import_attribute_file

    if window.ctx is None:
        return
    path, _ = QFileDialog.getOpenFileName(window, "Import case attributes", "",
                                          "Attribute tables (*.csv *.xlsx);;All files (*)")
    if not path:
        return
    try:
        report = import_attribute_file(window, window.ctx, path)
    except QualCoderError as exc:
        window.show_error("Cannot import attributes", str(exc))
        return
    if report is not None:
        window.show_message(report.summary())


# -- Help ------------------------------------------------------------------------------
def about(window) -> None:
    from .. import __version__

    QMessageBox.about(window, APP, f"<b>{APP}</b> {__version__}<br>Qualitative coding that stays on your laptop.")
