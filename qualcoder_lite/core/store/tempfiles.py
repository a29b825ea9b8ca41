"""Temporary files beside a project (and in its backup folder): created owner-only,
locked while in use, removed at the next start of any command (``sweep_orphans``, for
files noted in the user's data folder) or on that project (``clean``).

Every temporary file is named after the file it will become, with a leading dot:

==========================================  ==============================================
beside the project ``NAME.qlite``
``.NAME.qlite.converting``                  encrypt / decrypt: the converted copy
``.NAME.qlite.restoring``                   restore: the backup being copied in
``.NAME.qlite.keeping``                     restore: link to the replaced file, becoming
                                            ``NAME.before-restore.qlite``
``.NAME.qlite.XXXXXXXX.importing``          import-qdpx: the project being built
in the project's backup folder
``.NAME-YYYYmmdd-HHMMSS.qlite.tmp``         a backup being taken
``.NAME-YYYYmmdd-HHMMSS.qlite.converting``  a backup being decrypted (by ``decrypt``)
==========================================  ==============================================

each possibly with SQLite's ``-journal``, ``-wal`` and ``-shm`` beside it. A temporary
file holds a copy in the same form (encrypted or not) as the project it comes from; only
decrypt's own output is plaintext.

The creator holds an exclusive ``flock`` on the file while it works, so ``clean`` (run by
``open_project``, ``new_project``, ``import_qdpx`` and the file service before anything
else) removes only files whose creator has gone (killed, crashed, power cut).
"""

from __future__ import annotations

import contextlib
import glob
import os
import uuid
from pathlib import Path

from . import openfiles, pending

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there, which guards it as well
    fcntl = None  # type: ignore[assignment]  # module-or-None: mypy has no spelling for it

SIDECARS = ("-journal", "-wal", "-shm")
PURPOSES = ("converting", "restoring", "keeping")
_SUFFIXES = tuple(f".{p}" for p in (*PURPOSES, "importing", "tmp"))  # every purpose a TempFile is made for


class TempFile:
    """An owner-only temporary file named ``.<target name>.<purpose>`` beside ``target``,
    exclusively flock-ed by this process until published or discarded."""

    def __init__(self, target: str | Path, purpose: str, unique: bool = False):
        self.target = Path(target)
        middle = f".{uuid.uuid4().hex[:8]}" if unique else ""
        self.path = self.target.with_name(f".{self.target.name}{middle}.{purpose}")
        self.fd: int | None = None
        self.note: Path | None = None

    def create(self) -> "TempFile":
        """Make the file (a stale one of the same name is removed first, unless in use)."""
        for _attempt in range(5):
            _remove_unused(self.path)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                             | getattr(os, "O_BINARY", 0), 0o600)
            except FileExistsError:
                from ..errors import ProjectError

                raise ProjectError(self.path, "is in use by another QualCoder Lite command; try again later") from None
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # a fresh file nobody else has locked
                st = os.fstat(fd)
                if openfiles.identity(self.path) != (st.st_dev, st.st_ino):  # removed by a cleaner meanwhile
                    os.close(fd)
                    continue
            self.fd = fd
            self.note = pending.note(self.path, "project")  # found by the start-up sweep if killed
            return self
        from ..errors import ProjectError

        raise ProjectError(self.path, "could not be created (it keeps disappearing); try again")

    def __enter__(self) -> "TempFile":
        return self.create() if self.fd is None else self

    def __exit__(self, *exc) -> None:
        self.discard()

    def descriptor(self) -> int:
        """The open descriptor of the temporary file."""
        assert self.fd is not None, "the temporary file is not open (create() first)"
        return self.fd

    def fsync(self) -> None:
        os.fsync(self.descriptor())

    def publish(self, mode: int | None = None) -> int | None:
        """Move the finished file onto the target (atomically, durably); returns the
        still-locked descriptor, which the caller now owns (a project lock adopts it;
        None on Windows)."""
        fd = self.descriptor()
        if mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, mode & 0o777)
        os.fsync(fd)
        kept: int | None = fd
        if fcntl is None:  # Windows renames no open file: let go first (its lock is the lock file alone)
            os.close(fd)
            kept = None
        move_into_place(self.path, self.target)
        self.fd = None
        pending.forget(self.note)
        for suffix in SIDECARS:  # a closed SQLite file may leave these
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{self.path}{suffix}")
        return kept

    def publish_new(self, mode: int | None = None) -> None:
        """Give the finished file the target's name without ever replacing an existing
        file (a hard link; a rename where the disk has none). The temporary name stays
        until ``discard``, which also lets the descriptor go."""
        fd = self.descriptor()
        if mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, mode & 0o777)
        os.fsync(fd)
        try:
            os.link(self.path, self.target)
        except FileExistsError:
            raise _exists(self.target) from None
        except OSError:  # a file system without hard links
            if self.target.exists():
                raise _exists(self.target) from None
            os.rename(self.path, self.target)
        fsync_folder(self.target.parent)

    def publish_and_close(self, mode: int | None = None) -> None:
        """``publish`` for a file nobody keeps locked afterwards (a backup)."""
        fd = self.publish(mode)
        if fd is not None:
            os.close(fd)

    def discard(self) -> None:
        """Remove the file (and SQLite's files beside it) and let it go."""
        if self.fd is None:
            return
        ident = openfiles.identity(self.path)
        fd, self.fd = self.fd, None
        if fcntl is None:  # Windows deletes no open file
            openfiles.close_when_unused(ident, fd)
        for suffix in ("", *SIDECARS):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{self.path}{suffix}")
        if fcntl is not None:  # POSIX: removed while still locked, so no cleaner takes a new file for it
            openfiles.close_when_unused(ident, fd)
        pending.forget(self.note)


def _exists(target: Path) -> Exception:
    from ..errors import ProjectError

    return ProjectError(target, "already exists; choose another name (an import never overwrites)")


def move_into_place(tmp: str | Path, target: str | Path) -> None:
    """The one durable rename of a finished temporary file onto its target (same folder):
    atomic replace, then the folder fsync-ed so the new name survives a power cut."""
    os.replace(tmp, target)
    fsync_folder(Path(target).parent)


def default_mode() -> int:
    """The permissions a new file gets here (0o666 less the umask): what a finished
    project made through a temporary file is given."""
    mask = os.umask(0o077)
    os.umask(mask)
    return 0o666 & ~mask


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory fsync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_unused(path: Path) -> bool:
    """Remove ``path`` and its SQLite side files unless its creator still holds it (its
    flock). The name is removed while this probe holds the lock and only if it still
    names the probed file, so a file a creator has just made is never taken. A file this
    process has an SQLite connection to is not opened at all (that would drop its locks)."""
    if openfiles.is_open(path):
        return False
    fd = None
    if fcntl is not None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            fd = None
        except OSError:
            return False  # cannot look: leave it alone
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # its creator is still at work
            st = os.fstat(fd)
            if openfiles.identity(path) != (st.st_dev, st.st_ino):
                return False  # replaced meanwhile: somebody else's new file
        removed = False
        for suffix in ("", *SIDECARS):
            try:
                os.remove(f"{path}{suffix}")
                removed = True
            except FileNotFoundError:
                continue
            except OSError:  # read-only medium, or held open on Windows: next time
                return removed
        return removed
    finally:
        if fd is not None:
            os.close(fd)


def patterns(project_path: str | Path) -> list[str]:
    """Glob patterns of the temporary files of ``project_path`` (see the module table)."""
    from .backups import backup_folder

    p = Path(os.path.realpath(project_path))  # temporary files are made beside the file itself
    folder, name = glob.escape(str(p.parent)), glob.escape(p.name)
    beside = [os.path.join(folder, f".{name}.{purpose}") for purpose in PURPOSES]
    beside.append(os.path.join(folder, f".{name}.*.importing"))
    backups = glob.escape(str(backup_folder(p)))
    return beside + [os.path.join(backups, ".*.tmp"), os.path.join(backups, ".*.converting")]


def sweep_orphans() -> list[Path]:
    """Remove the temporary files of killed processes, whichever project they belong to
    (noted in the user's data folder while they exist; run at the start of every command
    and of the app). ``clean`` finds them too, but only once that project is used again.
    Only a file named as this module names them is removed, and only once nobody holds it."""
    removed = []
    for orphan in pending.orphans("project"):
        name = orphan.path.name
        if not (name.startswith(".") and name.endswith(_SUFFIXES)):
            pending.forget(orphan.note)  # not one of ours: never removed
            continue
        if _remove_unused(orphan.path):
            removed.append(orphan.path)
        if not any(os.path.lexists(f"{orphan.path}{s}") for s in ("", *SIDECARS)):
            pending.forget(orphan.note)  # else still held (by a forked worker): next time
    return removed


def clean(project_path: str | Path) -> list[Path]:
    """Remove the temporary files a killed or crashed command left for ``project_path``
    (those still in use by a running command are kept). Returns what was removed."""
    if str(project_path) == ":memory:":
        return []
    removed = []
    for pattern in patterns(project_path):
        mains = set(glob.glob(pattern))
        for sidecar in SIDECARS:  # side files whose main file is already gone
            mains.update(m[: -len(sidecar)] for m in glob.glob(pattern + sidecar))
        for main in sorted(mains):
            if _remove_unused(Path(main)):
                removed.append(Path(main))
    return removed
