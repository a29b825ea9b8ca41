"""Figure 1 for the paper: ``thematic-map`` writes the thematic map (themes, sub-themes,
overarching themes) as .svg, .png, .pdf or .docx. Only .png, .pdf and .docx need Qt
(rendered offscreen); .svg is written by the core alone."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import QualCoderError, UsageError
from ._common import add_force, open_for, output_for

KINDS = (".svg", ".png", ".pdf", ".docx")


def cmd_thematic_map(args) -> int:
    from ..core.formats import thematic_map as tm
    from ..core.services.sources.study import study_title
    from ..core.services.quotes.thematic_map import SetOverarching, map_svg

    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in KINDS:
        raise UsageError(f"--out {out.name}: the map is written as .svg, .png, .pdf or .docx")
    if args.depth < 1:
        raise UsageError("--depth must be 1 or more")
    target = output_for(args, out)
    with open_for(args, write=args.overarching is not None) as project:
        if args.overarching is not None:  # remembered for the next map (undoable)
            ids = [project.codes.resolve(p).id for p in args.overarching]
            if args.codes:
                for p in args.codes:
                    project.codes.resolve(p)  # an unknown code is a usage error before anything changes
            project.execute(SetOverarching(ids))
        svg, lay, themes, over = map_svg(project, args.codes, args.depth, args.colors)
        title = study_title(project)
    if not themes and not over:
        raise QualCoderError(f"nothing to draw: the project has no codes; {out} was not written")
    if kind == ".svg":
        tm.write_svg(svg, target)  # no Qt needed
    else:
        from ..gui.figure_render import write_figure

        write_figure(svg, lay.width, target, args.caption or "", title if args.title_page else "",
                     args.footnote or "")
    subs = sum(len(t.children) for t in themes)
    print(f"wrote {out}: {len(themes)} themes, {subs} sub-themes" + (f", {len(over)} overarching" if over else ""))
    return 0


def _thematic_map_parser(add) -> None:
    sp = add("thematic-map", cmd_thematic_map,
             "Figure 1, the thematic map (themes, sub-themes, overarching themes): .svg, .png, .pdf or .docx",
             writes=True)
    sp.add_argument("project")
    sp.add_argument("--out", metavar="FILE", required=True, help="FILE.svg, FILE.png, FILE.pdf or FILE.docx")
    add_force(sp)
    sp.add_argument("--codes", nargs="+", metavar="PATH", help="the themes to draw (default: every top-level code)")
    sp.add_argument("--depth", type=int, default=2,
                    help="levels drawn: 1 themes only, 2 (default) themes and sub-themes, 3 one more ...")
    sp.add_argument("--overarching", nargs="*", metavar="PATH",
                    help="the overarching themes, drawn as a band across the others; remembered in the project "
                         "(undoable); give the option alone to clear")
    sp.add_argument("--colors", "--colours", action="store_true", help="draw each box in its code's colour")
    sp.add_argument("--caption", help="with .docx: the caption after 'Figure 1' ")
    sp.add_argument("--footnote", metavar="TEXT", help="with .docx: a line under the figure (abbreviations)")
    sp.add_argument("--title-page", action="store_true", help="with .docx: the study's title above the figure")


PARSERS = {"thematic-map": _thematic_map_parser}
