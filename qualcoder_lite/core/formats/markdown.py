"""Markdown transcripts read as Markdown: the text a reader of the rendered page sees.

A CommonMark parser (markdown-it-py, preset ``commonmark``) reads the file; this module
writes its blocks back out as plain text, so offsets, search and quotes never contain
markup:

* escapes are resolved (``\\[laughs\\]`` -> ``[laughs]``, ``a\\*\\*`` -> ``a**``) and entities
  decoded (``&amp;`` -> ``&``);
* emphasis, strong, inline code, links and images lose their markup and keep their text
  (a link its text, an image its alt text); a bold speaker label ``**Ann Smith:** Hello``
  (or ``**Ann Smith**: Hello``) becomes ``Ann Smith: Hello``, the ``Name: text`` form the
  turn detector recognises (``core.units``);
* headings, block quotes and bullet lists lose their markers (``# ``, ``> ``, ``- ``);
  an ordered list item keeps its number as written (``2016. That was the year`` is a
  list item to CommonMark but speech to the transcriber); a thematic break (``---``)
  leaves its line blank; fenced and indented code is kept verbatim;
* **raw HTML is kept as literal text** (the parser runs with ``html`` off): ``<b>`` stays
  the three characters ``<b>``, so nothing the transcriber wrote disappears and no tag is
  ever interpreted;
* no typographic replacement: ``...`` stays ``...``, straight quotes stay straight,
  ``--`` stays ``--``;
* **line structure is kept line for line**: every block starts on the line it starts on
  in the file (blank lines included), a soft line break stays a line break, and a hard
  break made of trailing spaces keeps them (``Anna Smith  `` alone on a line is how an
  Otter transcript without times labels a speaker). Only a line the parser consumes
  whole (a fence, a setext underline, a link reference definition) becomes empty, and a
  line break inside inline code becomes a space (CommonMark's rule).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    # "commonmark": no tables, strikethrough or linkify; html off: raw HTML is text;
    # typographer off: no smart quotes, no "..." -> "…".
    return MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False})


class _Writer:
    """Writes blocks so that each starts on its own line of the file."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.line = 0  # the line of the file the output has reached (0-based)

    def block(self, first: int, last: int, body: str) -> None:
        """``body`` for the block on the file's lines ``first`` .. ``last - 1``."""
        if self.parts:
            gap = max(1, first - self.line)
            self.parts.append("\n" * gap)
            self.line += gap
        elif first > 0:
            self.parts.append("\n" * first)
            self.line = first
        self.parts.append(body)
        self.line += body.count("\n")
        if self.line < last - 1:  # shorter than in the file (inline code across a line): pad
            self.parts.append("\n" * (last - 1 - self.line))
            self.line = last - 1


def markdown_to_text(src: str) -> str:
    """Plain text of the Markdown ``src`` (already normalised: LF line ends, no BOM)."""
    tokens = _parser().parse(src)
    lines = src.split("\n")
    w = _Writer()
    prefix = ""  # an ordered list item's number, written before the item's first block
    prefix_line = 0
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "list_item_open":
            if tok.markup in (".", ")") and tok.map is not None:
                prefix, prefix_line = f"{tok.info}{tok.markup} ", tok.map[0]
            continue
        if kind == "list_item_close":
            if prefix:  # an empty item ("2016." alone on a line): its number is all it has
                w.block(prefix_line, prefix_line + 1, prefix.rstrip())
                prefix = ""
            continue
        if kind not in ("inline", "code_block", "fence", "hr") or tok.map is None:
            continue
        first, last = tok.map
        if kind == "hr":
            continue  # its line stays blank
        if kind == "fence":
            first, last = first + 1, max(first + 1, last - 1)  # the fence lines stay blank
            body = tok.content[:-1] if tok.content.endswith("\n") else tok.content
        elif kind == "code_block":
            body = tok.content[:-1] if tok.content.endswith("\n") else tok.content
        else:
            if i > 0 and tokens[i - 1].type == "heading_open" and tokens[i - 1].markup in ("=", "-"):
                last = first + tok.content.count("\n") + 1  # a setext underline stays blank
            body = _inline(tok, lines, first)
        if prefix:
            body, prefix = prefix + body, ""
        w.block(first, last, body)
    text = "".join(w.parts)
    if src.endswith("\n") and text:
        text += "\n"
    return text


def _inline(tok, lines: list[str], first: int) -> str:
    parts: list[str] = []
    row = first  # the file's line this inline text is on
    line_start = True  # nothing written yet on this line
    label = 0  # 1: in bold at a line start; 2: a bold label ended, its colon may follow
    for child in tok.children or ():
        kind = child.type
        if kind == "strong_open" and line_start:
            label = 1
            continue
        if kind == "strong_close" and label == 1:
            label = 2 if parts and parts[-1].endswith(":") else 3  # 3: maybe "**Name**:"
            continue
        if kind in ("text", "code_inline"):
            content = child.content
            if label in (2, 3) and content:
                content = _space_after_label(content, colon_written=label == 2)
            label = 0 if label != 1 else 1
            parts.append(content)
            line_start = line_start and not content
        elif kind == "softbreak":
            parts.append("\n")
            row += 1
            line_start, label = True, 0
        elif kind == "hardbreak":
            raw = lines[row] if row < len(lines) else ""
            trailing = raw[len(raw.rstrip(" \t")):] if not raw.endswith("\\") else ""
            parts.append(trailing + "\n")
            row += 1
            line_start, label = True, 0
        elif kind == "image":
            parts.append(child.content)  # the alt text
            line_start, label = False, 0
        elif kind in ("html_inline", "html_block"):  # only with html on; kept as written
            parts.append(child.content)
            line_start, label = False, 0
        # em/strong/link open and close: markup only
    return "".join(parts)


def _space_after_label(content: str, colon_written: bool) -> str:
    """The text after a bold label at a line start: ``**Ann:**[21:47] Yes`` reads
    ``Ann: [21:47] Yes`` (the label's colon followed by a space, as the turn detector
    expects of a ``Name: text`` label)."""
    if colon_written:
        return content if content[0] in " \t" else " " + content
    if content[0] == ":" and len(content) > 1 and content[1] not in " \t":
        return ": " + content[1:]
    return content
