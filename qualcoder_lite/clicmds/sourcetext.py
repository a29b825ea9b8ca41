"""Correcting a coded transcript on the command line.

    qualcoder-lite update-source PROJECT SOURCE NEWFILE [--encoding E] [--drop-deleted] [--json]

NEWFILE is read like an import (.txt .md .docx .odt .rtf .pdf .srt .vtt); every coding
and other anchored passage moves to follow the text, and the speaker turns become those an
import of NEWFILE finds (a renamed label renames the speaker; an interviewer mark follows a
consistent rename). Codings whose text changed are printed; when the new text deletes all of
a coding's text the command refuses (naming it) unless ``--drop-deleted`` removes those codings with the edit.
"""

from __future__ import annotations


def cmd_update_source(args) -> int:
    from ._common import emit_json, open_for, resolve_project
    from ..core.outfile import check_input
    from ..core.services.sources.edit_text import update_source

    check_input(args.newfile, resolve_project(args.project), "corrected transcript")
    with open_for(args, write=True) as project:
        report = update_source(project, args.source, args.newfile, encoding=args.encoding,
                               drop_deleted=args.drop_deleted)
    if args.json:
        emit_json(report.as_dict())
        return 0
    print(report.summary())
    for change in report.changes:
        print(f"  {change.line()}")
    return 0


def register(add) -> None:
    sp = add("update-source", cmd_update_source,
             "replace a source's text by a corrected version; codings follow the text, speaker turns are found anew",
             writes=True)
    sp.add_argument("project")
    sp.add_argument("source", help="the source's name")
    sp.add_argument("newfile", metavar="NEWFILE", help="the corrected transcript (any importable format)")
    sp.add_argument("--encoding", help="read a text file in this encoding instead of detecting it")
    sp.add_argument("--drop-deleted", action="store_true",
                    help="remove codings whose text the new version deletes entirely (default: refuse)")
    sp.add_argument("--json", action="store_true", help="print the result as JSON")


# the command registry on main (clicmds PARSERS: command name -> parser(add))
PARSERS = {"update-source": register}
