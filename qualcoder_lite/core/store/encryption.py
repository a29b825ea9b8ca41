"""Copying a project file into another form: plain to encrypted (SQLCipher 4, AES-256),
encrypted to plain, or encrypted under a key to the same key (verification).

``export_copy`` writes the whole database into an already created (owner-only, locked)
temporary file with ``sqlcipher_export``; the file service (``services.projectfile``)
decides when that copy replaces the project. Needs the optional ``encrypt`` extra
(``sqlcipher3-binary``).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ProjectError
from . import database


def require_cipher() -> None:
    """Raise a clear ProjectError when the optional ``encrypt`` extra is missing."""
    if database._sqlcipher() is None:
        raise ProjectError(None, "encryption needs the 'encrypt' extra: pip install 'qualcoder-lite[encrypt]'")


def export_copy(source: str | Path, source_key: str | None, target: str | Path, target_key: str | None) -> None:
    """Write every page of ``source`` (plain when ``source_key`` is None) into ``target``
    (an empty file; plain when ``target_key`` is empty), keeping the schema version and
    application id. First checkpoints the source's write-ahead log completely (``TRUNCATE``)
    and refuses when another program is reading it, so that nothing is left in a
    ``-wal`` file once the copy replaces the source."""
    source = Path(source)
    errors = database.db_errors()
    conn = database.connect_cipher(source, source_key)
    try:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except errors as exc:
            if source_key and database.error_kind(exc) != "io":
                raise ProjectError(source, "wrong passphrase, or not a QualCoder Lite project") from None
            raise database.project_error(source, exc, "read") from None
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() == "wal":
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy is None or busy[0] != 0:
                    raise ProjectError(source, "is being read by another program or window; close it and try "
                                               "again (nothing was changed)")
            key = database._quote(target_key) if target_key else "''"
            conn.execute(f"ATTACH DATABASE ? AS target KEY {key}", (str(target),))
            conn.execute("SELECT sqlcipher_export('target')")
            conn.execute(f"PRAGMA target.user_version = {int(version)}")
            conn.execute(f"PRAGMA target.application_id = {int(app_id)}")
            conn.execute("DETACH DATABASE target")
        except errors as exc:
            raise database.project_error(target, exc, "written") from None
    finally:
        conn.close()


def verify(path: str | Path, key: str | None) -> None:
    """Open ``path`` (with ``key``) and check it page by page (``PRAGMA quick_check``);
    raises ProjectError (damage, wrong key or I/O error) without changing the file."""
    path = Path(path)
    errors = database.db_errors()
    conn = database.connect_cipher(path, key) if key else database._connect(str(path))
    try:
        try:
            problems = conn.execute("PRAGMA quick_check").fetchall()
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except errors as exc:
            if key and database.error_kind(exc) == "damage":
                raise ProjectError(path, "wrong passphrase, or not an encrypted QualCoder Lite project") from None
            raise database.project_error(path, exc, "read") from None
    finally:
        conn.close()
    if problems and problems[0][0] != "ok":
        from ..errors import DamagedProjectError

        raise DamagedProjectError(path, f"is damaged ({problems[0][0]})")
    if app_id != database.APPLICATION_ID and not {"sources", "codes", "codings"} <= tables:
        raise ProjectError(path, "is not a QualCoder Lite project")
