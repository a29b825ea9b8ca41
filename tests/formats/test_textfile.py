"""read_text_file(): size checks, encodings, normalisation, against real and tiny files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.textfile import CP1252_WARNING, read_text_file
from qualcoder_lite.core.formats.textnorm import normalise
from tests.helpers import FIXTURES

FIXTURES = FIXTURES
TRANSCRIPT = FIXTURES / "qualcoder-examples" / "files" / "Examples" / "transcript.txt"
GOODBOY_TXT = FIXTURES / "hitsave-interviews" / "files" / "2023" / "Goodboy Galaxy" / "Goodboy Galaxy - Rik Nicol.txt"
RFC1 = FIXTURES / "changelog-rfc" / "files" / "rfc" / "request-for-commits-1.md"


def _write(tmp_path: Path, data: bytes, name: str = "t.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(path: Path, **kwargs: str) -> InputError:
    with pytest.raises(InputError) as err:
        read_text_file(path, **kwargs)
    assert err.value.path == str(path)
    assert str(path) in str(err.value)
    return err.value


# -- real files ---------------------------------------------------------------------


def test_transcript_fixture() -> None:
    result = read_text_file(TRANSCRIPT)
    assert result.format == "txt"
    assert result.warnings == []
    assert result.turns is None
    assert result.text.startswith("[id1] hello, I like the course. It really helped me")
    assert result.text.endswith("[id2] Hmm, I will ask the tutor for more help as I am really struggling.\n")
    assert result.text.count("\n\n") == 6


def test_markdown_fixture() -> None:
    result = read_text_file(RFC1)
    assert result.format == "md"
    # read as Markdown: the bold labels are plain "Name:" labels (tests/formats/test_markdown_import.py)
    assert result.text.startswith("Nadia Eghbal: I'm Nadia Eghbal.\n\nMikeal Rogers: And I'm Mikeal Rogers.\n\n")


def test_crlf_fixture_normalised() -> None:
    raw = GOODBOY_TXT.read_bytes()
    assert b"\r\n" in raw
    result = read_text_file(GOODBOY_TXT)
    assert "\r" not in result.text
    assert result.text == raw.decode("utf-8").replace("\r\n", "\n")


# -- encodings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfcaf\xc3\xa9\r\nna\xc3\xafve\r\n",
        "\ufeffcafé\r\nnaïve\r\n".encode("utf-16-le"),
        "\ufeffcafé\r\nnaïve\r\n".encode("utf-16-be"),
        "\ufeffcafé\r\nnaïve\r\n".encode("utf-32-le"),
        "\ufeffcafé\r\nnaïve\r\n".encode("utf-32-be"),
        "café\r\nnaïve\r\n".encode("utf-16-le"),  # no BOM: found by its NUL bytes
        "café\r\nnaïve\r\n".encode("utf-16-be"),
        "café\r\nnaïve\r\n".encode("utf-8"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf32le-bom", "utf32be-bom", "utf16le", "utf16be", "utf8"],
)
def test_unicode_encodings(tmp_path: Path, data: bytes) -> None:
    result = read_text_file(_write(tmp_path, data))
    assert result.text == "café\nnaïve\n"
    assert result.warnings == []


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_with_cjk(tmp_path: Path, codec: str) -> None:
    text = "Interviewer: 一 and 丁 are common characters.\n" * 3  # U+4E00, U+4E01: a zero byte
    assert read_text_file(_write(tmp_path, text.encode(codec))).text == text


def test_cp1252_fallback_warns(tmp_path: Path) -> None:
    path = _write(tmp_path, "Le café coûte 2 €.\r\n".encode("cp1252"))
    result = read_text_file(path)
    assert result.text == "Le café coûte 2 €.\n"
    assert result.warnings == [CP1252_WARNING]
    assert CP1252_WARNING == "not valid UTF-8; read as Windows-1252"


def test_garbage_bytes_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, b"ok \x81\x8d\x90 bad")  # 0x81 is undefined in cp1252
    err = _refused(path)
    assert err.reason == "not valid UTF-8 and not Windows-1252 text (first bad byte 0x81 at offset 3)"


def test_control_characters_block_cp1252_fallback(tmp_path: Path) -> None:
    path = _write(tmp_path, b"abc\x01\x02\xe9def")
    assert "first bad byte 0xE9 at offset 5" in _refused(path).reason


def test_mostly_high_bytes_block_cp1252_fallback(tmp_path: Path) -> None:
    path = _write(tmp_path, bytes(range(0xC0, 0x100)) * 4)
    assert _refused(path).reason.startswith("not valid UTF-8 and not Windows-1252 text")


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    path = _write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    assert "looks like a binary file" in _refused(path).reason


def test_forced_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path, "Ελληνικά\n".encode("cp1253"))
    assert read_text_file(path, encoding="cp1253").text == "Ελληνικά\n"
    assert read_text_file(path, encoding="cp1253").warnings == []
    assert _refused(path, encoding="utf-8").reason.startswith("not valid utf-8 text (first bad byte 0xC5 at offset 0)")
    assert _refused(path, encoding="klingon").reason == "unknown encoding 'klingon'"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1))
def test_any_utf8_text_round_trips(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text.encode("utf-8"), "h.txt")
    if not normalise(text).strip():
        assert _refused(path).reason == "contains no text"
    else:
        result = read_text_file(path)
        assert result.text == normalise(text)
        # the bytes read come along exactly when they are the stored text's UTF-8
        assert result.utf8 == (text.encode("utf-8") if normalise(text) == text else None)


def test_utf8_comes_along_only_as_the_text_itself(tmp_path: Path) -> None:
    """``ReadResult.utf8`` (what an import stores without encoding the text again) is the
    file's bytes only for UTF-8 read as such with nothing normalised away."""
    plain = "café\nnaïve 😀\n"
    assert read_text_file(_write(tmp_path, plain.encode("utf-8"))).utf8 == plain.encode("utf-8")
    assert read_text_file(_write(tmp_path, plain.encode("utf-8")), encoding="utf-8").utf8 is None  # forced: not guessed
    for data in (b"\xef\xbb\xbf" + plain.encode("utf-8"), plain.replace("\n", "\r\n").encode("utf-8"),
                 plain.encode("utf-16"), "Le café coûte 2 €.\n".encode("cp1252")):
        result = read_text_file(_write(tmp_path, data))
        assert result.utf8 is None and result.text in (plain, "Le café coûte 2 €.\n")
    assert read_text_file(_write(tmp_path, b"# Title\n\nSome *text*.\n", "t.md")).utf8 is None  # Markdown: rendered


# -- sizes and blank files --------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    assert _refused(_write(tmp_path, b"")).reason == "the file is empty"


@pytest.mark.parametrize("data", [b" \r\n\t\r\n", b"\xef\xbb\xbf\n\n", "\ufeff  ".encode("utf-16-le")])
def test_whitespace_only(tmp_path: Path, data: bytes) -> None:
    assert _refused(_write(tmp_path, data)).reason == "contains no text"


def test_huge_file_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(100 * 1024 * 1024 + 1)  # sparse: no bytes written
    assert _refused(path).reason == "larger than the 100 MB limit for a text source"


def test_missing_file(tmp_path: Path) -> None:
    assert _refused(tmp_path / "nope.txt").reason == "no such file"
