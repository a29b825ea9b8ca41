"""Keeping the project safe: ``encrypt``, ``decrypt`` and ``restore`` (from an automatic backup)."""

from __future__ import annotations

import sys

from ..core.errors import QualCoderError
from ._common import emit_json, new_passphrase, passphrase_for, resolve_project


def cmd_encrypt(args) -> int:
    from ..core.services.privacy.projectfile import encrypt_project

    args.project = resolve_project(args.project)
    if passphrase_for(args.project) is not None:
        raise QualCoderError(f"{args.project}: is already encrypted")
    open_project_quietly(args.project)  # a clear message for foreign files before asking for a passphrase
    report = encrypt_project(args.project, new_passphrase(args.project))
    print("; ".join(report.lines()))
    return 0


def cmd_decrypt(args) -> int:
    from ..core.services.privacy.projectfile import decrypt_project

    args.project = resolve_project(args.project)
    passphrase = passphrase_for(args.project)
    if passphrase is None:
        open_project_quietly(args.project)
        raise QualCoderError(f"{args.project}: is not encrypted")
    report = decrypt_project(args.project, passphrase)
    for line in report.lines():
        print(line)
    return 0


def open_project_quietly(path) -> None:
    """Open and close ``path`` read-only: raises the one-line error for a file that is
    missing, foreign, newer or damaged."""
    from ..core.project import open_project

    open_project(path, read_only=True).close()


def cmd_restore(args) -> int:
    from ..core.services.privacy.projectfile import backups_of, choose_backup, restore_project

    args.project = resolve_project(args.project)
    if args.list:
        found = backups_of(args.project)
        if args.json:
            emit_json([{"number": i, "file": str(b.path), "taken": b.taken.isoformat(timespec="seconds"),
                        "size": b.size} for i, b in enumerate(found, 1)])
        else:
            for i, b in enumerate(found, 1):
                print(f"{i}. {b.label}  {b.path}")
            if not found:
                sys.stderr.write(f"{args.project}: no backups yet (the app takes one each time it opens the project)\n")
        return 0
    backup = choose_backup(args.project, args.backup)
    report = restore_project(args.project, backup, passphrase=passphrase_for(backup.path))
    if args.json:
        emit_json({"project": str(report.path), "backup": str(backup.path),
                   "taken": backup.taken.isoformat(timespec="seconds"),
                   "kept_as": None if report.kept_as is None else str(report.kept_as)})
    else:
        for line in report.lines():
            print(line)
    return 0


def _encrypt_parser(add) -> None:
    sp = add("encrypt", cmd_encrypt, "encrypt an existing project file in place (AES-256, SQLCipher)")
    sp.add_argument("project")


def _decrypt_parser(add) -> None:
    sp = add("decrypt", cmd_decrypt, "turn an encrypted project back into a plain file (its backups too)")
    sp.add_argument("project")


def _restore_parser(add) -> None:
    sp = add("restore", cmd_restore, "replace a project by one of its automatic backups (the current file is kept "
                                     "as NAME.before-restore.qlite)")
    sp.add_argument("project")
    sp.add_argument("--list", action="store_true", help="list the backups, numbered, newest first")
    sp.add_argument("--backup", type=int, metavar="N", help="restore backup N of --list (default: the newest)")
    sp.add_argument("--json", action="store_true")


PARSERS = {"encrypt": _encrypt_parser, "decrypt": _decrypt_parser, "restore": _restore_parser}
