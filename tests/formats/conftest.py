"""Fixtures for the format readers: real files read in place, tiny files built by hand."""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # until the project is installed (pyproject/pip -e)
    sys.path.insert(0, str(ROOT))

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ODF_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    """Write a deflated zip with the given members (names used as given)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def docx_xml(body: str, prolog: str = "") -> str:
    """A word/document.xml with ``body`` (WordprocessingML, prefix ``w:``) inside w:body."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )


def odt_xml(body: str, prolog: str = "") -> str:
    """A content.xml with ``body`` inside office:body/office:text."""
    xmlns = " ".join(f'xmlns:{p}="{uri}"' for p, uri in ODF_NS.items())
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<office:document-content {xmlns} office:version="1.3">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )


@pytest.fixture
def make_docx(tmp_path: Path) -> Callable[..., Path]:
    def make(
        body: str, name: str = "doc.docx", prolog: str = "", part: str = "word/document.xml", **extra: bytes | str
    ) -> Path:
        """``extra`` adds members, e.g. ``**{"_rels/.rels": xml}``."""
        members: dict[str, bytes | str] = {"[Content_Types].xml": "<Types/>", part: docx_xml(body, prolog)}
        members.update(extra)
        return write_zip(tmp_path / name, members)

    return make


@pytest.fixture
def make_odt(tmp_path: Path) -> Callable[..., Path]:
    def make(body: str, name: str = "doc.odt", prolog: str = "") -> Path:
        return write_zip(
            tmp_path / name,
            {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": odt_xml(body, prolog)},
        )

    return make


@pytest.fixture
def make_zip(tmp_path: Path) -> Callable[[str, dict[str, bytes | str]], Path]:
    """Build ``tmp_path / name`` as a zip of the given members."""
    return lambda name, members: write_zip(tmp_path / name, members)


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Build ``tmp_path / name`` as a PDF with one page per list of lines."""

    def make(pages: list[list[str]], name: str = "doc.pdf") -> Path:
        path = tmp_path / name
        path.write_bytes(pdf_bytes(pages))
        return path

    return make


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A minimal PDF: one page per item, each line drawn in Helvetica (empty: no text)."""

    def escape(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, lines in enumerate(pages):
        shown = " T* ".join(f"({escape(line)}) Tj" for line in lines)
        stream = f"BT /F1 12 Tf 14 TL 72 720 Td {shown} ET".encode("cp1252") if lines else b""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
