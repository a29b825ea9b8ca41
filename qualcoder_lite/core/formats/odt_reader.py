"""OpenDocument .odt sources: paragraphs, headings, lists and tables in order.

``content.xml`` is parsed with defusedxml. Blocks are separated by a blank line; table
rows follow ``tables.row_text``. The ``text:tracked-changes`` region (which holds
deleted text) is dropped, so the text reads as if every change were accepted.
White space in character data is collapsed as ODF requires; ``text:s``, ``text:tab``
and ``text:line-break`` give literal spaces, tabs and newlines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.checks import MAX_DOCUMENT_BYTES, check_file, require_text
from qualcoder_lite.core.formats.result import ReadResult
from qualcoder_lite.core.formats.safexml import local, parse_xml
from qualcoder_lite.core.formats.safezip import MAX_TOTAL_UNCOMPRESSED, SafeZip
from qualcoder_lite.core.formats.tables import row_text
from qualcoder_lite.core.formats.textnorm import normalise

KIND = "an OpenDocument text"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_CONTENT = "content.xml"
_MAX_SPACES = 1000  # text:s c="..." is attacker-controlled
_WS = re.compile(r"[ \t\r\n]+")

# (namespace, name) of elements whose content is not document text.
_SKIP = frozenset(
    {
        (TEXT_NS, "tracked-changes"),
        (TEXT_NS, "note"),  # footnote/endnote citation and body
        (TEXT_NS, "sequence-decls"),
        (OFFICE_NS, "annotation"),  # comments
        (OFFICE_NS, "forms"),
        (TABLE_NS, "covered-table-cell"),  # the hidden part of a merged cell
        (TABLE_NS, "table-columns"),
        (TABLE_NS, "table-column"),
        (TABLE_NS, "table-header-columns"),
    }
)


def read_odt(path: str | Path) -> ReadResult:
    """Read the text of an .odt file; raise ``InputError`` for anything unreadable."""
    check_file(path, MAX_DOCUMENT_BYTES, "an OpenDocument text")
    with SafeZip(path, KIND) as archive:
        info = archive.find(_CONTENT)
        if info is None:
            raise InputError(path, f"not {KIND} (no {_CONTENT} in the archive)")
        root = parse_xml(path, archive.read(info, MAX_TOTAL_UNCOMPRESSED), info.filename)
    body = _find(root, OFFICE_NS, "body")
    office_text = None if body is None else _find(body, OFFICE_NS, "text")
    if office_text is None:
        raise InputError(path, f"not {KIND} ({info.filename} has no office:text body)")
    try:
        text = "\n\n".join(_blocks(office_text))
    except RecursionError:
        raise InputError(path, f"{info.filename} is nested too deeply") from None
    return ReadResult(text=require_text(path, normalise(text)), format="odt")


def _find(el: Element, ns: str, name: str) -> Element | None:
    return next((c for c in el if local(c.tag) == (ns, name)), None)


def _blocks(container: Element) -> Iterator[str]:
    """Non-empty blocks (paragraphs, headings, table rows) below ``container``, in order."""
    for el in container:
        key = local(el.tag)
        if key in _SKIP:
            continue
        if key in ((TEXT_NS, "p"), (TEXT_NS, "h")):
            extra: list[str] = []
            text = "".join(_inline(el, extra))
            if text.strip():
                yield text
            yield from extra
        elif key == (TABLE_NS, "table"):
            yield from _table_rows(el)
        else:  # text:list, text:list-item, text:section, table:table-rows, ...
            yield from _blocks(el)


def _table_rows(table: Element) -> Iterator[str]:
    for row in _descendants(table, (TABLE_NS, "table-row")):
        cells = ["\n".join(_blocks(cell)) for cell in _descendants(row, (TABLE_NS, "table-cell"))]
        text = row_text(cells)
        if text:
            yield text


def _descendants(el: Element, key: tuple[str, str]) -> Iterator[Element]:
    """Elements ``key`` below ``el`` through row groups, not inside nested tables."""
    for child in el:
        child_key = local(child.tag)
        if child_key == key:
            yield child
        elif child_key != (TABLE_NS, "table") and child_key not in _SKIP:
            yield from _descendants(child, key)


def _inline(el: Element, extra: list[str]) -> Iterator[str]:
    """Text pieces of a paragraph in order; text-box blocks go to ``extra``."""
    if el.text:
        yield _WS.sub(" ", el.text)
    for child in el:
        key = local(child.tag)
        if key in _SKIP:
            pass
        elif key == (TEXT_NS, "s"):
            yield " " * _space_count(child)
        elif key == (TEXT_NS, "tab"):
            yield "\t"
        elif key == (TEXT_NS, "line-break"):
            yield "\n"
        elif key == (DRAW_NS, "text-box"):
            extra.extend(_blocks(child))
        else:  # text:span, text:a, text:meta, draw:frame, text:change-start ...
            yield from _inline(child, extra)
        if child.tail:  # the tail belongs to this paragraph, even after a skipped note
            yield _WS.sub(" ", child.tail)


def _space_count(el: Element) -> int:
    value = el.get(f"{{{TEXT_NS}}}c", "1")
    return min(int(value), _MAX_SPACES) if value.isdigit() else 1
