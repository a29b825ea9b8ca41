"""Rich Text Format sources, converted with striprtf.

RTF is 7-bit text in principle; stray 8-bit bytes are decoded as UTF-8 when valid,
else with the document's ``\\ansicpg`` code page (Windows-1252 by default). Emoji and
other characters outside the BMP arrive from striprtf as surrogate pairs
(``\\u-10179?\\u-8704?``) and are joined back into single code points.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.checks import MAX_TEXT_BYTES, check_file, read_bytes, require_text
from qualcoder_lite.core.formats.result import ReadResult
from qualcoder_lite.core.formats.textnorm import normalise

_MAGIC = b"{\\rtf"
_ANSICPG = re.compile(rb"\\ansicpg(\d{1,5})")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACED_WARNING = "some characters could not be decoded and were replaced by \ufffd"


def read_rtf(path: str | Path) -> ReadResult:
    """Read the text of an .rtf file; raise ``InputError`` for anything unreadable."""
    check_file(path, MAX_TEXT_BYTES, "a text source")
    data = read_bytes(path, MAX_TEXT_BYTES)
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(_MAGIC):
        raise InputError(path, "not an RTF file (it does not start with {\\rtf)")
    codepage = _codepage(data)
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        source = data.decode(codepage, errors="replace")
    try:
        text = rtf_to_text(source, encoding=codepage, errors="replace")
    except LookupError as exc:  # a font charset whose codec Python lacks (e.g. mac_japanese)
        raise InputError(path, f"uses a character set that cannot be decoded ({exc})") from None
    except OverflowError:  # \u99999999999: chr() of a number past a C int
        raise InputError(path, "the RTF is damaged (a \\u character code is out of range)") from None
    except (ValueError, IndexError) as exc:
        raise InputError(path, f"the RTF is damaged ({exc})") from None
    text = _join_surrogates(text)
    warnings = [REPLACED_WARNING] if "\ufffd" in text and "\ufffd" not in source else []
    return ReadResult(text=require_text(path, normalise(text)), format="rtf", warnings=warnings)


def _codepage(data: bytes) -> str:
    """The codec named by ``\\ansicpg`` when Python knows it, else cp1252."""
    match = _ANSICPG.search(data[:4096])
    if match:
        name = f"cp{int(match.group(1))}"
        try:
            codecs.lookup(name)
        except LookupError:
            return "cp1252"
        return name
    return "cp1252"


def _join_surrogates(text: str) -> str:
    """Turn UTF-16 surrogate pairs into code points; lone surrogates become U+FFFD."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
