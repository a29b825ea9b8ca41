"""Annotations and see-also links on the command line: ``annotate``, ``annotations``, ``link``
and ``links`` (offsets are code points into the stored text, as ``segments --json`` gives)."""

from __future__ import annotations

from ..core.errors import UsageError


def cmd_annotate(args) -> int:
    from ._common import open_for
    from ..core.services.anchors.annotations import AddAnnotation
    from ..core.services.anchors.spans import source_id_by_name

    with open_for(args) as project:
        sid = source_id_by_name(project, args.source)
        project.execute(AddAnnotation(sid, args.start, args.end, args.text))
    print(f"annotated {args.source} {args.start}–{args.end}")
    return 0


def cmd_annotations(args) -> int:
    from ._common import emit_json, open_for
    from ..core.services.anchors.annotations import annotations
    from ..core.services.anchors.spans import excerpt, source_id_by_name

    with open_for(args) as project:
        sid = source_id_by_name(project, args.source) if args.source else None
        found = annotations(project, sid)
    if args.json:
        emit_json([a.as_dict() for a in found])
        return 0
    for a in found:
        print(f"{a.source} {a.start}–{a.end} ({a.author or 'unknown'}, {a.created[:10]}): {excerpt(a.text, 200)}")
    if not found:
        print("no annotations")
    return 0


def cmd_link(args) -> int:
    from ._common import open_for
    from ..core.services.anchors.links import AddLink
    from ..core.services.anchors.spans import source_id_by_name

    if (args.to_start is None) != (args.to_end is None):
        raise UsageError("give both --to-start and --to-end, or neither (a link to the whole source)")
    with open_for(args) as project:
        sid = source_id_by_name(project, args.source)
        target = source_id_by_name(project, args.to_source)
        project.execute(AddLink(sid, args.start, args.end, target, args.to_start, args.to_end))
    where = args.to_source + (f" {args.to_start}–{args.to_end}" if args.to_start is not None else "")
    print(f"linked {args.source} {args.start}–{args.end} to {where}")
    return 0


def cmd_links(args) -> int:
    from ._common import emit_json, open_for
    from ..core.services.anchors.links import links
    from ..core.services.anchors.spans import source_id_by_name

    with open_for(args) as project:
        sid = source_id_by_name(project, args.source) if args.source else None
        found = links(project, sid)
    if args.json:
        emit_json([ln.as_dict() for ln in found])
        return 0
    for ln in found:
        to = ln.target_source + ("" if ln.to_whole_source else f" {ln.target_start}–{ln.target_end}")
        print(f"{ln.source} {ln.start}–{ln.end} → {to}")
    if not found:
        print("no links")
    return 0


def _annotate_parser(add) -> None:
    sp = add("annotate", cmd_annotate, "anchor a note (an annotation) to a passage of a source", writes=True)
    sp.add_argument("project")
    sp.add_argument("--source", required=True, help="the source's name")
    sp.add_argument("--start", type=int, required=True, help="first character (code points from 0)")
    sp.add_argument("--end", type=int, required=True, help="character after the last (exclusive)")
    sp.add_argument("--text", required=True, help="the note")


def _annotations_parser(add) -> None:
    sp = add("annotations", cmd_annotations, "list annotations (sorted by source, start, end)")
    sp.add_argument("project")
    sp.add_argument("--source", help="only this source's")
    sp.add_argument("--json", action="store_true",
                    help='print [{"source","start","end","text","author","created"}] and nothing else')


def _link_parser(add) -> None:
    sp = add("link", cmd_link, "add a see-also link from a passage to another passage or a whole source",
             writes=True)
    sp.add_argument("project")
    sp.add_argument("--source", required=True)
    sp.add_argument("--start", type=int, required=True)
    sp.add_argument("--end", type=int, required=True)
    sp.add_argument("--to-source", required=True, help="the source linked to")
    sp.add_argument("--to-start", type=int, help="the linked passage (leave out for the whole source)")
    sp.add_argument("--to-end", type=int)


def _links_parser(add) -> None:
    sp = add("links", cmd_links, "list see-also links (from and to --source, or all)")
    sp.add_argument("project")
    sp.add_argument("--source", help="only links from or to this source")
    sp.add_argument("--json", action="store_true",
                    help='print [{"source","start","end","to_source","to_start","to_end","author","created"}]')


PARSERS = {"annotate": _annotate_parser, "annotations": _annotations_parser, "link": _link_parser, "links": _links_parser}
