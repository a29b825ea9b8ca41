"""Opening, creating and migrating the project file (one SQLite file)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import itertools
import os
import sqlite3
import zlib
from pathlib import Path
from typing import Iterator

import sqlite_utils

from ..errors import DamagedProjectError, PassphraseNeeded, ProjectError
from . import openfiles
from .db_errors import (db_error_reason, error_kind, io_cause, io_error, is_damage,  # noqa: F401 (public here)
                        project_error)
from .schema import LATEST, MIGRATIONS

APPLICATION_ID = 0x51434C54  # 'QCLT' in the SQLite header marks our files
SQLITE_MAGIC = b"SQLite format 3\x00"


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


PASSPHRASE_ENV = "QUALCODER_LITE_PASSPHRASE"


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


def _quote(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


_classes: dict[object, type] = {}


def _connection_class(module):
    """A subclass of the driver's Connection that leaves the open-files registry when it
    closes (``openfiles``: no plain I/O on a file this process has a connection to)."""
    cls = _classes.get(module)
    if cls is None:
        base = module.Connection if hasattr(module, "Connection") else module.dbapi2.Connection
        errors = (module.Error if hasattr(module, "Error") else module.dbapi2.Error)

        def close(self):
            try:
                base.close(self)
            finally:
                ident, self._qcl_ident = getattr(self, "_qcl_ident", None), None
                openfiles.unregister(ident)

        def __del__(self, _suppress=contextlib.suppress, _unregister=openfiles.unregister):
            # garbage-collected without close() (perhaps at interpreter exit, when module
            # globals are gone: hence the bound defaults): SQLite closes the file now
            with _suppress(errors):
                base.close(self)
            ident, self._qcl_ident = getattr(self, "_qcl_ident", None), None
            _unregister(ident)

        cls = type("RegisteredConnection", (base,), {"close": close, "__del__": __del__})
        _classes[module] = cls
    return cls


def _uri(path: str, immutable: bool) -> str:
    from urllib.request import pathname2url

    query = "?mode=ro&immutable=1" if immutable else ""
    return "file:" + pathname2url(os.path.abspath(path)) + query


def _open_registered(module, path: str, encrypted: bool, immutable: bool = False):
    """Connect with ``module`` to ``path``, registered in ``openfiles`` before SQLite opens
    the file (a header read in another thread then waits or is refused)."""
    memory = path == ":memory:"
    ident = None if memory else openfiles.register(path, encrypted)
    try:
        conn = module.connect(_uri(path, True) if immutable else path, isolation_level=None,
                              check_same_thread=True, timeout=5.0, factory=_connection_class(module),
                              uri=immutable)
    except BaseException:
        openfiles.unregister(ident)
        raise
    if ident is None and not memory:  # SQLite has just created the file
        ident = openfiles.register(path, encrypted)
    conn._qcl_ident = ident
    return conn


def _connect(path: str, passphrase: str | None = None, immutable: bool = False):
    """A connection to ``path``: plain sqlite3, or SQLCipher keyed with ``passphrase``.
    ``immutable``: read-only, for a file on a medium that cannot be written (no -shm)."""
    if passphrase is None:
        conn = _open_registered(sqlite3, path, False, immutable)
        conn.row_factory = sqlite3.Row
        return conn
    cipher = _sqlcipher()
    if cipher is None:
        raise ProjectError(path, "encrypted projects need the 'encrypt' extra: pip install 'qualcoder-lite[encrypt]'")
    if not passphrase:
        raise ProjectError(path, "the passphrase is empty")
    conn = _open_registered(cipher, path, True, immutable)
    try:
        conn.row_factory = cipher.Row
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not a log line
        conn.execute(f"PRAGMA key = {_quote(passphrase)}")
        conn.execute("PRAGMA temp_store = MEMORY")  # no decrypted pages in temporary files
    except BaseException:
        conn.close()
        raise
    return conn


def connect_cipher(path: str | Path, key: str | None):
    """An SQLCipher connection (registered like every other) to a plain file (``key``
    None) or an encrypted one: what converting between the two needs."""
    cipher = _sqlcipher()
    if cipher is None:
        raise ProjectError(path, "encryption needs the 'encrypt' extra: pip install 'qualcoder-lite[encrypt]'")
    conn = _open_registered(cipher, str(path), key is not None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key:
            conn.execute(f"PRAGMA key = {_quote(key)}")
        conn.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        conn.close()
        raise
    return conn


def connect_like(conn, path: str | Path, passphrase: str | None):
    """A new connection to ``path`` of the same kind (plain or encrypted with the same key)."""
    return _connect(str(path), passphrase)


def _configure(conn: sqlite3.Connection, path: str, read_only: bool = False) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    if path != ":memory:" and not read_only:  # reading never changes the file's journal mode
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise ProjectError(path, f"cannot use write-ahead logging (journal mode {mode})")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 5000")


def looks_encrypted(path: str | Path) -> bool:
    """An SQLCipher file: no SQLite header, whole pages of random-looking bytes. A file
    this process has open is answered from the open-files registry (no plain I/O)."""
    known = openfiles.opened_encrypted(path)
    if known is not None:
        return known
    try:
        size = os.path.getsize(path)
        head = openfiles.read_header(path, 256)
    except openfiles.OpenInProcess:  # opened by another thread just now
        return bool(openfiles.opened_encrypted(path))
    except OSError:
        return False
    return head_looks_encrypted(head, size)


def head_looks_encrypted(head: bytes, size: int) -> bool:
    """The first 256 bytes and the size of an SQLCipher file: no SQLite header, whole
    pages of random-looking bytes."""
    return (not head.startswith(SQLITE_MAGIC) and size >= 1024 and size % 512 == 0
            and len(set(head)) > 120)


def check_header(path: Path, passphrase: str | None = None) -> None:
    """Clear messages for files that are not projects, read before connecting. A file
    this process already has open is not read again (that would drop its locks)."""
    path = Path(path)
    if not path.exists():
        raise ProjectError(path, "no such project file")
    if path.is_dir():
        raise ProjectError(path, "is a folder, not a project file")
    known = openfiles.opened_encrypted(path)
    if known is not None:  # open here already, so it is a database we accepted
        if known and passphrase is None:
            raise PassphraseNeeded(path, f"is encrypted: give its passphrase (prompt, or the {PASSPHRASE_ENV} "
                                         "environment variable)")
        return
    try:
        head = openfiles.read_header(path, 100)
    except openfiles.OpenInProcess:  # opened by another thread just now
        return
    except OSError as exc:
        raise io_error(path, exc, "read") from None
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
        raise DamagedProjectError(path, "is truncated (shorter than an SQLite header)")
    app_id = int.from_bytes(head[68:72], "big")
    if app_id not in (0, APPLICATION_ID):
        raise ProjectError(path, "is an SQLite database made by another program, not a QualCoder Lite project")


_check_header = check_header


def _cannot_write_here(path: Path) -> bool:
    """The medium or folder cannot be written (SQLite then cannot make its -shm file)."""
    try:
        st = os.statvfs(path.parent)
        if st.f_flag & getattr(os, "ST_RDONLY", 1):
            return True
    except (OSError, AttributeError):
        pass
    return not os.access(path.parent, os.W_OK)


def _disk_full(path: Path) -> bool:
    try:
        st = os.statvfs(path.parent)
        return st.f_bavail * st.f_frsize < 256 * 1024
    except (OSError, AttributeError):
        return False


def _wal_has_content(path: Path) -> bool:
    try:
        return os.path.getsize(str(path) + "-wal") > 0
    except OSError:
        return False


def open_database(path: str | Path, passphrase: str | None = None, read_only: bool = False,
                  check: bool = True) -> sqlite_utils.Database:
    """Open an existing project file, migrating it forward if it is older.

    Refuses, without writing a byte, files that are not SQLite, SQLite files of other
    programs, and projects from a newer version of the application. An encrypted file
    needs its passphrase; a wrong one is a clear message. ``check``: every page is
    checked (``PRAGMA quick_check``, most of the time an open takes: it reads the whole
    file); the app runs ``check_pages`` beside building its window instead.
    """
    path = Path(path)
    check_header(path, passphrase)
    errors: tuple[type[BaseException], ...] = (*db_errors(), UnicodeDecodeError)  # a damaged schema page can hold names that are not UTF-8
    conn = _connect(str(path), passphrase)
    try:
        conn, first = _look_first(conn, path, passphrase, read_only, errors)
        version = _check_identity(path, first)
        try:
            _configure(conn, str(path), read_only)
            if version < LATEST:
                # upgrading is one transaction and keeps every row, so even a command that
                # only reads may do it (an older project otherwise could not be read at all)
                migrate(conn, version)
            problems = conn.execute("PRAGMA quick_check").fetchall() if check else [("ok",)]
        except errors as exc:
            raise project_error(path, exc, "opened") from None
        if problems and problems[0][0] != "ok":
            raise DamagedProjectError(path, f"is damaged ({problems[0][0]})")
        if not read_only:
            try:
                complete_word_index(conn)
            except errors as exc:
                raise project_error(path, exc, "opened") from None
    except BaseException:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


def check_pages(path: str | Path, passphrase: str | None = None) -> None:
    """``open_database``'s check of every page (``PRAGMA quick_check``) on a connection of
    its own, from any thread: raises DamagedProjectError naming the first problem."""
    path = Path(path)
    errors: tuple[type[BaseException], ...] = (*db_errors(), UnicodeDecodeError)
    conn = _connect(str(path), passphrase)
    try:
        problems = conn.execute("PRAGMA quick_check").fetchall()
    except errors as exc:
        raise project_error(path, exc, "opened") from None
    finally:
        conn.close()
    if problems and problems[0][0] != "ok":
        raise DamagedProjectError(path, f"is damaged ({problems[0][0]})")


def _look_first(conn, path: Path, passphrase: str | None, read_only: bool, errors: tuple):
    """(connection, what ``_first_look`` saw): reopened immutable when a read-only medium or a
    full disk keeps SQLite from creating the -shm; any failure is the right ProjectError (and
    the connection in use is closed)."""
    try:
        try:
            try:
                first = _first_look(conn)
            except errors as exc:
                # a read-only medium or a full disk: SQLite cannot create the -shm of a WAL
                # project; an immutable read works when no write-ahead log waits to be applied
                if not (read_only and error_kind(exc) == "io" and (_cannot_write_here(path) or _disk_full(path))
                        and not _wal_has_content(path)):
                    raise
                conn.close()
                conn = _connect(str(path), passphrase, immutable=True)
                first = _first_look(conn)
        except errors as exc:
            if error_kind(exc) == "io":
                raise io_error(path, exc, "read") from None
            if passphrase is not None:
                raise ProjectError(path, "wrong passphrase, or not an encrypted QualCoder Lite project") from None
            raise DamagedProjectError(path, f"is damaged or not a project ({exc})") from None
    except BaseException:
        conn.close()
        raise
    return conn, first


def _check_identity(path: Path, first: tuple[int, int, set]) -> int:
    """The schema version of a file that is a QualCoder Lite project this version can read."""
    app_id, version, tables = first
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
    return version


def _first_look(conn) -> tuple[int, int, set]:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return app_id, version, tables


def create_database(path: str | Path, passphrase: str | None = None,
                    into_empty_file: bool = False) -> sqlite_utils.Database:
    """Create a new, empty project file at the latest schema (encrypted when a passphrase
    is given). Refuses to overwrite; ``into_empty_file``: ``path`` is an empty file made
    for it (a temporary file, owner-only)."""
    spath = str(path)
    if spath != ":memory:":
        p = Path(path)
        if into_empty_file:
            if not p.is_file() or p.stat().st_size:
                raise ProjectError(p, "is not the empty file a new project was to be made in")
        elif p.exists():
            raise ProjectError(p, "already exists; choose another name or open it")
        if not p.parent.exists():
            raise ProjectError(p, f"folder {p.parent} does not exist")
    try:
        conn = _connect(spath, passphrase)
    except db_errors() as exc:
        raise project_error(path, exc, "created") from None
    try:
        _configure(conn, spath)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        migrate(conn, 0)
    except BaseException as exc:
        conn.close()
        if spath != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(spath + suffix)
        if isinstance(exc, db_errors()):
            raise project_error(path, exc, "created") from None
        raise
    return sqlite_utils.Database(conn)


def migrate(conn: sqlite3.Connection, from_version: int, to_version: int = LATEST) -> None:
    """Run every migration after ``from_version`` in one transaction."""
    with _committed(conn):
        for version in range(from_version + 1, to_version + 1):
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO migrations(version, applied) VALUES (?, ?)", (version, now_iso())
            )
        conn.execute(f"PRAGMA user_version = {int(to_version)}")


_CANNOT_WRITE_NOW = ("SQLITE_READONLY", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL")


def complete_word_index(conn) -> int:
    """Post-migration step: build the search word index (``source_facts.word_index``, schemas 4 and 7)
    of every source that has none, or one of another layout or Unicode version, in one
    transaction; returns how many were built. Indexes without their keys (``source_keys``,
    schema 8: a migrated project) get them in the same transaction.

    Idempotent: current indexes are left alone, so it runs on every open for writing and
    costs two small queries when there is nothing to do (one index is sampled for its
    version). A file that cannot be written just now (read-only medium, another writer
    busy) is left as it is: search scans those sources instead (same hits, only slower) and
    the next open tries again."""
    # the tokenizer lives beside the matcher it mirrors
    from . import source_keys
    from .word_index import build_word_index, index_text_crc, word_index_is_current

    # schema 7: in ``source_facts`` (whose rows the triggers make with each source), with the
    # CRC-32 of the text (a migrated project has none yet: its indexes are kept if they fit)
    ids = [r[0] for r in conn.execute(
        "SELECT s.id FROM sources s LEFT JOIN source_facts f ON f.source_id = s.id "
        "WHERE f.word_index IS NULL OR f.text_crc IS NULL")]
    sample = conn.execute("SELECT word_index FROM source_facts WHERE word_index IS NOT NULL LIMIT 1").fetchone()
    if sample is not None and not word_index_is_current(sample[0]):
        ids += [r[0] for r in conn.execute("SELECT source_id, word_index FROM source_facts WHERE word_index IS NOT NULL")
                if not word_index_is_current(r[1])]
    # schema 8: the keys search skips sources by (a migrated project has none yet)
    keyless = [r[0] for r in conn.execute(
        "SELECT f.source_id, f.word_index FROM source_facts f LEFT JOIN source_keys k ON k.source_id = f.source_id "
        "WHERE k.source_id IS NULL AND f.word_index IS NOT NULL AND f.text_crc IS NOT NULL")
        if source_keys.keys_of(r[1]) is not None]
    if not ids and not keyless:
        return 0
    try:
        with transaction(conn):
            for sid in keyless:
                blob = conn.execute("SELECT word_index FROM source_facts WHERE source_id = ?", (sid,)).fetchone()[0]
                source_keys.write(conn, sid, blob)
            for sid in dict.fromkeys(ids):
                text = conn.execute("SELECT text FROM sources WHERE id = ?", (sid,)).fetchone()[0]
                crc = zlib.crc32(text.encode("utf-8"))
                have = conn.execute("SELECT word_index FROM source_facts WHERE source_id = ?", (sid,)).fetchone()
                blob = None if have is None else have[0]
                if not word_index_is_current(blob) or index_text_crc(blob) != crc:
                    blob = build_word_index(text)
                conn.execute("INSERT INTO source_facts(source_id, length, text_crc, word_index) "
                             "VALUES (?, length(?), ?, ?) ON CONFLICT(source_id) DO UPDATE SET "
                             "length = excluded.length, text_crc = excluded.text_crc, word_index = excluded.word_index",
                             (sid, text, crc, blob))
                source_keys.write(conn, sid, blob)
    except db_errors() as exc:
        if cannot_write_now(exc):
            return 0
        raise
    return len(ids)


def cannot_write_now(exc: BaseException) -> bool:
    """A write refused for now (read-only medium, another writer busy, a full disk): what
    keeping derived data (indexes) leaves for a later open."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    message = str(exc).lower()
    return code.startswith(_CANNOT_WRITE_NOW) or "readonly" in message or "locked" in message or "full" in message


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
            if conn.in_transaction:  # else SQLite rolled the whole transaction back itself
                conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        conn.execute(f"RELEASE SAVEPOINT {name}")
        return
    with _committed(conn):
        yield


@contextlib.contextmanager
def _committed(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE, the body, COMMIT (marked: ``last_saved``); ROLLBACK if it raises."""
    conn.execute("BEGIN IMMEDIATE")
    serial = next(_serials)
    committing = False
    try:
        yield
        committing = True
        conn.execute("COMMIT")
        _saved(serial)
    except BaseException as exc:
        # SQLite may have rolled back already (a full disk, an I/O error): a second
        # ROLLBACK would raise "no transaction is active" and hide the reason
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        elif committing and not isinstance(exc, db_errors()):
            _saved(serial)  # the COMMIT went through; an interrupt (Ctrl-C) came just after it
        raise


_serials = itertools.count(1)
_last_saved = 0


def _saved(serial: int) -> None:
    global _last_saved
    _last_saved = max(_last_saved, serial)  # idempotent: the except path may repeat it


def last_saved() -> int:
    """Which transaction of this process was the last one committed (0: none): compared
    before and after a command, it tells whether an interrupted command had already saved
    a change, whichever moment the interrupt came (``clicmds._errors``)."""
    return _last_saved
