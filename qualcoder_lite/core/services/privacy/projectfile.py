"""Encrypt, decrypt and restore: the three operations that replace the project file.

One service for the command line and the app. Each operation

* holds the project's lock from start to finish: the caller's (the app keeps the lock of
  the project it closes for the operation and opens it again with the same lock) or one
  taken here; the replacement file is locked before it takes the project's name;
* refuses while this process still has a connection to the file (a background task);
* builds the new file as an owner-only temporary file beside the project
  (``.NAME.qlite.converting`` / ``.NAME.qlite.restoring``), checks it page by page, and
  moves it into place with one atomic rename: killed at any moment, the project is the
  old file or the new one, never missing and never half-written; the temporary file is
  removed at the next start of any command on the project;
* calls ``progress(done, total, label)`` between steps; False (Cancel) stops it before
  the file is replaced, with nothing changed.

Backups follow the project's state: encrypting deletes the unencrypted backups,
decrypting re-writes the encrypted backups decrypted (after the project itself, so an
interrupted decrypt never leaves a plaintext copy of a still encrypted project).
Restoring keeps the replaced file as ``NAME.before-restore.qlite``, checks the free space
first and is offered for damaged projects (``DamagedProjectError``), not for disk errors.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ...errors import ProjectError, ProjectIOError
from ...store import database, encryption, openfiles, tempfiles
from ...store.backups import Backup, backup_folder, list_backups, no_backups, purge_backups
from ...store.lock import ProjectLock

Progress = Callable[[int, int, str], bool]
MARGIN = 1_000_000  # bytes kept free on top of the copy being made


@dataclass
class FileReport:
    path: Path
    action: str  # "encrypted", "decrypted", "restored"
    backups_purged: int = 0
    backups_decrypted: int = 0
    backups_kept_encrypted: list[str] = field(default_factory=list)
    restored_from: Backup | None = None
    kept_as: Path | None = None

    def lines(self) -> list[str]:
        if self.action == "encrypted":
            out = [f"encrypted {self.path}"]
            if self.backups_purged:
                out.append(f"removed {self.backups_purged} unencrypted backups")
        elif self.action == "decrypted":
            out = [f"decrypted {self.path}; it is now readable without a passphrase"]
            if self.backups_decrypted:
                out.append(f"decrypted its {self.backups_decrypted} backup{'s' if self.backups_decrypted != 1 else ''} "
                           "too (in the backup folder)")
            for why in self.backups_kept_encrypted:
                out.append(f"kept encrypted (restoring it needs the old passphrase): {why}")
        else:
            assert self.restored_from is not None  # set with "restored"
            out = [f"restored {self.path} from the backup of {self.restored_from.label}"]
            if self.kept_as is not None:
                out.append(f"the replaced file is kept as {self.kept_as}")
        return out

    def summary(self) -> str:
        return "; ".join(self.lines())


class _Steps:
    def __init__(self, progress: Progress | None, total: int):
        self.progress = progress
        self.total = total
        self.done = 0

    def __call__(self, label: str, can_stop: bool = True) -> None:
        self.done += 1
        if self.progress is None:
            return
        go_on = self.progress(min(self.done, self.total), self.total, label)
        if go_on is False and can_stop:
            raise InterruptedError("cancelled; nothing was changed")


def _real(path: str | Path) -> Path:
    """The file itself, links followed: the replacement goes where the data is (a symlink
    stays a symlink), beside it go the temporary files and the kept copy."""
    return Path(os.path.realpath(path))


@contextlib.contextmanager
def _locked(path: Path, lock: ProjectLock | None):
    """The project's lock for the whole operation: the caller's, or taken here."""
    if lock is not None:
        if not lock.held or not lock.covers(path):
            raise ProjectError(path, "the lock handed over is not this project's")
        yield lock
        return
    own = ProjectLock(path)
    own.acquire()
    try:
        yield own
    finally:
        own.release()


def _not_open_here(path: Path) -> None:
    if openfiles.is_open(path):
        raise ProjectError(path, "is still in use in this program (a background task is running); "
                                 "try again when it has finished")


def _need_space(path: Path, size: int, doing: str) -> None:
    free = shutil.disk_usage(path.parent).free
    need = size + max(size // 10, MARGIN)
    if free < need:
        raise ProjectIOError(path, f"cannot be {doing}: {need / 1e6:,.1f} MB free space is needed beside it, "
                                   f"the disk has {free / 1e6:,.1f} MB; nothing was changed")


def _size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(FileNotFoundError):
            total += os.path.getsize(f"{path}{suffix}")
    return total


def _replace(path: Path, tmp: tempfiles.TempFile, lock: ProjectLock) -> None:
    """Move the finished temporary file onto the project; the lock moves with it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = tempfiles.default_mode()
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:  # export_copy checkpointed it completely
        raise ProjectError(path, "was changed by another program meanwhile; nothing was changed")
    for side in (wal, Path(f"{path}-shm")):
        side.unlink(missing_ok=True)
    lock.adopt(tmp.publish(mode))


def _convert(path: Path, source_key: str | None, target_key: str | None, lock: ProjectLock, steps: _Steps,
             verb: str, before_replace: Callable[[], object] | None = None) -> None:
    """The converted copy in ``.NAME.qlite.converting``, checked, then moved into place."""
    tmp = tempfiles.TempFile(path, "converting").create()
    try:
        encryption.export_copy(path, source_key, tmp.path, target_key or "")
        steps(f"Checking the {verb} copy")
        encryption.verify(tmp.path, target_key or None)
        if before_replace is not None:
            before_replace()
        steps("Replacing the project file")
        _replace(path, tmp, lock)
    except BaseException:
        tmp.discard()
        raise


def encrypt_project(path: str | Path, passphrase: str, lock: ProjectLock | None = None,
                    progress: Progress | None = None) -> FileReport:
    """Encrypt a plain project in place; its unencrypted backups are deleted."""
    path = _real(path)
    if not passphrase:
        raise ProjectError(path, "the passphrase is empty")
    encryption.require_cipher()
    steps = _Steps(progress, 5)
    with _locked(path, lock) as held, no_backups(path):  # no backup is taken or rotated meanwhile
        _not_open_here(path)
        tempfiles.clean(path)
        if database.looks_encrypted(path):
            raise ProjectError(path, "is already encrypted")
        database.open_database(path).conn.close()  # refuses foreign or newer files, migrates older ones
        _need_space(path, _size(path), "encrypted")
        steps("Encrypting")
        report = FileReport(path, "encrypted")

        def purge() -> None:  # before the switch: never plaintext backups of an encrypted project
            steps("Removing the unencrypted backups")
            report.backups_purged = purge_backups(path)

        _convert(path, None, passphrase, held, steps, "encrypted", before_replace=purge)
        steps("Done", can_stop=False)
    return report


def decrypt_project(path: str | Path, passphrase: str, lock: ProjectLock | None = None,
                    progress: Progress | None = None) -> FileReport:
    """Turn an encrypted project into a plain file; its backups are decrypted as well."""
    path = _real(path)
    encryption.require_cipher()
    report = FileReport(path, "decrypted")
    with _locked(path, lock) as held, no_backups(path):  # no backup is taken or rotated meanwhile
        _not_open_here(path)
        tempfiles.clean(path)
        if not database.looks_encrypted(path):
            raise ProjectError(path, "is not encrypted")
        database.open_database(path, passphrase).conn.close()  # checks the passphrase first
        olds = [b for b in list_backups(path) if database.looks_encrypted(b.path)]
        steps = _Steps(progress, 4 + len(olds))
        _need_space(path, _size(path), "decrypted")
        steps("Decrypting")
        _convert(path, passphrase, None, held, steps, "decrypted")
        steps("Decrypting the backups", can_stop=False)
        for b in olds:  # after the project: an interrupted decrypt leaves no plaintext copy of an encrypted project
            try:
                _decrypt_backup(b, passphrase)
            except ProjectError as exc:
                report.backups_kept_encrypted.append(f"{b.path.name} ({exc.reason})")
            else:
                report.backups_decrypted += 1
            steps(f"Decrypted backup {report.backups_decrypted} of {len(olds)}", can_stop=False)
    return report


def _decrypt_backup(b: Backup, passphrase: str) -> None:
    tmp = tempfiles.TempFile(b.path, "converting").create()
    try:
        encryption.export_copy(b.path, passphrase, tmp.path, "")
        encryption.verify(tmp.path, None)
        tmp.publish_and_close(0o600)
    except BaseException:
        tmp.discard()
        raise


def backups_of(path: str | Path) -> list[Backup]:
    """The project's backups, newest first (number 1 is the latest)."""
    return list_backups(path)


def choose_backup(path: str | Path, number: int | None = None) -> Backup:
    """Backup ``number`` (1 = newest) of the project, or the newest."""
    found = list_backups(path)
    if not found:
        raise ProjectError(path, f"has no backups (they are taken each time the app opens the project, "
                                 f"and kept in {backup_folder(path)})")
    if number is None:
        return found[0]
    if not 1 <= number <= len(found):
        raise ProjectError(path, f"has no backup {number}: there {'is' if len(found) == 1 else 'are'} "
                                 f"{len(found)} (1 is the newest)")
    return found[number - 1]


def restore_project(path: str | Path, backup: Backup | None = None, passphrase: str | None = None,
                    lock: ProjectLock | None = None, progress: Progress | None = None) -> FileReport:
    """Replace the project by ``backup`` (default: the newest); the replaced file (and its
    write-ahead log) is kept as ``NAME.before-restore.qlite``. An encrypted backup needs
    the passphrase it was made with."""
    path = _real(path)
    steps = _Steps(progress, 5)
    with _locked(path, lock) as held, no_backups(path):  # no backup is taken or rotated meanwhile
        _not_open_here(path)
        tempfiles.clean(path)
        chosen = backup or choose_backup(path)
        if not chosen.path.exists():
            raise ProjectError(chosen.path, "backup not found")
        key = None
        if database.looks_encrypted(chosen.path):
            key = passphrase or os.environ.get(database.PASSPHRASE_ENV) or None
            if key is None:
                raise database.PassphraseNeeded(chosen.path, "is an encrypted backup: give the project's passphrase "
                                                             f"(prompt, or the {database.PASSPHRASE_ENV} environment variable)")
        encryption.verify(chosen.path, key)
        _need_space(path, chosen.size, "restored")
        steps("Copying the backup")
        tmp = tempfiles.TempFile(path, "restoring").create()
        try:
            with open(chosen.path, "rb") as src, os.fdopen(os.dup(tmp.descriptor()), "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
                dst.flush()
                os.fsync(dst.fileno())
            steps("Checking the copy")
            encryption.verify(tmp.path, key)
            steps("Keeping the current file")
            kept = _keep_current(path) if path.exists() else None
            steps("Replacing the project file")
            _replace(path, tmp, held)
        except BaseException:
            tmp.discard()
            raise
        steps("Done", can_stop=False)
    return FileReport(path, "restored", restored_from=chosen, kept_as=kept)


def kept_copy(path: Path) -> Path:
    return path.with_name(f"{path.stem}.before-restore{path.suffix}")


def _keep_current(path: Path) -> Path:
    """``NAME.before-restore.qlite`` becomes the current file (a hard link where the disk
    has them, else a copy), with its write-ahead log; the project keeps its name meanwhile."""
    keep = kept_copy(path)
    for suffix in ("-wal", "-shm"):  # an older kept copy's log must not meet the new one
        Path(f"{keep}{suffix}").unlink(missing_ok=True)
    linking = path.with_name(f".{path.name}.keeping")
    linking.unlink(missing_ok=True)
    try:
        os.link(path, linking)
    except OSError:  # no hard links here (FAT, some network drives): a copy
        _need_space(path, _size(path), "restored (a copy of the current file is kept)")
        fd = os.open(linking, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
    os.replace(linking, keep)
    wal = Path(f"{path}-wal")
    if wal.exists():
        os.replace(wal, f"{keep}-wal")
    Path(f"{path}-shm").unlink(missing_ok=True)
    tempfiles.fsync_folder(path.parent)
    return keep
