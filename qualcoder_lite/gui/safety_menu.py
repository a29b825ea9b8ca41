"""File ▸ Restore backup…, Encrypt project…, Decrypt project…"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from ..core.errors import QualCoderError


def install(window) -> None:
    menu = window.menuBar().actions()[0].menu()  # File
    before = window.actionClose
    restore = QAction("Restore &backup…", window)
    restore.setObjectName("actionRestoreBackup")
    restore.triggered.connect(lambda: restore_backup(window))
    encrypt = QAction("&Encrypt project…", window)
    encrypt.setObjectName("actionEncrypt")
    encrypt.triggered.connect(lambda: encrypt_project(window))
    decrypt = QAction("&Decrypt project…", window)
    decrypt.setObjectName("actionDecrypt")
    decrypt.triggered.connect(lambda: decrypt_project(window))
    for a in (restore, encrypt, decrypt):
        menu.insertAction(before, a)
        window._project_actions.append(a)
    menu.insertSeparator(before)
    window.actionRestoreBackup = restore
    window.actionEncrypt = encrypt
    window.actionDecrypt = decrypt


def restore_backup(window, choice: int | None = None) -> bool:
    from ..core.store.backups import list_backups
    from ..core.store.backups import restore_backup as restore

    if window.ctx is None or window.ctx.project.path is None:
        return False
    project = window.ctx.project
    path, passphrase, coder = project.path, project.passphrase, project.coder
    backups = list_backups(path)
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
            "The current file is kept beside it as '.before-restore'.")
        if answer != QMessageBox.Yes:
            return False
    window.close_project()
    try:
        restore(backups[choice].path, path)
    except (QualCoderError, OSError) as exc:
        window.show_error("Restore failed", str(exc))
        return False
    return window.open_path(Path(path), coder=coder, passphrase=passphrase)


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
    from ..core.store.encryption import encrypt_file

    if window.ctx is None or window.ctx.project.encrypted:
        return False
    passphrase = passphrase or _ask_new_passphrase(window)
    if not passphrase:
        return False
    path, coder = window.ctx.project.path, window.ctx.project.coder
    window.close_project()
    try:
        purged = encrypt_file(path, passphrase)
    except (QualCoderError, OSError) as exc:
        window.show_error("Encryption failed", f"{exc}\nThe project was not changed.")
        return window.open_path(path, coder=coder)
    window.show_message(f"Encrypted {path.name}" + (f"; removed {purged} unencrypted backups" if purged else ""))
    return window.open_path(path, coder=coder, passphrase=passphrase)


def decrypt_project(window) -> bool:
    from ..core.store.encryption import decrypt_file

    if window.ctx is None or not window.ctx.project.encrypted:
        return False
    answer = QMessageBox.question(window, "Decrypt project",
                                  "Store this project unencrypted? Anyone with the file can then read it.")
    if answer != QMessageBox.Yes:
        return False
    path, coder, passphrase = window.ctx.project.path, window.ctx.project.coder, window.ctx.project.passphrase
    window.close_project()
    try:
        decrypt_file(path, passphrase)
    except (QualCoderError, OSError) as exc:
        window.show_error("Decryption failed", str(exc))
        return window.open_path(path, coder=coder, passphrase=passphrase)
    return window.open_path(path, coder=coder)
