"""The project facade: one open project file and its repositories.

``open_project`` is the one factory the GUI, the command line and every worker use.
"""

from __future__ import annotations

import contextlib
import getpass
import sqlite3
from pathlib import Path
from typing import Iterator

from . import commands
from .errors import ProjectError
from .store import database
from .store.attributes import AttributeRepo
from .store.cases import CaseRepo
from .store.coders import CoderRepo
from .store.codes import CodeRepo
from .store.codings import CodingRepo
from .store.matrix import MatrixRepo
from .store.memos import MemoRepo
from .store.recorder import Changes
from .store.settings import SettingsRepo
from .store.sources import SourceRepo

PROJECT_SUFFIX = ".qlite"


def default_coder() -> str:
    try:
        return getpass.getuser() or "coder"
    except (KeyError, OSError):  # no login name (containers, odd environments)
        return "coder"


class Project:
    def __init__(self, db, path: Path | None, coder: str | None = None):
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.path = path
        self.sources = SourceRepo(self.conn)
        self.cases = CaseRepo(self.conn)
        self.codes = CodeRepo(self.conn)
        self.codings = CodingRepo(self.conn)
        self.attributes = AttributeRepo(self.conn)
        self.memos = MemoRepo(self.conn)
        self.matrix = MatrixRepo(self.conn)
        self.coders = CoderRepo(self.conn)
        self.settings = SettingsRepo(self.conn)
        self.coder = (coder or "").strip() or default_coder()

    @property
    def name(self) -> str:
        return self.path.stem if self.path else "(memory)"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with database.transaction(self.conn):
            yield

    def execute(self, cmd: commands.Command) -> Changes:
        return commands.run(self, cmd)

    def undo(self, cmd: commands.Command) -> Changes:
        return commands.undo(self, cmd)

    def redo(self, cmd: commands.Command) -> Changes:
        return commands.redo(self, cmd)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.ProgrammingError):
            self.conn.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_project(path: str | Path, passphrase: str | None = None, coder: str | None = None) -> Project:
    """Open an existing project file (migrating older versions)."""
    if passphrase is not None:
        raise ProjectError(path, "encrypted projects need the 'encrypt' extra, which is not installed")
    db = database.open_database(path)
    return Project(db, Path(path), coder)


def project_path(name: str | Path) -> Path:
    """``new`` adds ``.qlite`` when the name has no extension."""
    p = Path(name)
    return p if p.suffix else p.with_suffix(PROJECT_SUFFIX)


def new_project(path: str | Path, coder: str | None = None) -> Project:
    """Create a new project file (refuses to overwrite an existing file)."""
    p = Path(path) if str(path) == ":memory:" else project_path(path)
    db = database.create_database(p)
    return Project(db, None if str(path) == ":memory:" else p, coder)


def memory_project(coder: str | None = None) -> Project:
    """An in-memory project (tests, previews)."""
    db = database.create_database(":memory:")
    return Project(db, None, coder)
