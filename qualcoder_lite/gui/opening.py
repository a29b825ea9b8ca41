"""Opening a project file in the main window: passphrase, lock held elsewhere, damage
(restore a backup) and disk errors, each asked about in the user's words."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from ..core.errors import QualCoderError
from ..core.project import open_project
from . import prefs


def open_path(window, path: Path, coder: str | None = None, passphrase: str | None = None,
              read_only: bool = False, lock=None) -> bool:
    """Open a project for writing (taking its lock, or using the held ``lock`` handed
    over), asking for a passphrase when it is encrypted, offering read-only when someone
    else has it open and a backup when it is damaged (never for a disk error). A
    backup is taken on every open, in the background (``start_backup``)."""
    from ..core.errors import DamagedProjectError, LockedError, PassphraseNeeded, ProjectIOError

    path = Path(path)
    coder = coder or window.coder or prefs.coder_for(path)
    try:
        project = open_project(path, passphrase=passphrase, coder=coder, read_only=read_only,
                               lock=lock if lock is not None else not read_only,
                               check=read_only)  # read-only (perhaps an immutable medium): checked here
    except PassphraseNeeded:
        text, ok = QInputDialog.getText(window, "Encrypted project", f"Passphrase for {path.name}:",
                                        QLineEdit.Password)
        if not ok or not text:
            return False
        return window.open_path(path, coder, text, read_only, lock)
    except LockedError as exc:
        answer = QMessageBox.question(window, "Project in use", f"{exc}\n\nOpen it read-only?",
                                      QMessageBox.Yes | QMessageBox.Cancel)
        if answer == QMessageBox.Yes:
            return window.open_path(path, coder, passphrase, read_only=True)
        return False
    except DamagedProjectError as exc:
        return _offer_backup(window, exc, path, coder, passphrase, read_only, lock)
    except ProjectIOError as exc:  # a full disk, a read-only medium: never a restore
        return _offer_read_only(window, exc, path, coder, passphrase, read_only, lock)
    except QualCoderError as exc:  # not a project, a newer version...
        window.show_error("Cannot open project", str(exc))
        return False
    if read_only:
        window.set_project(project)
    found = None if read_only else _set_checked(window, project, lock)
    if isinstance(found, DamagedProjectError):
        return _offer_backup(window, found, path, coder, passphrase, read_only, lock)
    if isinstance(found, ProjectIOError):
        return _offer_read_only(window, found, path, coder, passphrase, read_only, lock)
    if found is not None:
        window.show_error("Cannot open project", str(found))
        return False
    if not read_only:
        start_backup(window, project)
    if coder is None and not read_only:
        window.ask_coder(first_open=True)
    return True


def _set_checked(window, project, lock) -> QualCoderError | None:
    """Show the project while its pages are checked beside (a thread of its own: the check
    reads the whole file, ~0.3 s for 260 MB, mostly outside the GIL); the event loop does
    not run before the check has ended, so a damaged project is never shown: it is closed
    again and what the check raised (DamagedProjectError...) returned; None when it found
    nothing. The same checks as ``open_project``'s own, in the same words."""
    import threading

    from ..core.project import check_project

    found: list[BaseException] = []

    def check() -> None:
        try:
            check_project(project.path, project.passphrase)
        except QualCoderError as exc:
            found.append(exc)

    checker = threading.Thread(target=check, name="qualcoder-lite-check", daemon=True)
    checker.start()
    failure = None
    try:
        window.set_project(project)
    except Exception as exc:  # noqa: BLE001 - raised below, unless the check explains it
        failure = exc
    checker.join()
    if found:
        if not isinstance(lock, bool) and lock is not None:
            project.detach_lock()  # the lock handed over stays with the caller (restore uses it)
        if window.ctx is not None and window.ctx.project is project:
            window.close_project()
        else:
            project.close()
        return found[0]
    if failure is not None:
        raise failure
    return None


def start_backup(window, project) -> None:
    """Take the automatic backup of the project just opened in a job: the window is usable
    meanwhile. Closing the project or quitting waits for it (it is never left half-made:
    it is written under a temporary name and renamed when complete); encrypting,
    decrypting, restoring or removing the pseudonym key abandons it (the core's
    ``no_backups``). A failure is told in the status bar, as before."""
    from .jobs import Job

    try:
        task = project.backup_task()
    except QualCoderError as exc:
        window.show_message(f"Could not make the automatic backup: {exc}")
        return
    window.backup_job = (Job(window, task, what="The automatic backup")
                         .in_background()
                         .failure(lambda msg: window.show_message(f"Could not make the automatic backup: {msg}"))
                         .run())


def _offer_backup(window, exc, path: Path, coder, passphrase, read_only: bool, lock) -> bool:
    from ..core.services.privacy.projectfile import backups_of, kept_copy, restore_project

    backups = backups_of(path)
    if not backups:
        window.show_error("Damaged project", f"{exc}\n\nThere is no backup of it to restore.")
        return False
    answer = QMessageBox.question(
        window, "Damaged project",
        f"{exc}\n\nRestore the latest backup ({backups[0].label})? The damaged file is kept "
        f"beside it as {kept_copy(path).name}.", QMessageBox.Yes | QMessageBox.Cancel)
    if answer != QMessageBox.Yes:
        return False
    try:
        restore_project(path, backups[0], passphrase=passphrase, lock=lock)
    except QualCoderError as exc2:
        window.show_error("Restore failed", f"{exc2}\nThe project was not changed.")
        return False
    return window.open_path(path, coder, passphrase, read_only, lock)


def _offer_read_only(window, exc, path: Path, coder, passphrase, read_only: bool, lock) -> bool:
    if read_only or lock is not None:
        window.show_error("Cannot open project", str(exc))
        return False
    answer = QMessageBox.question(window, "Cannot write to the project", f"{exc}\n\nOpen it read-only?",
                                  QMessageBox.Yes | QMessageBox.Cancel)
    if answer == QMessageBox.Yes:
        return window.open_path(path, coder, passphrase, read_only=True)
    return False
