"""File ▸ Restore backup…, Encrypt project…, Decrypt project…

All three run the core's file service (``core.services.projectfile``), the same one the
command line uses. The window closes its project but keeps the project's lock for the
service, and opens the result with that same lock: no other program can slip in between.
Encrypt is offered for plain projects, Decrypt for encrypted ones, none of them read-only.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from ..core.errors import QualCoderError


def can_encrypt() -> bool:
    """The 'encrypt' extra (sqlcipher3) is installed."""
    return importlib.util.find_spec("sqlcipher3") is not None


def _progress(window, title: str):
    """A progress dialog for a file operation (it runs in the GUI thread, briefly: the
    window stays painted between its steps). Returns (callback, dialog)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QProgressDialog

    dialog = QProgressDialog(f"{title}…", None, 0, 0, window)
    dialog.setObjectName("fileOperationProgress")
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(300)
    dialog.setWindowModality(Qt.WindowModal)

    def step(done: int, total: int, label: str) -> bool:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        dialog.setLabelText(label)
        QApplication.processEvents()
        return True

    return step, dialog


def _hand_over(window):
    """Close the window's project but keep its lock: (path, coder, passphrase, lock)."""
    project = window.ctx.project
    state = (project.path, project.coder, project.passphrase, project.detach_lock())
    window.close_project()
    return state


def _reopen(window, path: Path, coder: str, passphrase: str | None, lock) -> bool:
    """Open ``path`` again with the lock kept; the lock is let go if that fails."""
    ok = window.open_path(path, coder=coder, passphrase=passphrase, lock=lock)
    if lock is not None and (window.ctx is None or window.ctx.project.lock is not lock):
        lock.release()
    return ok


def _run_file_operation(window, label: str, failure: str, run, passphrase_after) -> bool:
    """Hand the project (and its lock) to a file operation of the core service, show its
    steps, then reopen the project with the same lock: with ``passphrase_after`` (a
    function of the passphrase before) when it worked, as it was when it failed."""
    path, coder, passphrase, lock = _hand_over(window)
    step, dialog = _progress(window, label)
    try:
        report = run(path, passphrase, lock, step)
    except (QualCoderError, OSError) as exc:
        dialog.close()
        window.show_error(failure, f"{exc}\nThe project was not changed.")
        _reopen(window, path, coder, passphrase, lock)
        return False
    dialog.close()
    ok = _reopen(window, path, coder, passphrase_after(passphrase), lock)
    if ok:
        window.show_message(report.summary())
    return ok


def _writable(window) -> bool:
    return window.ctx is not None and window.ctx.project.path is not None and not window.ctx.project.read_only


def restore_backup(window, choice: int | None = None) -> bool:
    from ..core.services.privacy.projectfile import backups_of, kept_copy, restore_project

    if not _writable(window):
        return False
    project = window.ctx.project
    path = project.path
    backups = backups_of(path)
    if not backups:
        QMessageBox.information(window, "Restore backup", "There are no backups of this project yet.")
        return False
    if choice is None:
        labels = [b.label for b in backups]
        label, ok = QInputDialog.getItem(window, "Restore backup",
                                         "Replace the project with the backup taken at:", labels, 0, False)
        if not ok:
            return False
        choice = labels.index(label)
        answer = QMessageBox.question(
            window, "Restore backup",
            f"Replace {path.name} with the backup of {backups[choice].label}?\n"
            f"The current file is kept beside it as {kept_copy(path).name}.")
        if answer != QMessageBox.Yes:
            return False
    return _run_file_operation(
        window, "Restoring the backup", "Restore failed",
        lambda path, pp, lock, step: restore_project(path, backups[choice], passphrase=pp, lock=lock, progress=step),
        lambda pp: pp)


def _ask_new_passphrase(window) -> str | None:
    first, ok = QInputDialog.getText(window, "Encrypt project",
                                     "New passphrase (there is no way to recover a forgotten one):",
                                     QLineEdit.Password)
    if not ok or not first:
        return None
    again, ok = QInputDialog.getText(window, "Encrypt project", "Repeat the passphrase:", QLineEdit.Password)
    if not ok:
        return None
    if again != first:
        QMessageBox.warning(window, "Encrypt project", "The two passphrases differ; nothing was changed.")
        return None
    return first


def encrypt_project(window, passphrase: str | None = None) -> bool:
    from ..core.services.privacy.projectfile import encrypt_project as encrypt

    if not _writable(window) or window.ctx.project.encrypted:
        return False
    passphrase = passphrase or _ask_new_passphrase(window)
    if not passphrase:
        return False
    return _run_file_operation(
        window, "Encrypting the project", "Encryption failed",
        lambda path, _none, lock, step: encrypt(path, passphrase, lock=lock, progress=step),
        lambda _none: passphrase)


def decrypt_project(window) -> bool:
    from ..core.services.privacy.projectfile import decrypt_project as decrypt

    if not _writable(window) or not window.ctx.project.encrypted:
        return False
    answer = QMessageBox.question(window, "Decrypt project",
                                  "Store this project and its backups unencrypted? Anyone with the files can "
                                  "then read them.")
    if answer != QMessageBox.Yes:
        return False
    return _run_file_operation(
        window, "Decrypting the project", "Decryption failed",
        lambda path, pp, lock, step: decrypt(path, pp, lock=lock, progress=step),
        lambda _pp: None)
