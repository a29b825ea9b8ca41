"""Notes of temporary files in use, kept in the user's data folder (``pending/``), so that
files a killed process could not remove are found and removed at the next start of any
command or of the app, whichever project it opens.

Each note is ``<pid>-<random>.json`` holding the creating process's id, the file's path and
its kind (``"export"``: an export's ``.qltmp`` file, see ``outfile``; ``"project"``: a
project's temporary file, see ``tempfiles``). A note lives exactly as long as its file;
without a writable data folder nothing is noted and only the sweep is lost."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path


def _folder() -> Path:
    from ..userdirs import data_dir

    return data_dir() / "pending"


def note(path: str | Path, kind: str) -> Path | None:
    """Record that this process has made ``path``; returns the note (None if it could not
    be written)."""
    folder = _folder()
    where = folder / f"{os.getpid()}-{uuid.uuid4().hex[:12]}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"pid": os.getpid(), "path": str(path), "kind": kind}, fh)
    except OSError:
        return None
    return where


def forget(where: Path | None) -> None:
    """The noted file is gone (published or removed): drop its note."""
    if where is not None:
        with contextlib.suppress(FileNotFoundError):
            where.unlink()


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (this process always does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Orphan:
    """A noted file whose process has gone: ``forget(note)`` once it has been dealt with."""

    note: Path
    path: Path
    kind: str


def orphans(kind: str) -> list[Orphan]:
    """The noted files of ``kind`` whose creating process has gone. Unreadable notes are
    dropped (nothing to act on)."""
    found: list[Orphan] = []
    try:
        notes = list(_folder().glob("*.json"))
    except OSError:
        return found
    for where in notes:
        try:
            data = json.loads(where.read_text(encoding="utf-8"))
            pid, path, its_kind = int(data["pid"]), Path(data["path"]), str(data.get("kind", "export"))
        except FileNotFoundError:
            continue  # another sweep took it
        except (OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                where.unlink()
            continue
        if its_kind == kind and not alive(pid):
            found.append(Orphan(where, path, its_kind))
    return found
