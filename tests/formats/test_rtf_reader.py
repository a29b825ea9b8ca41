"""read_rtf(): striprtf conversion, code pages, Unicode escapes, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.rtf_reader import read_rtf

RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss\fcharset0 Helvetica;}}"
    r"{\colortbl;\red255\green0\blue0;}"
    r"{\*\generator Riched20 10.0;}\viewkind4\uc1"
    "\r\n"
    r"\pard\f0\fs24 Interviewer: Caf\'e9 or tea?\par"
    "\r\n"
    r"P3: \b Tea\b0 , \u8364? 2 and a smile \u-10179?\u-8704?.\par"
    "\r\n"
    r"Tab\tab here.\par}"
)


def _write(tmp_path: Path, data: bytes, name: str = "t.rtf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as err:
        read_rtf(path)
    assert err.value.path == str(path)
    assert str(path) in str(err.value)
    return err.value.reason


def test_rtf_text(tmp_path: Path) -> None:
    result = read_rtf(_write(tmp_path, RTF.encode("ascii")))
    assert result.format == "rtf"
    assert result.text == "Interviewer: Café or tea?\nP3: Tea, € 2 and a smile 😀.\nTab\there.\n"
    assert result.warnings == []


def test_other_code_page(tmp_path: Path) -> None:
    rtf = r"{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0\fcharset204 Arial;}}\f0 \'cf\'f0\'e8\'e2\'e5\'f2\par}"
    assert read_rtf(_write(tmp_path, rtf.encode("ascii"))).text == "Привет\n"


def test_not_rtf(tmp_path: Path) -> None:
    assert _refused(_write(tmp_path, b"Just text, renamed.")) == "not an RTF file (it does not start with {\\rtf)"


def test_empty_and_blank(tmp_path: Path) -> None:
    assert _refused(_write(tmp_path, b"")) == "the file is empty"
    assert _refused(_write(tmp_path, rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\par\par}", "b.rtf")) == "contains no text"


def test_huge_rtf_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.rtf"
    with open(path, "wb") as f:
        f.truncate(101 * 1024 * 1024)
    assert _refused(path) == "larger than the 100 MB limit for a text source"
