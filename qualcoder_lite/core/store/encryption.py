"""Converting a project file to and from an encrypted (SQLCipher 4, AES-256) file.

The conversion writes a new file beside the project with ``sqlcipher_export`` and moves it
into place only when it is complete, so a failure leaves the original untouched. Backups
of the old form are purged: plaintext backups of an encrypted project would defeat the
point. Needs the optional ``encrypt`` extra (``sqlcipher3-binary``).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ProjectError
from . import database


def _cipher():
    cipher = database._sqlcipher()
    if cipher is None:
        raise ProjectError(None, "encryption needs the 'encrypt' extra: pip install 'qualcoder-lite[encrypt]'")
    return cipher


def _convert(path: Path, source_key: str | None, target_key: str) -> None:
    cipher = _cipher()
    tmp = path.with_name(f".{path.name}.converting")
    tmp.unlink(missing_ok=True)
    conn = cipher.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")
    try:
        if source_key:
            conn.execute(f"PRAGMA key = {database._quote(source_key)}")
        conn.execute("PRAGMA temp_store = MEMORY")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except cipher.dbapi2.DatabaseError:
            raise ProjectError(path, "wrong passphrase, or not a QualCoder Lite project") from None
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"ATTACH DATABASE ? AS target KEY {database._quote(target_key) if target_key else chr(39) * 2}",
                     (str(tmp),))
        conn.execute("SELECT sqlcipher_export('target')")
        conn.execute(f"PRAGMA target.user_version = {int(version)}")
        conn.execute(f"PRAGMA target.application_id = {int(app_id)}")
        conn.execute("DETACH DATABASE target")
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(tmp, path)


def encrypt_file(path: str | Path, passphrase: str) -> int:
    """Encrypt a plain project file in place; returns how many old backups were purged."""
    from .backups import purge_backups

    path = Path(path)
    if not passphrase:
        raise ProjectError(path, "the passphrase is empty")
    with open(path, "rb") as fh:
        if fh.read(16) != database.SQLITE_MAGIC:
            raise ProjectError(path, "is already encrypted (or not a project)")
    database.open_database(path).conn.close()  # refuses foreign or newer files, migrates older ones
    _convert(path, None, passphrase)
    return purge_backups(path)


def decrypt_file(path: str | Path, passphrase: str) -> int:
    """Turn an encrypted project file back into a plain one."""
    from .backups import purge_backups

    path = Path(path)
    database.open_database(path, passphrase).conn.close()  # checks the passphrase first
    _convert(path, passphrase, "")
    return purge_backups(path)
