"""REFI-QDA on the command line: export-qdpx, import-qdpx, export-qdc, import-qdc."""

from __future__ import annotations

from ._common import add_force, emit_json, open_for, output_for, resolve_project, warn


def cmd_export_qdpx(args) -> int:
    from qualcoder_lite.core.services.refi.interop import export_qdpx

    target = output_for(args, args.out)
    with open_for(args) as project:
        report = export_qdpx(project, target, target=args.for_program)
    warn(report.warnings)
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
    return 0


def cmd_import_qdpx(args) -> int:
    from qualcoder_lite.core.services.refi.interop import import_qdpx

    _check_import_order(args.file, args.project)
    report = import_qdpx(args.file, args.project, coder=args.coder)
    with open_for(args, write=True):
        pass  # its search postings are made once the report is printed (``open_for``)
    warn(report.warnings)
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
        for line in report.details(warnings=False):
            print(f"  {line}")
    return 0


def _check_import_order(src: str, project: str) -> None:
    """``import-qdpx IN.qdpx PROJECT``: a project given first (and an archive second) is
    the arguments swapped; the project is never read as an archive nor written over."""
    from pathlib import Path

    from qualcoder_lite.core.errors import QualCoderError
    from qualcoder_lite.core.outfile import check_input
    from qualcoder_lite.core.store.database import SQLITE_MAGIC
    from qualcoder_lite.core.store import openfiles

    check_input(src, resolve_project(project), "REFI-QDA archive to import")
    first, second = Path(src), Path(project)
    swapped = second.suffix.lower() in (".qdpx", ".qde") and first.suffix.lower() != ".qdpx"
    if not swapped and first.is_file():
        try:
            swapped = openfiles.read_header(first, 16) == SQLITE_MAGIC
        except OSError:
            swapped = False  # unreadable: the import names the problem
    if swapped:
        raise QualCoderError("arguments in the wrong order: import-qdpx IN.qdpx PROJECT")


def cmd_export_qdc(args) -> int:
    from qualcoder_lite.core.services.refi.interop import export_qdc

    target = output_for(args, args.out)
    with open_for(args) as project:
        report = export_qdc(project, target)
    warn(report.warnings)
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
    return 0


def cmd_import_qdc(args) -> int:
    from qualcoder_lite.core.services.refi.interop import import_codebook

    with open_for(args) as project:
        report = import_codebook(project, args.file)
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
        for line in report.conflicts:
            print(f"  conflict: {line}")
    return 0


def _export_qdpx_parser(add) -> None:
    sp = add("export-qdpx", cmd_export_qdpx, "export the project as a REFI-QDA project (.qdpx)")
    sp.add_argument("project")
    sp.add_argument("out", metavar="OUT.qdpx")
    sp.add_argument("--for", dest="for_program", choices=("standard", "nvivo-windows"), default="standard",
                    help="the program that will read it: 'standard' writes offsets in Unicode code points "
                         "(QualCoder, ATLAS.ti, MAXQDA, NVivo for Mac); 'nvivo-windows' in UTF-16 units, "
                         "as NVivo for Windows reads them (an emoji counts two)")
    add_force(sp)
    sp.add_argument("--json", action="store_true", help="print counts as JSON")


def _import_qdpx_parser(add) -> None:
    sp = add("import-qdpx", cmd_import_qdpx,
             "create a new project from a REFI-QDA project (.qdpx or .qde); never overwrites", writes=True)
    sp.add_argument("file", metavar="IN.qdpx")
    sp.add_argument("project", help="the project file to create (.qlite added when no extension)")
    sp.add_argument("--json", action="store_true", help="print the import report as JSON")


def _export_qdc_parser(add) -> None:
    sp = add("export-qdc", cmd_export_qdc, "export the code tree as a REFI-QDA codebook (.qdc)")
    sp.add_argument("project")
    sp.add_argument("out", metavar="OUT.qdc")
    add_force(sp)
    sp.add_argument("--json", action="store_true", help="print counts as JSON")


def _import_qdc_parser(add) -> None:
    sp = add("import-qdc", cmd_import_qdc,
             "merge a codebook (.qdc, .qdpx, CSV or indented text) into the project", writes=True)
    sp.add_argument("file", metavar="IN.qdc")
    sp.add_argument("project")
    sp.add_argument("--json", action="store_true", help="print the merge report as JSON")


PARSERS = {"export-qdpx": _export_qdpx_parser, "import-qdpx": _import_qdpx_parser,
           "export-qdc": _export_qdc_parser, "import-qdc": _import_qdc_parser}
