"""Streaming a document's body into the .docx (formats/docx_stream) writes every part byte
for byte as python-docx's own ``append_xml`` + ``save`` does, hostile text included."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from qualcoder_lite.core.formats import docx_common as dc
from qualcoder_lite.core.formats import docx_stream

HOSTILE = ["plain", "", "a & b < c > d", 'say "hi" and \'bye\'', "line\rreturn", "tab\there",
           " lead and trail ", "emoji 😀 and CJK 漢字 and e\u0301", "]]> <!-- -->", "\u2028sep\u0085",
           "  ", "x\ny\n"]


def _row(i: int, text: str) -> str:
    runs = "<w:br/>".join(f'<w:t xml:space="preserve">{dc.xml_text(p)}</w:t>' for p in text.split("\n"))
    return (f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{1000 + i}" w:type="dxa"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r>{runs}</w:r></w:p></w:tc>'
            f'<w:tc><w:tcPr/><w:p><w:r><w:t>{dc.xml_text(text)}</w:t></w:r></w:p></w:tc></w:tr>')


def _start() -> str:
    return dc.tbl_xml([1000, 2000], []).removesuffix("</w:tbl>")


def _doc():
    doc = dc.new_document("Arial", 10)
    doc.add_paragraph("Title page", style="Title")
    dc.new_section(doc, "A4", True)
    return doc


def _parts(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize("per_chunk", [1, 5, 256])
def test_streamed_body_is_what_python_docx_writes(tmp_path, per_chunk):
    rows = [_row(i, t) for i, t in enumerate(HOSTILE * 3)]
    notes = [dc.note_xml(t) for t in HOSTILE]

    ref = _doc()
    dc.append_xml(ref, dc.caption_xml("Table S", 1, "A “title” & more", restart=1))
    dc.append_xml(ref, _start() + "".join(rows) + "</w:tbl>")
    dc.append_xml(ref, dc.spacer_xml())
    dc.append_xml(ref, _start() + rows[0] + "</w:tbl>")
    for n in notes:
        dc.append_xml(ref, n)
    cap = ref.add_paragraph(style="Caption")
    cap.add_run("Table A").bold = True
    cap.add_run(" " + HOSTILE[4])
    dc.save(ref, tmp_path / "ref.docx")

    doc = _doc()
    cap = doc.add_paragraph(style="Caption")
    cap.add_run("Table A").bold = True
    cap.add_run(" " + HOSTILE[4])
    cap._p.getparent().remove(cap._p)

    def body():
        yield docx_stream.element_bytes(dc.caption_xml("Table S", 1, "A “title” & more", restart=1))
        yield from docx_stream.table_bytes(_start(), iter(rows), per_chunk=per_chunk)
        yield docx_stream.element_bytes(dc.spacer_xml())
        yield from docx_stream.table_bytes(_start(), [rows[0]], per_chunk=per_chunk)
        for n in notes:
            yield docx_stream.element_bytes(n)
        yield docx_stream.detached_bytes(cap._p)

    docx_stream.save_with_body(doc, tmp_path / "streamed.docx", body)
    assert _parts(tmp_path / "streamed.docx") == _parts(tmp_path / "ref.docx")


def test_a_cancel_while_streaming_leaves_no_file(tmp_path):
    def body():
        yield docx_stream.element_bytes(dc.spacer_xml())
        raise InterruptedError("cancelled")

    with pytest.raises(InterruptedError, match="cancelled"):
        docx_stream.save_with_body(_doc(), tmp_path / "out.docx", body)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_while_streaming_is_raised_and_leaves_no_file(tmp_path):
    """The chunks are written by a thread: its error reaches the caller (after the chunks
    made meanwhile), and the file is not left half written."""
    made = []

    def body():
        for i in range(50):
            made.append(i)
            yield docx_stream.element_bytes(dc.spacer_xml()) if i != 3 else "not bytes"

    with pytest.raises(TypeError):
        docx_stream.save_with_body(_doc(), tmp_path / "out.docx", body)
    assert list(tmp_path.iterdir()) == []
    assert len(made) < 50  # the making stopped once the write had failed


def test_rows_written_as_lxml_writes_them_need_no_parsing():
    """``preserved_text``/``xml_content`` give lxml's own bytes, so canonical rows skip the parser."""
    rows = [f'<w:tr><w:tc><w:p><w:r>{"<w:br/>".join(map(docx_stream.preserved_text, t.split(chr(10))))}</w:r>'
            f"<w:r><w:t>{docx_stream.xml_content(t) or 'x'}</w:t></w:r></w:p></w:tc></w:tr>"
            for t in HOSTILE + ["\x01", "a\x0cb"]]
    parsed = b"".join(docx_stream.table_bytes(_start(), rows, per_chunk=3))
    direct = b"".join(docx_stream.table_bytes(_start(), rows, per_chunk=3, canonical=True))
    assert direct == parsed
    assert b"&#13;" in direct and b'<w:t xml:space="preserve"/>' in direct
