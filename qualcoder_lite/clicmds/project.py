"""The project file itself: ``new``, ``info``, ``open`` (in the desktop app), ``project``
(the study's title and authors) and ``demo`` (write the demo project where the user says)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import QualCoderError
from ._common import add_force, emit_json, new_passphrase, open_for, output_for, resolve_project


def cmd_new(args) -> int:
    from ..core.project import new_project, project_path
    from ..core.services.team.coders import RegisterCoder

    passphrase = new_passphrase(project_path(args.project)) if args.encrypt else None
    with new_project(args.project, coder=args.coder, passphrase=passphrase) as project:
        project.execute(RegisterCoder())
    print(f"created {project_path(args.project)}" + (" (encrypted)" if passphrase else ""))
    return 0


def cmd_info(args) -> int:
    from ..core.services.sources.info import info

    with open_for(args) as project:
        data = info(project)
    if args.json:
        emit_json(data)
    else:
        for k, v in data.items():
            print(f"{k}: {v:,}")
    return 0


def cmd_open(args) -> int:
    from ..gui.launch import launch

    return launch(project=resolve_project(args.file), coder=getattr(args, "coder", None))


def cmd_project(args) -> int:
    from ..core.services.sources.study import SetStudy, study

    change = args.title is not None or args.authors is not None
    with open_for(args, write=change) as project:
        if change:
            project.execute(SetStudy(args.title, args.authors))
        s = study(project)
        name = project.name
    if args.json:
        emit_json({"title": s.title or None, "authors": s.authors or None, "name": name})
    else:
        print(f"title: {s.title or '(not set: documents use ' + repr(name) + ')'}")
        print(f"authors: {s.authors or '(not set)'}")
    return 0


def cmd_demo(args) -> int:
    from ..core import outfile
    from ..core.services.sources.demo import build_demo

    out = Path(args.out)
    if not out.suffix:
        out = out.with_suffix(".qlite")
    target = output_for(args, out)
    if out.exists():  # a project is never replaced, not even with --force
        raise QualCoderError(f"{out} already exists; choose another name (a project is never replaced)")

    def build(tmp):
        tmp.unlink()  # the guard's empty temporary file: the project is created in its place
        build_demo(tmp).close()  # closing checkpoints the WAL into the one file

    outfile.write_file(target, build)
    print(f"created {out} (the demo project: fictional interviews, see its journal)")
    return 0


def _new_parser(add) -> None:
    sp = add("new", cmd_new, "create a new, empty project file (.qlite added when no extension)", writes=True)
    sp.add_argument("project", help="path of the new project")
    sp.add_argument("--encrypt", action="store_true",
                    help="encrypt the file (passphrase from a prompt or $QUALCODER_LITE_PASSPHRASE)")


def _info_parser(add) -> None:
    sp = add("info", cmd_info, "counts of sources, cases, codes, codings and words")
    sp.add_argument("project")
    sp.add_argument("--json", action="store_true")


def _open_parser(add) -> None:
    sp = add("open", cmd_open, "open a project in the desktop application")
    sp.add_argument("file", metavar="FILE")
    # the top-level options also work after FILE (qualcoder-lite FILE --view matrix ...)
    sp.add_argument("--screenshot", metavar="OUT.png", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sp.add_argument("--view", choices=("coding", "matrix", "codebook"), default=argparse.SUPPRESS,
                    help=argparse.SUPPRESS)
    sp.add_argument("--coder", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _project_parser(add) -> None:
    sp = add("project", cmd_project, "show or set the study's title and authors (printed on every title page)")
    sp.add_argument("project")
    sp.add_argument("--title", help="the study's title ('' clears it: documents then use the file name)")
    sp.add_argument("--authors", help="the authors, as they should be printed")
    sp.add_argument("--json", action="store_true")


def _demo_parser(add) -> None:
    sp = add("demo", cmd_demo, "write the demo project (fictional interviews, coded) to a new file")
    sp.add_argument("out", metavar="OUT.qlite")
    add_force(sp)  # accepted for symmetry; a project is never replaced


PARSERS = {"new": _new_parser, "info": _info_parser, "open": _open_parser, "project": _project_parser,
           "demo": _demo_parser}
