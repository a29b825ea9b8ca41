"""SafeZip: not a zip, path traversal, zip bombs, capped reads, case-insensitive lookup."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.safezip import MB, SafeZip, open_zip, unsafe_name

MakeZip = Callable[[str, dict[str, bytes | str]], Path]


def _zeros_zip(path: Path, name: str, megabytes: int) -> Path:
    """A member of ``megabytes`` MB of zeros, streamed (little memory, ~0.5 s for 300)."""
    chunk = bytes(MB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(name, "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path


def test_not_a_zip_names_file_and_kind(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("plain text", encoding="utf-8")
    with pytest.raises(InputError) as err:
        open_zip(path, "a Word document")
    assert err.value.path == str(path)
    assert err.value.reason == "not a Word document (not a zip archive)"
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    "name", ["../evil.txt", "word/../../evil.txt", "/etc/passwd", "\\windows\\evil", "C:/evil", "a\\..\\..\\b"]
)
def test_path_traversal_refused(make_zip: MakeZip, name: str) -> None:
    path = make_zip("evil.docx", {"word/document.xml": "<x/>", name: "boo"})
    with pytest.raises(InputError, match="path traversal"):
        open_zip(path, "a Word document")


def test_unsafe_name_allows_dots_in_names() -> None:
    assert not unsafe_name("word/..media/a..b.png")
    assert not unsafe_name("Sources/x.txt")


def test_total_size_bomb_refused(tmp_path: Path) -> None:
    path = _zeros_zip(tmp_path / "bomb.docx", "word/document.xml", 300)
    assert path.stat().st_size < 2 * MB
    with pytest.raises(InputError, match=r"more than 200 MB \(zip bomb\?\)"):
        open_zip(path, "a Word document")


def test_ratio_bomb_refused(tmp_path: Path) -> None:
    path = _zeros_zip(tmp_path / "ratio.odt", "content.xml", 20)
    with pytest.raises(InputError, match=r"'content.xml' is compressed \d+:1 \(zip bomb\?\)"):
        open_zip(path, "an OpenDocument text")


def test_small_highly_compressed_member_is_fine(tmp_path: Path) -> None:
    path = _zeros_zip(tmp_path / "small.odt", "content.xml", 2)
    with open_zip(path, "an OpenDocument text") as archive:
        assert archive.read("content.xml", 3 * MB) == bytes(2 * MB)


def test_read_stops_past_cap_whatever_is_declared(tmp_path: Path) -> None:
    path = _zeros_zip(tmp_path / "big.docx", "word/document.xml", 3)
    with open_zip(path, "a Word document") as archive:
        with pytest.raises(InputError, match="'word/document.xml' is larger than 1 MB"):
            archive.read("word/document.xml", 1 * MB)


def test_case_insensitive_find(make_zip: MakeZip) -> None:
    path = make_zip("p.qdpx", {"Project.qde": "<p/>", "Sources/A.txt": "a"})
    with SafeZip(path, "a REFI-QDA project") as archive:
        assert archive.find("project.qde").filename == "Project.qde"
        assert archive.find("sources/a.TXT").filename == "Sources/A.txt"
        assert archive.find("missing.xml") is None
        assert archive.names() == ["Project.qde", "Sources/A.txt"]
        with pytest.raises(InputError, match="no 'missing.xml' in the archive"):
            archive.read("missing.xml", MB)


def test_corrupt_member_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "crc.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("word/document.xml", b"A" * 1000)
    data = bytearray(path.read_bytes())
    start = data.index(b"A" * 1000)
    data[start : start + 10] = b"B" * 10  # payload changed, CRC not
    path.write_bytes(bytes(data))
    with open_zip(path, "a Word document") as archive:
        with pytest.raises(InputError, match="the archive is damaged"):
            archive.read("word/document.xml", MB)
