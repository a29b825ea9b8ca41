"""Codebooks: REFI-QDA .qdc (write and read), and simple CSV / indented-text code lists.

A .qdc is a bare XML file (``urn:QDA-XML:codebook:1.0``, valid against Codebook.xsd): the
code tree with GUIDs, colours and descriptions, and sets of codes. ``read_codebook`` also
takes the codebook out of a REFI-QDA project (.qdpx / .qde), and reads two hand-made forms:

* **CSV**: one code per row; the first column is the code path (levels joined by ``/``,
  a ``/`` inside a name written ``\\/``); optional columns ``description`` and ``color``.
  A header row is recognised when its first cell is ``code``, ``path`` or ``name``; then the
  columns are found by name (``description``/``definition``, ``color``/``colour``).
* **Indented text** (.txt, .md): one code per line, sub-codes indented under their
  parent (spaces or tabs); list bullets (``-``, ``*``, ``+``, ``•``) are dropped; text after
  `` -- `` or `` — `` is the description; blank lines and ``#`` comment lines are skipped.

Vendor quirk: in a .qdc the set members are ``<MemberCode guid=…>`` (not ``targetGUID`` as
in a project); both spellings are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ... import codepath
from ...errors import InputError, UsageError
from . import model as refi
from ...formats.checks import MB, check_file, read_bytes
from ... import outfile
from ...formats.csvread import read_rows
from .qdpx_write import write_codes
from .qdpx_read import MAX_CODE_DEPTH, read_qdpx
from ...formats.safexml import local, parse_xml
from ...formats.textfile import decode_bytes
from ...formats.textnorm import normalise

MAX_CODEBOOK_BYTES = 50 * MB
CODEBOOK_EXTENSIONS = (".qdc", ".qdpx", ".qde", ".csv", ".txt", ".md", ".text")


@dataclass
class Codebook:
    codes: list[refi.Code] = field(default_factory=list)  # GUID "" when the file has none
    sets: list[refi.Set] = field(default_factory=list)
    origin: str = ""
    format: str = "qdc"

    def count(self) -> int:
        return sum(1 for _ in refi.walk_codes(self.codes))


# ----------------------------------------------------------------------------- writing
def render_codebook(book: Codebook, origin: str) -> tuple[str, int]:
    w = refi.XmlWriter()
    w.start("CodeBook", {"xmlns": refi.CODEBOOK_NS, "origin": origin})
    write_codes(w, book.codes, with_notes=False)
    if book.sets:
        w.start("Sets")
        for s in book.sets:
            w.start("Set", {"guid": s.guid, "name": s.name})
            if s.description:
                w.element("Description", s.description)
            for g in s.codes:
                w.empty("MemberCode", {"guid": g})
            w.end("Set")
        w.end("Sets")
    w.end("CodeBook")
    return w.getvalue(), w.replaced


def write_qdc(book: Codebook, path: str | Path | outfile.Output, origin: str) -> int:
    xml, replaced = render_codebook(book, origin)
    outfile.write_bytes(path, xml.encode("utf-8"))
    return replaced


# ----------------------------------------------------------------------------- reading
def read_codebook(path: str | Path) -> Codebook:
    """Read a codebook from .qdc, .qdpx/.qde, .csv or indented .txt/.md."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext in (".qdpx", ".qde"):
        content = read_qdpx(path)
        return Codebook(content.project.codes, [s for s in content.project.sets if s.codes],
                        content.project.origin, "qdpx")
    if ext not in CODEBOOK_EXTENSIONS:
        raise InputError(path, f"unsupported codebook type '{ext or '(no extension)'}' "
                               f"(supported: {', '.join(CODEBOOK_EXTENSIONS)})")
    check_file(path, MAX_CODEBOOK_BYTES, "a codebook")
    data = read_bytes(path, MAX_CODEBOOK_BYTES)
    if ext == ".qdc":
        return _read_qdc(path, data)
    text, _warnings = decode_bytes(path, data)
    text = normalise(text)
    book = read_codebook_csv(path, text) if ext == ".csv" else read_codebook_text(path, text)
    if not book.codes:
        raise InputError(path, "contains no codes")
    return book


def _read_qdc(path: Path, data: bytes) -> Codebook:
    if not data.strip():
        raise InputError(path, "the file is empty")
    root = parse_xml(path, data, path.name)
    ns, name = local(root.tag)
    if name != "CodeBook":
        raise InputError(path, f"not a REFI-QDA codebook (root element <{name}>)")
    book = Codebook(origin=(root.get("origin") or "").strip(), format="qdc")
    for el in root:
        n = local(el.tag)[1] if isinstance(el.tag, str) else ""
        if n == "Codes":
            book.codes = [_code(path, c) for c in el if isinstance(c.tag, str) and local(c.tag)[1] == "Code"]
        elif n == "Sets":
            for s in el:
                if not (isinstance(s.tag, str) and local(s.tag)[1] == "Set"):
                    continue
                members = []
                for m in s:
                    if isinstance(m.tag, str) and local(m.tag)[1] == "MemberCode":
                        g = refi.norm_guid(m.get("guid") or m.get("targetGUID"))
                        if g:
                            members.append(g)
                desc = next((d.text or "" for d in s if isinstance(d.tag, str) and local(d.tag)[1] == "Description"), "")
                book.sets.append(refi.Set(refi.norm_guid(s.get("guid")) or "", (s.get("name") or "").strip(),
                                          desc, members))
    if not book.codes:
        raise InputError(path, "the codebook has no codes")
    return book


def _code(path: Path, el, depth: int = 1) -> refi.Code:
    name = el.get("name")
    if name is None:
        raise InputError(path, f"<Code> {el.get('guid')} has no name (required)")
    if depth > MAX_CODE_DEPTH:
        raise InputError(path, f"codes are nested more than {MAX_CODE_DEPTH} levels deep")
    kids = [c for c in el if isinstance(c.tag, str)]
    desc = next((c.text or "" for c in kids if local(c.tag)[1] == "Description"), "")
    return refi.Code(guid=refi.norm_guid(el.get("guid")) or "", name=name, description=desc,
                     color=refi.norm_color(el.get("color")),
                     codable=(el.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                     children=[_code(path, c, depth + 1) for c in kids if local(c.tag)[1] == "Code"])


class _TreeBuilder:
    """Adds codes by path, reusing existing levels (so a parent may be listed or not)."""

    def __init__(self) -> None:
        self.roots: list[refi.Code] = []

    def add(self, levels: list[str], description: str = "", color: str | None = None) -> None:
        siblings = self.roots
        node = None
        for name in levels:
            node = next((c for c in siblings if c.name == name), None)
            if node is None:
                node = refi.Code("", name)
                siblings.append(node)
            siblings = node.children
        assert node is not None
        if description:
            node.description = description
        if color:
            node.color = color


_HEADER_PATH = {"code", "path", "code path", "code_path", "name", "codes"}
_HEADER_DESC = {"description", "definition", "desc", "memo"}
_HEADER_COLOR = {"color", "colour"}


def read_codebook_csv(path: Path, text: str) -> Codebook:
    rows = [r for r in read_rows(path, text) if any(c.strip() for c in r)]
    col_path = 0
    col_desc: int | None = 1
    col_color: int | None = 2
    start = 0
    if rows and rows[0][0].strip().casefold() in _HEADER_PATH:
        header = [h.strip().casefold() for h in rows[0]]
        col_desc = next((i for i, h in enumerate(header) if h in _HEADER_DESC), None)
        col_color = next((i for i, h in enumerate(header) if h in _HEADER_COLOR), None)
        start = 1
    tree = _TreeBuilder()
    for lineno, row in enumerate(rows[start:], start=start + 1):
        cell = row[col_path].strip() if row else ""
        if not cell:
            raise InputError(path, f"row {lineno}: the code path (first column) is empty")
        try:
            levels = codepath.split(cell)
        except UsageError as exc:
            raise InputError(path, f"row {lineno}: {exc}") from None
        if len(levels) > MAX_CODE_DEPTH:
            raise InputError(path, f"row {lineno}: the code path has more than {MAX_CODE_DEPTH} levels")
        get = lambda i, row=row: row[i].strip() if i is not None and i < len(row) else ""  # noqa: E731
        color = get(col_color)
        if color and refi.norm_color(color) is None:
            raise InputError(path, f"row {lineno}: colour {color!r} is not of the form #RRGGBB")
        tree.add(levels, get(col_desc), refi.norm_color(color))
    return Codebook(tree.roots, format="csv")


_BULLET = re.compile(r"^(?:[-*+•‣◦]|\d+(?:\.\d+)*[.)])\s+")
_DESC_SPLIT = re.compile(r"\s+(?:--|—)\s+")


def read_codebook_text(path: Path, text: str) -> Codebook:
    roots: list[refi.Code] = []
    stack: list[tuple[int, refi.Code]] = []  # (indent, code)
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        body = _BULLET.sub("", expanded.strip())
        parts = _DESC_SPLIT.split(body, maxsplit=1)
        name = parts[0].strip()
        if not name:
            raise InputError(path, f"line {lineno}: no code name")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if len(stack) >= MAX_CODE_DEPTH:
            raise InputError(path, f"line {lineno}: codes are nested more than {MAX_CODE_DEPTH} levels deep")
        siblings = stack[-1][1].children if stack else roots
        node = next((c for c in siblings if c.name == name), None)
        if node is None:
            node = refi.Code("", name)
            siblings.append(node)
        if len(parts) > 1 and parts[1].strip():
            node.description = parts[1].strip()
        stack.append((indent, node))
    return Codebook(roots, format="text")
