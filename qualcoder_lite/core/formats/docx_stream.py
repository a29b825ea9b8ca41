"""Saving a python-docx document whose body ends with content streamed into the file.

A quote report of 50,000 quotes is ~30 MB of WordprocessingML: held as python-docx's lxml
tree it took some 250 MB and most of the save. Here the document (title page, styles,
sections, footers) stays a python-docx document, and the big part of the body, given as
chunks of bytes, is written straight into ``word/document.xml`` in the zip, before the
body's final section properties.

The chunks are the bytes python-docx itself would write for the same elements: each
element is parsed with python-docx's parser and serialised by lxml (``element_bytes``,
``table_bytes``), a table a few hundred rows at a time, so every part of the file is
byte for byte what ``append_xml`` + ``save`` wrote (tests/formats/test_docx_stream.py).
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from docx.opc.oxml import serialize_part_xml
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from lxml import etree  # type: ignore[import-untyped]  # (no stubs; python-docx is built on it)

if TYPE_CHECKING:
    from ..outfile import Output

from .docx_common import append_element, clean_text
from .safexml import escape_content

_W_DECL = b' xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TBL_OPEN = f"<w:tbl {nsdecls('w')}>"
_TBL_OPEN_BYTES = b"<w:tbl" + _W_DECL + b">"
_TBL_CLOSE = b"</w:tbl>"
ROWS_PER_CHUNK = 256


def element_bytes(xml: str) -> bytes:
    """A body-level element given as text with ``nsdecls('w')`` (a ``w:p`` or ``w:tbl``),
    as it is written inside the document (where ``w`` is declared on the root)."""
    return detached_bytes(parse_xml(xml))


def detached_bytes(el) -> bytes:
    """An element outside the document (parsed, or taken out of it) as it is written
    inside it: the same bytes without the root's own declaration of ``w``."""
    out = etree.tostring(el, encoding="UTF-8")
    tag, gt, rest = out.partition(b">")
    return tag.replace(_W_DECL, b"", 1) + gt + rest


def xml_content(s: str) -> str:
    """Text as lxml writes it between tags: ``& < >`` escaped and a carriage return as
    ``&#13;`` (``"`` stays); characters XML cannot carry are dropped (as ``xml_text`` does)."""
    return escape_content(clean_text(s))


def preserved_text(s: str) -> str:
    """A ``w:t`` keeping its spaces, as lxml writes it (an empty one as an empty tag)."""
    body = xml_content(s)
    return f'<w:t xml:space="preserve">{body}</w:t>' if body else '<w:t xml:space="preserve"/>'


def table_bytes(start: str, rows: Iterable[str], per_chunk: int = ROWS_PER_CHUNK,
                canonical: bool = False) -> Iterator[bytes]:
    """A ``w:tbl`` given as ``start`` (``<w:tbl nsdecls><w:tblPr>…</w:tblGrid>``, the
    table's properties and grid) and its rows (``<w:tr>…</w:tr>`` each), in chunks: only
    ``per_chunk`` rows are ever parsed at once. ``canonical`` rows are already written as
    lxml writes them (text through ``xml_content``/``preserved_text``, empty elements as
    empty tags, no white space between tags) and are encoded without parsing."""
    head = element_bytes(start + "</w:tbl>")
    if not head.endswith(_TBL_CLOSE):
        raise ValueError("a table start must hold its properties")
    yield head[: -len(_TBL_CLOSE)]
    batch: list[str] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= per_chunk:
            yield "".join(batch).encode("utf-8") if canonical else _rows_bytes(batch)
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8") if canonical else _rows_bytes(batch)
    yield _TBL_CLOSE


def _rows_bytes(rows: list[str]) -> bytes:
    out = etree.tostring(parse_xml(_TBL_OPEN + "".join(rows) + "</w:tbl>"), encoding="UTF-8")
    if not (out.startswith(_TBL_OPEN_BYTES) and out.endswith(_TBL_CLOSE)):
        raise ValueError("table rows did not serialise as rows")
    return out[len(_TBL_OPEN_BYTES): -len(_TBL_CLOSE)]


def save_with_body(doc, path: "str | Path | Output", body: Callable[[], Iterable[bytes]]) -> Path:
    """Save ``doc`` through the one output guard (``outfile.write_file``) with the chunks of
    ``body()`` appended to its body (before the final section properties). ``body`` is
    called while the file is written; an exception from it (a cancel) leaves no file."""
    from .. import outfile

    head, tail = _split_document(doc)
    cancelled: list[InterruptedError] = []

    def write(tmp: Path) -> None:
        try:
            _write_package(doc, tmp, head, body(), tail)
        except InterruptedError as exc:  # an OSError: the guard would report it as a failed write
            cancelled.append(exc)
            raise _Cancelled from None

    try:
        return outfile.write_file(path, write)
    except _Cancelled:
        raise cancelled[0] from None


class _Cancelled(Exception):
    """A cancel passing through the output guard (which removes the temporary file)."""


def _split_document(doc) -> tuple[bytes, bytes]:
    """``word/document.xml`` as python-docx writes it, cut where the body's content ends."""
    token = f"qualcoder-lite-body-{uuid.uuid4().hex}"
    marker = etree.Comment(token)
    append_element(doc, marker)
    try:
        doc.part.before_marshal()
        head, sep, tail = serialize_part_xml(doc.element).partition(f"<!--{token}-->".encode())
    finally:
        marker.getparent().remove(marker)
    if not sep:
        raise ValueError("the document's body marker was not written")
    return head, tail


class _ZipWriter:
    """``PackageWriter``'s physical writer (the same zip entries as ``doc.save``)."""

    def __init__(self, path: Path):
        self.zipf = zipfile.ZipFile(str(path), "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, pack_uri, blob: bytes) -> None:
        self.zipf.writestr(pack_uri.membername, blob)

    def stream(self, membername: str, chunks: Iterable[bytes]) -> None:
        info = zipfile.ZipInfo(membername, date_time=time.localtime(time.time())[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16  # as ZipFile.writestr sets it
        # The chunks are compressed and written by a thread (zlib and the file write let go of
        # the GIL) while this thread makes the next ones; a few chunks wait at most.
        pending: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        failed: list[BaseException] = []

        def write() -> None:
            ended = False
            try:
                with self.zipf.open(info, "w") as out:
                    while (chunk := pending.get()) is not None:
                        out.write(chunk)
                    ended = True
            except BaseException as exc:  # handed to the making thread, which raises it
                failed.append(exc)
                while not ended and pending.get() is not None:  # let the making thread finish its puts
                    pass

        writer = threading.Thread(target=write, name="docx-stream", daemon=True)
        writer.start()
        try:
            for chunk in chunks:
                if failed:
                    break
                pending.put(chunk)
        finally:
            pending.put(None)
            writer.join()
        if failed:
            raise failed[0]


def _write_package(doc, tmp: Path, head: bytes, body: Iterable[bytes], tail: bytes) -> None:
    """``OpcPackage.save`` (``PackageWriter.write``), with the document part streamed."""
    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        if part is not doc.part:
            part.before_marshal()
    writer = _ZipWriter(tmp)
    try:
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        for part in parts:
            if part is doc.part:
                writer.stream(part.partname.membername, _joined(head, body, tail))
            else:
                writer.write(part.partname, part.blob)
            if len(part.rels):
                writer.write(part.partname.rels_uri, part.rels.xml)
    finally:
        writer.zipf.close()


def _joined(head: bytes, body: Iterable[bytes], tail: bytes) -> Iterator[bytes]:
    yield head
    yield from body
    yield tail
