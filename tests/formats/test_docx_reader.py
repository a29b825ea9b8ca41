"""read_docx(): paragraphs and tables in order, tracked changes, hostile archives."""

from __future__ import annotations

from collections.abc import Callable
import zipfile
from pathlib import Path

import pytest

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.docx_reader import read_docx
from tests.helpers import FIXTURES

ID1 = FIXTURES / "qualcoder-examples" / "files" / "Examples" / "ID1.docx"

MakeDocx = Callable[..., Path]


def p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def tc(*paragraphs: str) -> str:
    return "<w:tc><w:tcPr/>" + "".join(paragraphs) + "</w:tc>"


def tr(*cells: str) -> str:
    return "<w:tr>" + "".join(cells) + "</w:tr>"


def tbl(*rows: str) -> str:
    return "<w:tbl><w:tblPr/><w:tblGrid/>" + "".join(rows) + "</w:tbl>"


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as err:
        read_docx(path)
    assert err.value.path == str(path)
    assert str(path) in str(err.value)
    return err.value.reason


def test_id1_fixture() -> None:
    result = read_docx(ID1)
    assert result.format == "docx"
    assert result.turns is None
    paragraphs = result.text.split("\n\n")
    assert len(paragraphs) == 3  # the trailing empty paragraph is skipped
    assert paragraphs[0].startswith("I really like learning new things.")
    assert paragraphs[0].endswith("web links have been really good.")
    assert paragraphs[1] == (
        "I guess some less computer-savvy people would have some trouble accessing the "
        "internet-based material, but its like a duck to water for me - no problem at all."
    )
    assert paragraphs[2].endswith("I'm happy to pay €200.")


def test_paragraphs_and_tables_in_document_order(make_docx: MakeDocx) -> None:
    body = (
        p(r("Before the table."))
        + tbl(
            tr(tc(p(r("Interviewer"))), tc(p(r("How long have you been a GP?")))),
            tr(tc(p(r("P3:"))), tc(p(r("Twelve years.")), p(r("In Fife.")))),
            tr(tc(p(r("00:01:02"))), tc(p(r("P3"))), tc(p(r("Three cells.")))),
            tr(tc(p(r("A first cell that is far too long to be a speaker name"))), tc(p(r("x")))),
            tr(tc(p()), tc(p())),
            tr(
                tc(p(r("Outer"))),
                tc(tbl(tr(tc(p(r("in1"))), tc(p(r("in2"))), tc(p(r("in3")))), tr(tc(p(r("x"))), tc(p()), tc(p(r("y")))))),
                tc(p(r("end"))),
            ),
        )
        + p()
        + p(r("After the table."))
    )
    result = read_docx(make_docx(body))
    assert result.text == (
        "Before the table.\n\n"
        "Interviewer: How long have you been a GP?\n\n"
        "P3: Twelve years.\nIn Fife.\n\n"
        "00:01:02\tP3\tThree cells.\n\n"
        "A first cell that is far too long to be a speaker name\tx\n\n"
        "Outer\tin1\tin2\tin3\nx: y\tend\n\n"
        "After the table."
    )


def test_tracked_changes_accepted(make_docx: MakeDocx) -> None:
    body = p(
        r("We "),
        '<w:del w:id="1" w:author="A"><w:r><w:delText>never </w:delText></w:r></w:del>',
        '<w:ins w:id="2" w:author="A"><w:r><w:t xml:space="preserve">always </w:t></w:r></w:ins>',
        r("met."),
        '<w:moveFrom w:id="3"><w:r><w:t>gone</w:t></w:r></w:moveFrom>',
    ) + tbl(
        tr(tc(p(r("kept row")))),
        '<w:tr><w:trPr><w:del w:id="4" w:author="A"/></w:trPr>' + tc(p(r("deleted row"))) + "</w:tr>",
    )
    assert read_docx(make_docx(body)).text == "We always met.\n\nkept row"


def test_tabs_breaks_hyperlinks_fields_and_text_boxes(make_docx: MakeDocx) -> None:
    body = p(
        "<w:pPr><w:tabs><w:tab w:val='left' w:pos='720'/></w:tabs></w:pPr>",
        "<w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t><w:cr/><w:t>d</w:t></w:r>",
        '<w:hyperlink><w:r><w:t xml:space="preserve"> link</w:t></w:r></w:hyperlink>',
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>',
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
        "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><w:txbxContent>"
        + p(r("Box text"))
        + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
        + p(r("Box text"))
        + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>",
    ) + "<w:sdt><w:sdtContent>" + p(r("In a content control")) + "</w:sdtContent></w:sdt>"
    assert read_docx(make_docx(body)).text == "a\tb\nc\nd link7\n\nBox text\n\nIn a content control"


def test_main_part_found_through_relationships(make_docx: MakeDocx) -> None:
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="/word/document2.xml"/></Relationships>'
    )
    path = make_docx(p(r("Elsewhere")), part="word/document2.xml", **{"_rels/.rels": rels})
    assert read_docx(path).text == "Elsewhere"


def test_entity_bomb_refused(make_docx: MakeDocx) -> None:
    prolog = (
        '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    reason = _refused(make_docx(p(r("&c;")), prolog=prolog))
    assert reason.startswith("word/document.xml declares a DTD or entities, which are refused")


def test_external_entity_refused(make_docx: MakeDocx) -> None:
    prolog = '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    assert "DTD" in _refused(make_docx(p(r("&x;")), prolog=prolog))


def test_malformed_xml(make_docx: MakeDocx) -> None:
    assert _refused(make_docx("<w:p><w:r></w:p>")).startswith("word/document.xml is not well-formed XML")


def test_path_traversal_member(make_docx: MakeDocx) -> None:
    path = make_docx(p(r("hi")), **{"../../evil.sh": "rm -rf ~"})
    assert "path traversal" in _refused(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    assert _refused(path) == "the file is empty"


def test_renamed_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("Interviewer: hello\n", encoding="utf-8")
    assert _refused(path) == "not a Word document (not a zip archive)"


def test_old_doc_or_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert "old Word .doc file or a password-protected document" in _refused(path)


def test_zip_without_document(make_zip: Callable[..., Path]) -> None:
    path = make_zip("other.docx", {"hello.txt": "hi"})
    assert _refused(path) == "not a Word document (no word/document.xml in the archive)"


def test_no_text(make_docx: MakeDocx) -> None:
    assert _refused(make_docx(p() + p(r("  ")))) == "contains no text"


def test_deep_nesting_refused(make_docx: MakeDocx) -> None:
    depth = 5000
    body = "<w:sdt><w:sdtContent>" * depth + p(r("x")) + "</w:sdtContent></w:sdt>" * depth
    assert _refused(make_docx(body)) == "word/document.xml is nested too deeply"


def test_xml_in_an_encoding_python_lacks(make_docx: MakeDocx, tmp_path) -> None:
    """A colleague's tool wrote ``encoding="x-unknown"``: a message, not a LookupError traceback."""
    from tests.formats.conftest import write_zip

    good = make_docx(p(r("Hello")))
    with zipfile.ZipFile(good) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["word/document.xml"] = members["word/document.xml"].replace(b'encoding="UTF-8"', b'encoding="x-unknown"')
    reason = _refused(write_zip(tmp_path / "odd.docx", members))
    assert reason.startswith("word/document.xml declares an encoding that cannot be read")
