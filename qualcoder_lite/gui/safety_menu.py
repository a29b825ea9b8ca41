"""File ▸ Restore backup…, Encrypt project…, Decrypt project…

All three run the core's file service (``core.services.privacy.projectfile``), the same one
the command line uses, as a job (off the GUI thread, with progress and Cancel). The window
closes its project but keeps the project's lock for the service, and opens the result with
that same lock: no other program can slip in between. Each returns the job (None when
nothing was started); ``job.ok`` tells, once ``job.reported``, whether it worked.
Encrypt is offered for plain projects, Decrypt for encrypted ones, none of them read-only.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from .jobs import Job


def can_encrypt() -> bool:
    """The 'encrypt' extra (sqlcipher3) is installed."""
    return importlib.util.find_spec("sqlcipher3") is not None




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


def _run_file_operation(window, label: str, failure: str, run, passphrase_after) -> Job:
    """Hand the project (and its lock) to a file operation of the core service, run it as
    a job with its steps shown and Cancel, then reopen the project with the same lock:
    with ``passphrase_after`` (a function of the passphrase before) when it worked, as it
    was otherwise. The lock is held the whole time, as the command line holds it. Returns
    the job; its ``ok`` says whether the project was changed and reopened."""
    path, coder, passphrase, lock = _hand_over(window)
    job = Job(window, lambda progress: run(path, passphrase, lock, progress), what=label)
    job.ok, job.report = False, None

    def reopen() -> None:
        after = passphrase if job.report is None else passphrase_after(passphrase)
        job.ok = _reopen(window, path, coder, after, lock) and job.report is not None
        if job.ok:
            window.show_message(job.report.summary())

    return (job.success(lambda report: setattr(job, "report", report))
            .failure(lambda msg: window.show_error(failure, f"{msg}\nThe project was not changed."))
            .cancelled(lambda: window.show_message(f"{label}: cancelled; the project was not changed."))
            .always(reopen)
            .with_progress(label, object_name="fileOperationProgress")
            .run())


def _writable(window) -> bool:
    return window.ctx is not None and window.ctx.project.path is not None and not window.ctx.project.read_only


def restore_backup(window, choice: int | None = None) -> Job | None:
    from ..core.services.privacy.projectfile import backups_of, kept_copy, restore_project

    if not _writable(window):
        return None
    project = window.ctx.project
    path = project.path
    backups = backups_of(path)
    if not backups:
        QMessageBox.information(window, "Restore backup", "There are no backups of this project yet.")
        return None
    if choice is None:
        labels = [b.label for b in backups]
        label, ok = QInputDialog.getItem(window, "Restore backup",
                                         "Replace the project with the backup taken at:", labels, 0, False)
        if not ok:
            return None
        choice = labels.index(label)
        answer = QMessageBox.question(
            window, "Restore backup",
            f"Replace {path.name} with the backup of {backups[choice].label}?\n"
            f"The current file is kept beside it as {kept_copy(path).name}.")
        if answer != QMessageBox.Yes:
            return None
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


def encrypt_project(window, passphrase: str | None = None) -> Job | None:
    from ..core.services.privacy.projectfile import encrypt_project as encrypt

    if not _writable(window) or window.ctx.project.encrypted:
        return None
    passphrase = passphrase or _ask_new_passphrase(window)
    if not passphrase:
        return None
    return _run_file_operation(
        window, "Encrypting the project", "Encryption failed",
        lambda path, _none, lock, step: encrypt(path, passphrase, lock=lock, progress=step),
        lambda _none: passphrase)


def decrypt_project(window) -> Job | None:
    from ..core.services.privacy.projectfile import decrypt_project as decrypt

    if not _writable(window) or not window.ctx.project.encrypted:
        return None
    answer = QMessageBox.question(window, "Decrypt project",
                                  "Store this project and its backups unencrypted? Anyone with the files can "
                                  "then read them.")
    if answer != QMessageBox.Yes:
        return None
    return _run_file_operation(
        window, "Decrypting the project", "Decryption failed",
        lambda path, pp, lock, step: decrypt(path, pp, lock=lock, progress=step),
        lambda _pp: None)
