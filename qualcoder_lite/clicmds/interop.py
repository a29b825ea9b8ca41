"""REFI-QDA on the command line: export-qdpx, import-qdpx, export-qdc, import-qdc."""

from __future__ import annotations


from qualcoder_lite.cli import emit_json, open_for, warn


def cmd_export_qdpx(args) -> int:
    from qualcoder_lite.core.services.interop import export_qdpx

    with open_for(args) as project:
        report = export_qdpx(project, args.out)
    warn(report.warnings)
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
    return 0


def cmd_import_qdpx(args) -> int:
    from qualcoder_lite.core.services.interop import import_qdpx

    report = import_qdpx(args.file, args.project, coder=args.coder)
    warn(report.warnings)
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
        for line in report.details(warnings=False):
            print(f"  {line}")
    return 0


def cmd_export_qdc(args) -> int:
    from qualcoder_lite.core.services.interop import export_qdc

    with open_for(args) as project:
        report = export_qdc(project, args.out)
    warn(report.warnings)
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
    return 0


def cmd_import_qdc(args) -> int:
    from qualcoder_lite.core.services.interop import import_codebook

    with open_for(args) as project:
        report = import_codebook(project, args.file)
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
        for line in report.conflicts:
            print(f"  conflict: {line}")
    return 0


def register(add) -> None:
    sp = add("export-qdpx", cmd_export_qdpx, "export the project as a REFI-QDA project (.qdpx)")
    sp.add_argument("project")
    sp.add_argument("out", metavar="OUT.qdpx")
    sp.add_argument("--json", action="store_true", help="print counts as JSON")

    sp = add("import-qdpx", cmd_import_qdpx,
             "create a new project from a REFI-QDA project (.qdpx or .qde); never overwrites", writes=True)
    sp.add_argument("file", metavar="IN.qdpx")
    sp.add_argument("project", help="the project file to create (.qlite added when no extension)")
    sp.add_argument("--json", action="store_true", help="print the import report as JSON")

    sp = add("export-qdc", cmd_export_qdc, "export the code tree as a REFI-QDA codebook (.qdc)")
    sp.add_argument("project")
    sp.add_argument("out", metavar="OUT.qdc")
    sp.add_argument("--json", action="store_true", help="print counts as JSON")

    sp = add("import-qdc", cmd_import_qdc,
             "merge a codebook (.qdc, .qdpx, CSV or indented text) into the project", writes=True)
    sp.add_argument("file", metavar="IN.qdc")
    sp.add_argument("project")
    sp.add_argument("--json", action="store_true", help="print the merge report as JSON")
