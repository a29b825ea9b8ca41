"""Opening, creating and migrating the project file (one SQLite file)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import re
import sqlite3
from pathlib import Path
from typing import Iterator

import sqlite_utils

from ..errors import ProjectError
from .schema import LATEST, MIGRATIONS

APPLICATION_ID = 0x51434C54  # 'QCLT' in the SQLite header marks our files
SQLITE_MAGIC = b"SQLite format 3\x00"


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


PASSPHRASE_ENV = "QUALCODER_LITE_PASSPHRASE"


class PassphraseNeeded(ProjectError):
    """The file is encrypted (or not a database at all) and no passphrase was given."""


def _sqlcipher():
    try:
        import sqlcipher3
    except ImportError:
        return None
    return sqlcipher3


def db_errors() -> tuple[type[BaseException], ...]:
    """DatabaseError classes of every driver in use (SQLCipher's are not sqlite3's)."""
    cipher = _sqlcipher()
    return (sqlite3.DatabaseError,) + ((cipher.dbapi2.DatabaseError,) if cipher is not None else ())


_QUOTED = re.compile(r"'[^']*'?|\"[^\"]*\"?")


def db_error_reason(exc: BaseException) -> str:
    """The cause of a database error in a few words, without the values SQLite or the
    driver may quote in it (``Could not decode to UTF-8 column 'text' with text '…'``
    carries the start of a transcript)."""
    msg = str(exc)
    if "could not decode" in msg.lower():
        return "stored text is not valid UTF-8"
    msg = _QUOTED.sub("…", msg.split(" with text ", 1)[0])
    msg = " ".join(msg.split())
    if len(msg) > 120:
        msg = msg[:119] + "…"
    return msg or getattr(exc, "sqlite_errorname", None) or exc.__class__.__name__


def is_damage(exc: BaseException) -> bool:
    """True for errors that mean the file's content is damaged (not a busy, full or
    read-only file)."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    msg = str(exc).lower()
    return (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in msg
            or "could not decode" in msg or "not a database" in msg)


def _quote(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


def _connect(path: str, passphrase: str | None = None):
    if passphrase is None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True, timeout=5.0)
        conn.row_factory = sqlite3.Row
        return conn
    cipher = _sqlcipher()
    if cipher is None:
        raise ProjectError(path, "encrypted projects need the 'encrypt' extra: pip install 'qualcoder-lite[encrypt]'")
    if not passphrase:
        raise ProjectError(path, "the passphrase is empty")
    conn = cipher.connect(path, isolation_level=None, check_same_thread=True, timeout=5.0)
    conn.row_factory = cipher.Row
    conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not a log line
    conn.execute(f"PRAGMA key = {_quote(passphrase)}")
    conn.execute("PRAGMA temp_store = MEMORY")  # no decrypted pages in temporary files
    return conn


def connect_like(conn, path: str | Path, passphrase: str | None):
    """A new connection to ``path`` of the same kind (plain or encrypted with the same key)."""
    return _connect(str(path), passphrase)


def _configure(conn: sqlite3.Connection, path: str) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    if path != ":memory:":
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise ProjectError(path, f"cannot use write-ahead logging (journal mode {mode})")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 5000")


def looks_encrypted(path: str | Path) -> bool:
    """An SQLCipher file: no SQLite header, whole pages of random-looking bytes."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    return (not head.startswith(SQLITE_MAGIC) and size >= 1024 and size % 512 == 0
            and len(set(head)) > 120)


def _check_header(path: Path, passphrase: str | None = None) -> None:
    if not path.exists():
        raise ProjectError(path, "no such project file")
    if path.is_dir():
        raise ProjectError(path, "is a folder, not a project file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise ProjectError(path, f"cannot be read ({exc.strerror})") from None
    if len(head) == 0:
        raise ProjectError(path, "is empty, not a QualCoder Lite project")
    if not head.startswith(SQLITE_MAGIC):
        if passphrase is not None:
            return  # an encrypted file looks like random bytes: the key will tell
        if looks_encrypted(path):
            raise PassphraseNeeded(path, f"is encrypted (or not a project): give its passphrase "
                                         f"(prompt, or the {PASSPHRASE_ENV} environment variable)")
        raise ProjectError(path, "is not a QualCoder Lite project (not an SQLite database)")
    if len(head) < 100:
        raise ProjectError(path, "is truncated (shorter than an SQLite header)")
    app_id = int.from_bytes(head[68:72], "big")
    if app_id not in (0, APPLICATION_ID):
        raise ProjectError(path, "is an SQLite database made by another program, not a QualCoder Lite project")


def open_database(path: str | Path, passphrase: str | None = None, read_only: bool = False) -> sqlite_utils.Database:
    """Open an existing project file, migrating it forward if it is older.

    Refuses, without writing a byte, files that are not SQLite, SQLite files of other
    programs, and projects from a newer version of the application. An encrypted file
    needs its passphrase; a wrong one is a clear message.
    """
    path = Path(path)
    _check_header(path, passphrase)
    conn = _connect(str(path), passphrase)
    errors = (*db_errors(), UnicodeDecodeError)  # a damaged schema page can hold names that are not UTF-8
    try:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except errors as exc:
            if passphrase is not None:
                raise ProjectError(path, "wrong passphrase, or not an encrypted QualCoder Lite project") from None
            raise ProjectError(path, f"is damaged or not a project ({exc})") from None
        if app_id != APPLICATION_ID and not {"sources", "codes", "codings"} <= tables:
            raise ProjectError(path, "is an SQLite database but not a QualCoder Lite project")
        if version > LATEST:
            raise ProjectError(
                path,
                f"was made by a newer version of QualCoder Lite (project schema {version}; "
                f"this version reads up to {LATEST}); please update the application",
            )
        if version < 1:
            raise ProjectError(path, "is not a QualCoder Lite project (no schema version)")
        try:
            _configure(conn, str(path))
            if version < LATEST:
                # upgrading is one transaction and keeps every row, so even a command that
                # only reads may do it (an older project otherwise could not be read at all)
                migrate(conn, version)
            problems = conn.execute("PRAGMA quick_check").fetchall()
        except errors as exc:
            raise ProjectError(path, f"is damaged ({exc})") from None
        if problems and problems[0][0] != "ok":
            raise ProjectError(path, f"is damaged ({problems[0][0]})")
        if not read_only:
            try:
                complete_word_index(conn)
            except errors as exc:
                raise ProjectError(path, f"is damaged ({exc})") from None
    except BaseException:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


def create_database(path: str | Path, passphrase: str | None = None) -> sqlite_utils.Database:
    """Create a new, empty project file at the latest schema (encrypted when a passphrase
    is given). Refuses to overwrite."""
    spath = str(path)
    if spath != ":memory:":
        p = Path(path)
        if p.exists():
            raise ProjectError(p, "already exists; choose another name or open it")
        if not p.parent.exists():
            raise ProjectError(p, f"folder {p.parent} does not exist")
    try:
        conn = _connect(spath, passphrase)
    except db_errors() as exc:
        raise ProjectError(path, f"cannot be created ({exc})") from None
    try:
        _configure(conn, spath)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        migrate(conn, 0)
    except BaseException:
        conn.close()
        if spath != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(spath + suffix)
        raise
    return sqlite_utils.Database(conn)


def migrate(conn: sqlite3.Connection, from_version: int, to_version: int = LATEST) -> None:
    """Run every migration after ``from_version`` in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for version in range(from_version + 1, to_version + 1):
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO migrations(version, applied) VALUES (?, ?)", (version, now_iso())
            )
        conn.execute(f"PRAGMA user_version = {int(to_version)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


_CANNOT_WRITE_NOW = ("SQLITE_READONLY", "SQLITE_BUSY", "SQLITE_LOCKED")


def complete_word_index(conn) -> int:
    """Post-migration step: build the search word index (``sources.word_index``, schema 4)
    of every source that has none, or one of another layout or Unicode version, in one
    transaction; returns how many were built.

    Idempotent: current indexes are left alone, so it runs on every open for writing and
    costs two small queries when there is nothing to do (one index is sampled for its
    version). A file that cannot be written just now (read-only medium, another writer
    busy) is left as it is: search scans those sources instead (same hits, only slower) and
    the next open tries again."""
    # the tokenizer lives beside the matcher it mirrors
    from ..services.search import build_word_index, word_index_is_current

    ids = [r[0] for r in conn.execute("SELECT id FROM sources WHERE word_index IS NULL")]
    sample = conn.execute("SELECT word_index FROM sources WHERE word_index IS NOT NULL LIMIT 1").fetchone()
    if sample is not None and not word_index_is_current(sample[0]):
        ids += [r[0] for r in conn.execute("SELECT id, word_index FROM sources WHERE word_index IS NOT NULL")
                if not word_index_is_current(r[1])]
    if not ids:
        return 0
    try:
        with transaction(conn):
            for sid in ids:
                text = conn.execute("SELECT text FROM sources WHERE id = ?", (sid,)).fetchone()[0]
                conn.execute("UPDATE sources SET word_index = ? WHERE id = ?", (build_word_index(text), sid))
    except db_errors() as exc:
        code = getattr(exc, "sqlite_errorname", "") or ""
        message = str(exc).lower()
        if code.startswith(_CANNOT_WRITE_NOW) or "readonly" in message or "locked" in message:
            return 0
        raise
    return len(ids)


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (triggers contain inner semicolons)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf.strip()
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buf[:60]!r}")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One user action = one transaction; nested use becomes a savepoint."""
    if conn.in_transaction:
        name = f"sp_{id(object())}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        conn.execute(f"RELEASE SAVEPOINT {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
