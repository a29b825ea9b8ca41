"""Word .docx sources: body paragraphs and tables in document order.

The main part (``word/document.xml``, or wherever ``_rels/.rels`` points) is parsed
with defusedxml. Each paragraph becomes a block separated by a blank line; each table
row becomes one block with its cells separated by tabs (see ``tables.row_text``).
Tracked insertions are kept and deletions dropped, i.e. the text as it would read if
every change were accepted.
"""

from __future__ import annotations

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

KIND = "a Word document"
# Transitional and Strict OOXML spell the WordprocessingML namespace differently.
W_NAMESPACES = frozenset(
    {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main",
    }
)
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN_PART = "word/document.xml"
_RELS = "_rels/.rels"
_RELS_MAX = 1024 * 1024

# Elements whose content is never text of the document as accepted.
_SKIP = frozenset(
    {
        "del", "moveFrom", "delText", "delInstrText", "instrText", "pPr", "rPr", "sectPr",
        "tblPr", "tblGrid", "trPr", "tcPr", "footnoteReference", "endnoteReference",
        "commentReference", "annotationRef",
    }
)


def read_docx(path: str | Path) -> ReadResult:
    """Read the text of a .docx file; raise ``InputError`` for anything unreadable."""
    check_file(path, MAX_DOCUMENT_BYTES, "a Word document")
    _refuse_ole(path)
    with SafeZip(path, KIND) as archive:
        part = _main_part_name(path, archive)
        info = archive.find(part)
        if info is None:
            raise InputError(path, f"not {KIND} (no {part} in the archive)")
        root = parse_xml(path, archive.read(info, MAX_TOTAL_UNCOMPRESSED), info.filename)
    body = next((el for el in root if _w(el) == "body"), None)
    if body is None:
        raise InputError(path, f"not {KIND} ({info.filename} has no body)")
    try:
        text = "\n\n".join(_blocks(body))
    except RecursionError:
        raise InputError(path, f"{info.filename} is nested too deeply") from None
    return ReadResult(text=require_text(path, normalise(text)), format="docx")


def _refuse_ole(path: str | Path) -> None:
    """Old binary .doc files and password-protected .docx files are OLE containers."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(_OLE_MAGIC))
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
    if head == _OLE_MAGIC:
        raise InputError(
            path,
            "is an old Word .doc file or a password-protected document; "
            "save it as .docx without a password",
        )


def _main_part_name(path: str | Path, archive: SafeZip) -> str:
    """The officeDocument target named in ``_rels/.rels``, else ``word/document.xml``."""
    info = archive.find(_RELS)
    if info is None:
        return _MAIN_PART
    rels = parse_xml(path, archive.read(info, _RELS_MAX), info.filename)
    for rel in rels:
        if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
            return rel.get("Target", "").lstrip("/")
    return _MAIN_PART


def _w(el: Element) -> str | None:
    """The local name of a WordprocessingML element, else None."""
    ns, name = local(el.tag)
    return name if ns in W_NAMESPACES else None


def _children(el: Element) -> Iterator[Element]:
    """Child elements, resolving ``mc:AlternateContent`` to its first choice."""
    for child in el:
        ns, name = local(child.tag)
        if ns == MC_NS and name == "AlternateContent":
            choice = next(iter(child), None)  # mc:Choice, or mc:Fallback if alone
            if choice is not None:
                yield from _children(choice)
        else:
            yield child


def _blocks(container: Element) -> Iterator[str]:
    """Non-empty blocks (paragraphs, table rows) of a body, cell or text box, in order."""
    for el in _children(container):
        name = _w(el)
        if name in _SKIP:
            continue
        if name == "p":
            extra: list[str] = []
            text = "".join(_inline(el, extra))
            if text.strip():
                yield text
            yield from extra
        elif name == "tbl":
            yield from _table_rows(el)
        else:  # w:sdt, w:sdtContent, w:customXml, w:ins around blocks...
            yield from _blocks(el)


def _table_rows(table: Element) -> Iterator[str]:
    for row in _descendants_named(table, "tr", stop={"tbl"}):
        if _row_deleted(row):
            continue
        cells = ["\n".join(_blocks(cell)) for cell in _descendants_named(row, "tc", stop={"tbl"})]
        text = row_text(cells)
        if text:
            yield text


def _row_deleted(row: Element) -> bool:
    """A table row deleted with tracked changes carries ``w:trPr/w:del``."""
    return any(_w(pr) == "trPr" and any(_w(m) == "del" for m in pr) for pr in row)


def _descendants_named(el: Element, name: str, stop: set[str]) -> Iterator[Element]:
    """Elements called ``name`` below ``el`` (through sdt/customXml wrappers), not inside ``stop``."""
    for child in _children(el):
        child_name = _w(child)
        if child_name == name:
            yield child
        elif child_name not in stop and child_name not in _SKIP:
            yield from _descendants_named(child, name, stop)


def _inline(el: Element, extra: list[str]) -> Iterator[str]:
    """Text pieces of a paragraph; text-box paragraphs go to ``extra`` (after it)."""
    for child in _children(el):
        name = _w(child)
        if name in _SKIP:
            continue
        if name == "t":
            yield child.text or ""
        elif name == "tab" or name == "ptab":
            yield "\t"
        elif name in ("br", "cr"):
            yield "\n"
        elif name == "noBreakHyphen":
            yield "\u2011"
        elif name == "txbxContent":
            extra.extend(_blocks(child))
        else:  # w:r, w:ins, w:moveTo, w:hyperlink, w:smartTag, w:fldSimple, drawings...
            yield from _inline(child, extra)
