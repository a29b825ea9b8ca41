"""read_source(): dispatch by extension, refusals, and the contract every reader keeps."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import qualcoder_lite.core.formats as formats_pkg
from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.readers import SUPPORTED_EXTENSIONS, read_source
from tests.helpers import FIXTURES

EXAMPLES = FIXTURES / "qualcoder-examples" / "files" / "Examples"
GOODBOY = FIXTURES / "hitsave-interviews" / "files" / "2023" / "Goodboy Galaxy" / "Goodboy Galaxy - Rik Nicol"
RFC1 = FIXTURES / "changelog-rfc" / "files" / "rfc" / "request-for-commits-1.md"

REAL_FILES = [
    (EXAMPLES / "ID1.docx", "docx"),
    (EXAMPLES / "ID2.odt", "odt"),
    (EXAMPLES / "transcript.txt", "txt"),
    (RFC1, "md"),
    (Path(f"{GOODBOY}.srt"), "srt"),
    (Path(f"{GOODBOY}.vtt"), "vtt"),
    (Path(f"{GOODBOY}.txt"), "txt"),
]


@pytest.mark.parametrize(("path", "fmt"), REAL_FILES, ids=[p.name for p, _ in REAL_FILES])
def test_real_files_are_normalised(path: Path, fmt: str) -> None:
    result = read_source(path)
    assert result.format == fmt
    assert result.text.strip()
    assert "\r" not in result.text
    assert not result.text.startswith("\ufeff")
    assert (result.turns is not None) == (fmt in ("srt", "vtt"))


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    for name in ("A.TXT", "b.Markdown", "c.text"):
        copy = tmp_path / name
        shutil.copy(EXAMPLES / "transcript.txt", copy)
        assert read_source(copy).text.startswith("[id1] hello")
    shutil.copy(EXAMPLES / "ID1.docx", tmp_path / "ID1.DOCX")
    assert read_source(tmp_path / "ID1.DOCX").format == "docx"


def test_encoding_is_passed_to_text_readers(tmp_path: Path) -> None:
    path = tmp_path / "greek.txt"
    path.write_bytes("Γειά\n".encode("cp1253"))
    assert read_source(path, encoding="cp1253").text == "Γειά\n"
    assert read_source(str(path), encoding="cp1253").text == "Γειά\n"


def test_nonexistent(tmp_path: Path) -> None:
    path = tmp_path / "missing.docx"
    with pytest.raises(InputError) as err:
        read_source(path)
    assert err.value.reason == "no such file"
    assert str(path) in str(err.value)


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder, not a file"):
        read_source(folder)


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "audio.xyz"
    path.write_bytes(b"data")
    with pytest.raises(InputError) as err:
        read_source(path)
    assert err.value.reason.startswith("unsupported file type '.xyz' (supported: .txt, ")
    for ext in (".docx", ".odt", ".rtf", ".pdf", ".srt", ".vtt", ".md"):
        assert ext in err.value.reason
    no_ext = tmp_path / "README"
    no_ext.write_text("hi", encoding="utf-8")
    with pytest.raises(InputError, match=r"unsupported file type \(no extension\)"):
        read_source(no_ext)


def test_supported_extensions() -> None:
    assert set(SUPPORTED_EXTENSIONS) == {
        ".txt", ".text", ".md", ".markdown", ".docx", ".odt", ".rtf", ".pdf", ".srt", ".vtt"
    }


def test_whitespace_only_refused_for_every_text_format(tmp_path: Path) -> None:
    for name in ("blank.txt", "blank.md"):
        path = tmp_path / name
        path.write_text("  \n\t\n", encoding="utf-8")
        with pytest.raises(InputError, match="contains no text"):
            read_source(path)


def test_formats_never_import_qt() -> None:
    qt = re.compile(r"^\s*(from|import)\s+(PySide\d|PyQt\d|shiboken\d)", re.MULTILINE)
    sources = list(Path(formats_pkg.__file__).parent.glob("*.py"))
    assert len(sources) >= 10
    assert [p.name for p in sources if qt.search(p.read_text(encoding="utf-8"))] == []
