"""Figure 1, the thematic map: themes, their sub-themes and the overarching themes drawn
as boxes joined by connectors, written as SVG (every name a ``<text>`` element, never a
path) and, with a picture the GUI side rendered, as a Word figure with a caption.

The layout is plain arithmetic on a fixed per-character width table (the same advance
widths as the Word table layout, a little generous), so it is the same on every machine
and no name is ever clipped: a name wraps over lines at spaces, and a word wider than its
box is broken inside. Themes stand in a grid (up to four in a row), each theme's
sub-themes stacked under it and indented one step per level, joined to it by a trunk line;
the overarching themes are a band across the foot of the map.

No Qt here: PNG and PDF are rendered from this SVG by ``gui/figure_render.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from .docx_common import _char_units

FONT = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
THEME_SIZE = 13.0  # px, bold
SUB_SIZE = 11.5  # px
LINE = 1.3  # line height, in font sizes
PAD_X, PAD_Y = 8.0, 6.0  # inside a box
COLUMN = 190.0  # a theme's column width
GAP_X, GAP_Y = 28.0, 12.0  # between columns; between stacked boxes
ROW_GAP = 36.0  # between rows of themes
INDENT = 18.0  # a sub-theme's indent under its parent (the connector runs in it)
MARGIN = 16.0
PER_ROW = 4
NEUTRAL_STROKE, NEUTRAL_FILL = "#404040", "#ffffff"
THEME_FILL = "#f2f2f2"


@dataclass
class MapNode:
    name: str
    path: str = ""  # the escaped code path (a data attribute, for tools and tests)
    color: str = ""
    children: list["MapNode"] = field(default_factory=list)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    size: float
    bold: bool
    kind: str  # theme, sub, overarching
    name: str
    path: str
    color: str
    level: int

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box]
    lines: list[tuple[float, float, float, float]]  # connectors (x1, y1, x2, y2)
    band: tuple[float, float, float, float] | None = None  # x, y, w, h
    band_label: tuple[float, float] | None = None


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line in px at ``size`` px: a fixed table, generous for wider faces."""
    units: float = sum(_char_units(ch) for ch in text)
    if bold:
        units *= 1.07
    return units * size / 1000 * 1.15


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` over lines no wider than ``width``: breaks at spaces; a word wider than a
    whole line is broken inside (never clipped)."""
    lines: list[str] = []
    current = ""
    for word in " ".join(text.split()).split(" "):
        while text_width(word, size, bold) > width:  # a word longer than the box
            if current:
                lines.append(current)
                current = ""
            cut = 1
            while cut < len(word) and text_width(word[:cut + 1], size, bold) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        trial = f"{current} {word}" if current else word
        if text_width(trial, size, bold) <= width:
            current = trial
        else:
            if current:
                lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return lines


def _box(x: float, y: float, w: float, node: MapNode, kind: str, level: int) -> Box:
    size, bold = (THEME_SIZE, True) if kind == "theme" else (SUB_SIZE, kind == "overarching")
    lines = wrap(node.name, w - 2 * PAD_X, size, bold)
    h = len(lines) * size * LINE + 2 * PAD_Y
    return Box(x, y, w, h, tuple(lines), size, bold, kind, node.name, node.path, node.color, level)


def layout(themes: list[MapNode], overarching: Sequence[MapNode] = (), depth: int = 2,
           per_row: int = PER_ROW) -> Layout:
    """Place every box; ``depth`` 1 is themes only, 2 adds their sub-themes, and so on."""
    boxes: list[Box] = []
    lines: list[tuple[float, float, float, float]] = []
    n = len(themes) or len(overarching) or 1
    rows = -(-n // per_row)
    cols = max(1, min(per_row, -(-n // rows)))  # balanced rows: 5 themes as 3 + 2, not 4 + 1
    width = 2 * MARGIN + cols * COLUMN + (cols - 1) * GAP_X
    y_row = MARGIN
    for start in range(0, len(themes), cols):
        bottom = y_row
        for i, theme in enumerate(themes[start:start + cols]):
            x = MARGIN + i * (COLUMN + GAP_X)
            top = _box(x, y_row, COLUMN, theme, "theme", 1)
            boxes.append(top)
            y = top.bottom + GAP_Y

            def place(node: MapNode, parent: Box, level: int) -> None:
                nonlocal y
                if level > depth:
                    return
                for child in node.children:
                    cx = parent.x + INDENT
                    b = _box(cx, y, parent.right - cx, child, "sub", level)
                    boxes.append(b)
                    trunk = parent.x + INDENT / 2
                    mid = b.y + min(b.h / 2, PAD_Y + b.size * LINE / 2)
                    lines.append((trunk, parent.bottom, trunk, mid))
                    lines.append((trunk, mid, b.x, mid))
                    y = b.bottom + GAP_Y
                    place(child, b, level + 1)

            place(theme, top, 2)
            bottom = max(bottom, y - GAP_Y)
        y_row = bottom + ROW_GAP
    band = band_label = None
    if overarching:
        band, band_label = _band(overarching, depth, cols, width, y_row if themes else MARGIN, boxes)
        # each theme column reaches down into the band: the overarching themes run across them
        height = band[1] + band[3] + MARGIN
    else:
        height = (y_row - ROW_GAP if themes else MARGIN) + MARGIN
    return Layout(width, height, boxes, lines, band, band_label)


def _band(overarching: Sequence[MapNode], depth: int, cols: int, width: float, by: float, boxes: list[Box]):
    """The band of overarching themes from ``by`` down, its boxes added to ``boxes``:
    returns (band rectangle, label position)."""
    label_h = THEME_SIZE * LINE
    inner_top = by + PAD_Y + label_h + 4
    ocols = max(1, min(len(overarching), cols))
    ow = (width - 2 * MARGIN - 2 * PAD_X - (ocols - 1) * GAP_X / 2) / ocols
    yy = inner_top
    for start in range(0, len(overarching), ocols):
        row_bottom = yy
        for i, node in enumerate(overarching[start:start + ocols]):
            ox = MARGIN + PAD_X + i * (ow + GAP_X / 2)
            b = _box(ox, yy, ow, node, "overarching", 1)
            if depth >= 2 and node.children:  # its sub-themes as a line of text under its name
                extra = wrap("; ".join(c.name for c in node.children), ow - 2 * PAD_X, SUB_SIZE)
                b = Box(b.x, b.y, b.w, b.h + len(extra) * SUB_SIZE * LINE, b.lines + tuple(extra),
                        b.size, b.bold, b.kind, b.name, b.path, b.color, b.level)
            boxes.append(b)
            row_bottom = max(row_bottom, b.bottom)
        yy = row_bottom + GAP_Y / 2
    band = (MARGIN, by, width - 2 * MARGIN, yy - by + PAD_Y / 2)
    return band, (MARGIN + PAD_X, by + PAD_Y + THEME_SIZE)


def _tint(color: str, amount: float = 0.82) -> str:
    c = color.lstrip("#")
    if len(c) != 6:
        return NEUTRAL_FILL
    try:
        rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
    except ValueError:
        return NEUTRAL_FILL
    return "#" + "".join(f"{round(v + (255 - v) * amount):02x}" for v in rgb)


def _stroke(color: str) -> str:
    c = color.lstrip("#")
    ok = len(c) == 6 and all(ch in "0123456789abcdefABCDEF" for ch in c)
    return f"#{c}" if ok else NEUTRAL_STROKE


def to_svg(lay: Layout, colors: bool = False, title: str = "") -> str:
    """The map as a standalone SVG document (names as ``<text>``, XML-escaped)."""
    w, h = round(lay.width), round(lay.height)
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           f'font-family={quoteattr(FONT)}>']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    out.append(f'<rect class="background" x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>')
    if lay.band:
        x, y, bw, bh = lay.band
        out.append(f'<rect class="band" x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" rx="10" '
                   f'fill="#e8e8e8" stroke="{NEUTRAL_STROKE}" stroke-width="1.2" stroke-dasharray="6 3"/>')
        assert lay.band_label is not None  # set with the band
        lx, ly = lay.band_label
        out.append(f'<text class="band-label" x="{lx:.1f}" y="{ly:.1f}" font-size="{THEME_SIZE}" '
                   f'font-weight="bold" fill="#000000">Overarching themes</text>')
    for x1, y1, x2, y2 in lay.lines:
        out.append(f'<line class="connector" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="{NEUTRAL_STROKE}" stroke-width="1.2"/>')
    for b in lay.boxes:
        if colors and b.color:
            stroke, fill = _stroke(b.color), _tint(b.color)
        else:
            stroke, fill = NEUTRAL_STROKE, THEME_FILL if b.kind == "theme" else NEUTRAL_FILL
        out.append(f'<g class="node {b.kind}" data-code={quoteattr(b.path)} data-level="{b.level}">')
        out.append(f'<rect class="box {b.kind}" x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
                   f'rx="{6 if b.kind != "sub" else 3}" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="{1.6 if b.kind == "theme" else 1.0}"/>')
        # one <text> per line at an absolute position (renderers differ on <tspan dy>):
        # the box's name is its lines joined by spaces
        names = _name_lines(b)
        for i, line in enumerate(b.lines):
            # lines after an overarching theme's name list its sub-themes, in roman
            bold = b.bold and i < names
            weight = ' font-weight="bold"' if bold else ""
            role = "name" if i < names else "detail"
            y = b.y + PAD_Y + b.size * 0.95 + i * b.size * LINE
            out.append(f'<text class="{role}" x="{b.x + PAD_X:.1f}" y="{y:.1f}" font-size="{b.size}"{weight} '
                       f'fill="#000000">{escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>\n")
    return "\n".join(out)


def _name_lines(b: Box) -> int:
    return len(wrap(b.name, b.w - 2 * PAD_X, b.size, b.bold))


def write_svg(svg: str, target) -> None:
    from .. import outfile

    outfile.write_text(target, svg)


def write_docx(target, png: bytes, width_px: int, caption: str, title: str = "", note: str = "",
               height_px: int | None = None) -> None:
    """A Word document with the map as a picture (full text width at most) under a real
    caption "Figure 1 …" (a SEQ field), and an optional note (abbreviations); a map wider
    than it is tall goes on a landscape page."""
    import io

    from docx.shared import Emu, Twips

    from . import docx_common as dc

    doc = dc.new_document("Calibri", 11)
    landscape = height_px is not None and width_px > height_px * 1.2
    dc.setup_section(doc.sections[0], "A4", landscape)
    if title:
        doc.add_paragraph(dc.clean_text(title), style="Title")
    dc.append_xml(doc, dc.caption_xml("Figure ", 1, caption, seq="Figure"))
    text_w = Twips(dc.text_width("A4", landscape))
    # 96 px per inch as drawn; never wider than the text
    want = Emu(int(width_px / 96 * 914400))
    doc.add_picture(io.BytesIO(png), width=min(want, text_w))
    if note:
        dc.append_xml(doc, dc.note_xml(note))
    dc.save(doc, target)
