"""read_pdf(): text layer per page, scanned, encrypted and broken files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfWriter

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.pdf_reader import ENCRYPTED, NO_TEXT_LAYER, read_pdf

MakePdf = Callable[..., Path]


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as err:
        read_pdf(path)
    assert err.value.path == str(path)
    assert str(path) in str(err.value)
    return err.value.reason


def test_pages_joined_by_blank_lines(make_pdf: MakePdf) -> None:
    result = read_pdf(make_pdf([["Interviewer: Hello (and welcome).", "P3: Merci, caf\u00e9."], ["Page two."]]))
    assert result.format == "pdf"
    assert result.text == "Interviewer: Hello (and welcome).\nP3: Merci, café.\n\nPage two."
    assert result.warnings == []
    assert result.turns is None


def test_page_without_text_warns(make_pdf: MakePdf) -> None:
    result = read_pdf(make_pdf([["One."], [], ["Three."]]))
    assert result.text == "One.\n\nThree."
    assert result.warnings == ["1 of 3 pages have no text layer and were skipped"]


def test_no_text_layer(make_pdf: MakePdf) -> None:
    assert NO_TEXT_LAYER == "the PDF has no text layer (scanned?); run OCR first"
    assert _refused(make_pdf([[], []])) == NO_TEXT_LAYER


def test_encrypted(make_pdf: MakePdf, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=make_pdf([["Secret text."]]))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    assert _refused(path) == ENCRYPTED


def test_owner_password_only_opens(make_pdf: MakePdf, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=make_pdf([["Printable text."]]))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "restricted.pdf"
    writer.write(path)
    assert read_pdf(path).text == "Printable text."


def test_broken(tmp_path: Path, make_pdf: MakePdf) -> None:
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(make_pdf([["x"]]).read_bytes()[:120])
    assert _refused(truncated).startswith("the PDF is damaged (")


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "renamed.pdf"
    path.write_text("hello", encoding="utf-8")
    assert _refused(path) == "not a PDF file (no %PDF header)"
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert _refused(empty) == "the file is empty"
