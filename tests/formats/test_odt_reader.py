"""read_odt(): paragraphs, headings, spans, spaces, tables and tracked changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.odt_reader import read_odt
from tests.helpers import FIXTURES

ID2 = FIXTURES / "qualcoder-examples" / "files" / "Examples" / "ID2.odt"

MakeOdt = Callable[..., Path]


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as err:
        read_odt(path)
    assert err.value.path == str(path)
    assert str(path) in str(err.value)
    return err.value.reason


def test_id2_fixture() -> None:
    result = read_odt(ID2)
    assert result.format == "odt"
    assert result.text == (
        "I have not studied much before, but my father Joe Bloggs really encouraged me to study "
        "again. I know that I must get help as I have struggled understanding the lecture slides "
        "so far and searching the web did not help. \n\n"
        "I really want someone to sit down with me and explain the course material.\n\n"
        "The course cost €200.00 and I do not want to waste my money."
    )


def test_inline_markup(make_odt: MakeOdt) -> None:
    body = (
        "<text:h text:outline-level='1'>Interview <text:span>P3</text:span></text:h>"
        "<text:p>a<text:s text:c='3'/>b<text:s/>c<text:tab/>d<text:line-break/>e</text:p>"
        "<text:p>collapsed\n   white   space <text:a xlink:href='x' xmlns:xlink='http://www.w3.org/1999/xlink'>link</text:a></text:p>"
        "<text:p>Footnote here<text:note><text:note-citation>1</text:note-citation>"
        "<text:note-body><text:p>the note</text:p></text:note-body></text:note> and after.</text:p>"
        "<text:p>Comment<office:annotation><dc:creator>me</dc:creator><text:p>remark</text:p></office:annotation> ends.</text:p>"
        "<text:p/><text:p>  </text:p>"
        "<text:list><text:list-item><text:p>first item</text:p></text:list-item>"
        "<text:list-item><text:list><text:list-item><text:p>nested item</text:p></text:list-item></text:list></text:list-item></text:list>"
        "<text:section><text:p>in a section</text:p></text:section>"
    )
    assert read_odt(make_odt(body)).text == (
        "Interview P3\n\n"
        "a   b c\td\ne\n\n"
        "collapsed white space link\n\n"
        "Footnote here and after.\n\n"
        "Comment ends.\n\n"
        "first item\n\nnested item\n\nin a section"
    )


def test_tables_in_order(make_odt: MakeOdt) -> None:
    cell = lambda *ps: "<table:table-cell>" + "".join(f"<text:p>{t}</text:p>" for t in ps) + "</table:table-cell>"  # noqa: E731
    body = (
        "<text:p>Before.</text:p>"
        "<table:table><table:table-column table:number-columns-repeated='3'/>"
        "<table:table-header-rows><table:table-row>" + cell("Speaker") + cell("Text") + "</table:table-row></table:table-header-rows>"
        "<table:table-row>" + cell("Interviewer") + cell("Why?") + "</table:table-row>"
        "<table:table-row>" + cell("SH01") + cell("Because.", "Really.") + "<table:covered-table-cell/></table:table-row>"
        "<table:table-row>" + cell("1") + cell("2") + cell("3") + "</table:table-row>"
        "</table:table>"
        "<text:p>After.</text:p>"
    )
    assert read_odt(make_odt(body)).text == (
        "Before.\n\nSpeaker: Text\n\nInterviewer: Why?\n\nSH01: Because.\nReally.\n\n1\t2\t3\n\nAfter."
    )


def test_tracked_changes_region_dropped(make_odt: MakeOdt) -> None:
    body = (
        "<text:tracked-changes>"
        "<text:changed-region text:id='c1'><text:deletion><office:change-info><dc:creator>A</dc:creator></office:change-info>"
        "<text:p>deleted words</text:p></text:deletion></text:changed-region>"
        "<text:changed-region text:id='c2'><text:insertion><office:change-info><dc:creator>A</dc:creator></office:change-info>"
        "</text:insertion></text:changed-region>"
        "</text:tracked-changes>"
        "<text:p>We <text:change text:change-id='c1'/><text:change-start text:change-id='c2'/>always"
        "<text:change-end text:change-id='c2'/> met.</text:p>"
    )
    assert read_odt(make_odt(body)).text == "We always met."


def test_entity_bomb_refused(make_odt: MakeOdt) -> None:
    prolog = '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    assert _refused(make_odt("<text:p>&b;</text:p>", prolog=prolog)).startswith(
        "content.xml declares a DTD or entities, which are refused"
    )


def test_renamed_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.odt"
    path.write_text("hello", encoding="utf-8")
    assert _refused(path) == "not an OpenDocument text (not a zip archive)"


def test_zip_without_content(make_zip: Callable[..., Path]) -> None:
    path = make_zip("x.odt", {"mimetype": "application/vnd.oasis.opendocument.text"})
    assert _refused(path) == "not an OpenDocument text (no content.xml in the archive)"


def test_spreadsheet_content_refused(make_zip: Callable[..., Path]) -> None:
    xml = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
        "<office:body><office:spreadsheet/></office:body></office:document-content>"
    )
    path = make_zip("sheet.odt", {"content.xml": xml})
    assert _refused(path) == "not an OpenDocument text (content.xml has no office:text body)"


def test_empty_and_blank(tmp_path: Path, make_odt: MakeOdt) -> None:
    empty = tmp_path / "empty.odt"
    empty.write_bytes(b"")
    assert _refused(empty) == "the file is empty"
    assert _refused(make_odt("<text:p> </text:p>", name="blank.odt")) == "contains no text"
