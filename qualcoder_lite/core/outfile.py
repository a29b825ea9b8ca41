"""The one way every export is written: check the output path, write a temporary file
beside it, then rename it into place.

**No write ever replaces a project.** Before anything is written, the output is refused
(``OutputRefused``, exit 1, nothing written) when it is

- the input project itself, through any spelling, symlink or hard link;
- any SQLite file (every QualCoder Lite project, and other programs' databases), an
  encrypted project (random-looking whole pages), or a project's ``-wal``/``-shm``/
  ``.lock`` companion, or a file this process has open as a database;
- a file another process holds: our project lock, or an office lock file beside it
  (LibreOffice's ``.~lock.NAME#``, Microsoft Office's ``~$NAME``);
- any other existing file, unless ``force`` is given (``--force`` on the command line;
  the app asks). ``force`` never replaces a project.

The temporary file is created owner-only (``.NAME.XXXXXXXX.qltmp``) in the output's
folder, so the rename is atomic and a failed or killed export leaves the previous file as
it was. A killed process cannot remove its temporary file, so each one is noted in the
user's data folder while it exists; ``sweep_stale_temps`` (run at the start of every
command and of the app) removes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import QualCoderError, UsageError
from .store import database, openfiles, pending, tempfiles
from .store.database import SQLITE_MAGIC

TEMP_SUFFIX = ".qltmp"
_COMPANIONS = ("-wal", "-shm", "-journal", ".lock")


class OutputError(QualCoderError):
    """An export could not be written; names the file and the reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class OutputRefused(OutputError):
    """The output path may not be written (a project, a held file, an existing file)."""


@dataclass(frozen=True)
class Output:
    """Where an export goes and what it may replace.

    ``project`` is the project the export is made from (refused as the output through any
    spelling); ``force`` allows replacing an existing file that is not a project."""

    path: Path
    force: bool = False
    project: Path | None = None


def as_output(target: "str | Path | Output") -> Output:
    return target if isinstance(target, Output) else Output(Path(target))


def office_lock_files(path: Path) -> list[Path]:
    """The lock files office programs keep beside a document they have open."""
    name = path.name
    names = {f".~lock.{name}#", f"~${name}"}
    if len(name) > 2:
        names.add(f"~${name[2:]}")  # Word shortens long names: report.docx -> ~$port.docx
    if len(name) > 1:
        names.add(f"~${name[1:]}")
    return [path.with_name(n) for n in sorted(names)]


def _same_file(a: Path, b: Path) -> bool:
    ia, ib = openfiles.identity(a), openfiles.identity(b)
    return ia is not None and ia == ib


def _lock_held(path: Path) -> bool:
    from .store import lock

    return lock.is_locked(path)


def check(target: "str | Path | Output") -> Path:
    """Refuse an output path that must not be written; returns the real path to write
    (symlinks resolved, so the rename replaces the file the link points to)."""
    out = as_output(target)
    given = Path(out.path)
    if not str(out.path) or given.name in ("", ".", ".."):
        raise OutputRefused(given, "is not a file name; choose a file to export to")
    if given.is_dir():
        raise OutputRefused(given, "is a folder; choose a file name to export to")
    real = Path(os.path.realpath(given))
    if not real.parent.is_dir():
        if given.is_symlink() and given.parent.is_dir():  # the link's own folder is there
            raise OutputRefused(given, f"is a link to {os.readlink(given)}, whose folder {real.parent} "
                                       "does not exist")
        raise OutputRefused(given, f"the folder {given.parent} does not exist")
    if out.project is not None and _same_file(real, Path(out.project)):
        raise OutputRefused(given, "is the project itself; choose another file name (nothing was written)")
    if openfiles.is_open(real):
        raise OutputRefused(given, "is a project open in QualCoder Lite; an export never replaces a project")
    for suffix in _COMPANIONS:
        if real.name.endswith(suffix) and real.with_name(real.name[: -len(suffix)]).exists():
            raise OutputRefused(given, f"belongs to the project {real.name[: -len(suffix)]}; choose another file name")
    for lockfile in office_lock_files(real):
        if lockfile.exists():
            raise OutputRefused(given, f"is open in another program (its lock file {lockfile.name} is there); "
                                       "close it there first")
    if _lock_held(real):
        raise OutputRefused(given, "is held by QualCoder Lite in another window or process; an export never "
                                   "replaces a project")
    if real.exists():
        _check_existing(given, real, out.force)
    return real


def _check_existing(given: Path, real: Path, force: bool) -> None:
    if not real.is_file():
        raise OutputRefused(given, "exists and is not a regular file; choose another file name")
    try:
        size = real.stat().st_size
        head = openfiles.read_header(real, 256)
    except openfiles.OpenInProcess:
        raise OutputRefused(given, "is a project open in QualCoder Lite; an export never replaces a project") from None
    except OSError as exc:
        raise OutputRefused(given, f"exists and cannot be read ({exc.strerror or exc}); nothing was written") from None
    if head.startswith(SQLITE_MAGIC):
        raise OutputRefused(given, "is an SQLite database (a project?); an export never replaces one, "
                                   "not even with --force")
    if database.head_looks_encrypted(head, size):
        raise OutputRefused(given, "looks like an encrypted project; an export never replaces one, "
                                   "not even with --force")
    if not force:
        raise OutputRefused(given, "already exists; give --force to replace it (nothing was written)")


def _umask() -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def write_file(target: "str | Path | Output", write: Callable[[Path], object]) -> Path:
    """Check ``target``, call ``write(tmp)`` for an owner-only temporary file beside it,
    then rename it into place. On any failure the temporary file is removed and the
    previous file (if any) is unchanged; a cancel (``InterruptedError`` from ``write``, a
    progress callback's answer) comes out as itself, never as a failed write. Returns the
    path written."""
    out = as_output(target)
    real = check(out)
    return _write_beside(real, write, shown=out.path,
                         recheck=lambda: _check_existing(Path(out.path), real, out.force))


def save_own_file(path: str | Path, write: Callable[[Path], object]) -> Path:
    """The same atomic write for a file of the app's own that it replaces at will (the
    preferences): no output guard, every other guarantee (temporary file beside it,
    fsync, recorded for the sweep, previous file intact on failure)."""
    real = Path(os.path.realpath(path))
    return _write_beside(real, write, shown=Path(path), recheck=lambda: None)


def _write_beside(real: Path, write: Callable[[Path], object], shown: Path,
                  recheck: Callable[[], None]) -> Path:
    """Write ``real`` through a temporary file in its folder: ``write(tmp)``, fsync,
    ``recheck()`` just before the rename, rename, fsync the folder."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=TEMP_SUFFIX, dir=str(real.parent))
    except OSError as exc:
        raise OutputError(shown, f"cannot be written ({exc.strerror or exc})") from None
    os.close(fd)
    tmp = Path(name)
    note = pending.note(tmp, "export")
    try:
        write(tmp)
        _fsync(tmp)
        if real.exists():  # it may have become something else while we wrote
            recheck()
            mode = real.stat().st_mode & 0o777
        else:
            mode = 0o666 & ~_umask()
        tempfiles.move_into_place(tmp, real)
        os.chmod(real, mode)  # owner-only until it is the finished file
    except InterruptedError:  # a cancel (Cancel pressed during the write): an OSError, not a failure
        tmp.unlink(missing_ok=True)
        raise
    except _write_errors() as exc:
        reason = _io_reason(exc)
        _discard_failed_writer(exc)
        tmp.unlink(missing_ok=True)
        raise OutputError(shown, f"cannot be written ({reason}); nothing was written") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        pending.forget(note)
    return real


def _write_errors() -> tuple[type[BaseException], ...]:
    """What a failed write raises: OSError, and lxml's own error (looked up when it is caught:
    lxml is imported by the writer, not before)."""
    return (OSError, *_serialisation_errors())


def _serialisation_errors() -> tuple[type[BaseException], ...]:
    """lxml (used by openpyxl) reports a failed write as its own error, not OSError."""
    etree = sys.modules.get("lxml.etree")
    return (etree.SerialisationError,) if etree is not None else ()


_LXML_IO = {"IO_EFBIG": errno.EFBIG, "IO_ENOSPC": errno.ENOSPC, "IO_EACCES": errno.EACCES, "IO_EIO": errno.EIO,
            "IO_EROFS": errno.EROFS, "IO_EDQUOT": getattr(errno, "EDQUOT", errno.ENOSPC)}


def _io_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    code = _LXML_IO.get(str(exc).strip())
    return os.strerror(code) if code is not None else f"write error {exc}"


def _discard_failed_writer(exc: BaseException) -> None:
    """Free the half-written writer objects (zip archives of .docx/.xlsx/.qdpx) now.

    A zip writer that failed on a full disk is left open by the library that made it; when
    it is garbage-collected later its ``close()`` fails the same way and Python prints
    "Exception ignored in ZipFile.__del__" under our one-line message. Clearing the failed
    frames runs those finalisers here, where their second report of the error we already
    give is not printed."""
    previous = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None  # the same failure, already reported once
    try:
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = previous


def write_bytes(target: "str | Path | Output", data: bytes) -> Path:
    return write_file(target, lambda tmp: tmp.write_bytes(data))


def write_text(target: "str | Path | Output", text: str, encoding: str = "utf-8", newline: str | None = None) -> Path:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding=encoding, newline=newline) as fh:
            fh.write(text)

    return write_file(target, write)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


# ------------------------------------------------------------------ pending temporary files
def sweep_stale_temps() -> list[Path]:
    """Remove temporary files left by killed processes (exports' ``.qltmp`` files,
    projects' temporary files, merges' scratch folders); returns those removed."""
    removed: list[Path] = []
    for orphan in pending.orphans("export"):
        path = orphan.path
        if path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
        pending.forget(orphan.note)
    removed += tempfiles.sweep_orphans()
    removed += _sweep_scratch_folders()
    return removed


def _sweep_scratch_folders() -> list[Path]:
    """A merge reads a colleague's copy through a scratch folder in the system's temporary
    folder (``qualcoder-merge-<pid>-*``); a killed merge cannot remove its own."""
    import shutil

    removed = []
    for folder in Path(tempfile.gettempdir()).glob("qualcoder-merge-*-*"):
        pid = folder.name.split("-")[2]
        if not pid.isdigit() or pending.alive(int(pid)) or not folder.is_dir() or folder.is_symlink():
            continue
        if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
            continue  # another user's: not ours to remove
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def for_project(target: "str | Path | Output", project) -> Output:
    """``target`` as an Output that refuses ``project``'s own file (through any spelling)."""
    out = as_output(target)
    path = getattr(project, "path", None)
    if out.project is None and path is not None:
        return Output(out.path, out.force, Path(path))
    return out


class SameFileAsProject(UsageError):
    """A command that reads a second file was given the project itself (exit 2)."""


def check_input(path: str | Path, project_path: str | Path | None, what: str = "input") -> None:
    """Refuse the project itself as a second input (a colleague's copy, a key, an archive),
    through any spelling, symlink or hard link."""
    if project_path is not None and _same_file(Path(path), Path(project_path)):
        raise SameFileAsProject(f"{path}: is this project itself; give another file as the {what}")
