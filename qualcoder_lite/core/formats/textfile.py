"""Plain-text sources (.txt, .md): size checks, encoding detection, normalisation.

A Markdown file (.md, .markdown) is then read as Markdown: its stored text is what a
reader of the rendered page sees (``formats.markdown``), so offsets, search and quotes
never contain markup.

Detection, in order: a BOM (UTF-8, UTF-32, UTF-16); UTF-16 without BOM recognised by
its NUL bytes; NUL bytes otherwise mean a binary file; strict UTF-8; Windows-1252 as a
fallback with a warning, only when the result looks like text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.checks import MAX_TEXT_BYTES, check_file, read_bytes, require_text
from qualcoder_lite.core.formats.result import ReadResult
from qualcoder_lite.core.formats.textnorm import normalise

# Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters other than tab, LF, CR and form feed (C0, DEL and C1).
_BAD_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
#: How much of the file the UTF-16 sniffing looks at.
_SNIFF_BYTES = 8192
#: UTF-16 without BOM: at least this share of NULs on one byte parity...
_UTF16_NUL_SHARE = 0.3
#: ...and at most this share on the other (CJK such as U+4E00 has a zero low byte).
_UTF16_OTHER_NUL_SHARE = 0.05
#: Windows-1252 fallback: at most this share of non-space characters outside ASCII.
_MAX_NON_ASCII_SHARE = 0.3

MARKDOWN_EXTENSIONS = (".md", ".markdown")

CP1252_WARNING = "not valid UTF-8; read as Windows-1252"


def read_text_file(path: str | Path, encoding: str | None = None) -> ReadResult:
    """Read a .txt or .md file; ``encoding`` forces a codec instead of detection."""
    text, warnings, utf8 = _read_text(path, encoding)
    fmt = "md" if Path(path).suffix.lower() in MARKDOWN_EXTENSIONS else "txt"
    if fmt == "md":
        from qualcoder_lite.core.formats.markdown import markdown_to_text

        text = markdown_to_text(require_text(path, text))
        utf8 = None
    return ReadResult(text=require_text(path, text), format=fmt, warnings=warnings, utf8=utf8)


def read_text(path: str | Path, encoding: str | None = None) -> tuple[str, list[str]]:
    """Check, read and decode a text file; return normalised text and warnings.

    Shared by the subtitle readers. Raises ``InputError`` naming the file and reason.
    """
    text, warnings, _utf8 = _read_text(path, encoding)
    return text, warnings


def _read_text(path: str | Path, encoding: str | None) -> tuple[str, list[str], bytes | None]:
    """``read_text``, and the file's bytes when they are the text's UTF-8 (decoded as UTF-8,
    nothing normalised away): what an import stores, without encoding the text again."""
    check_file(path, MAX_TEXT_BYTES, "a text source")
    data = read_bytes(path, MAX_TEXT_BYTES)
    decoded, warnings, utf8 = _decode(path, data, encoding)
    text = normalise(decoded)
    return text, warnings, data if utf8 and text is decoded else None


def decode_bytes(path: str | Path, data: bytes, encoding: str | None = None) -> tuple[str, list[str]]:
    """Decode ``data`` read from ``path`` (see the module doc for the order of guesses)."""
    text, warnings, _utf8 = _decode(path, data, encoding)
    return text, warnings


def _decode(path: str | Path, data: bytes, encoding: str | None) -> tuple[str, list[str], bool]:
    """``decode_bytes``, and whether the text is all of ``data`` read as UTF-8."""
    if encoding is not None:
        return _decode_forced(path, data, encoding), [], False
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_strict(path, data[len(bom):], codec), [], False
    utf16 = _sniff_utf16(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            text = None
        if text is not None and _looks_like_text(text):
            return text, [], False
    if b"\x00" in data:
        raise InputError(path, "looks like a binary file (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), [], True
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_like_text(text) and _mostly_ascii(text):
        return text, [CP1252_WARNING], False
    bad = data[utf8_error.start]
    raise InputError(
        path,
        f"not valid UTF-8 and not Windows-1252 text "
        f"(first bad byte 0x{bad:02X} at offset {utf8_error.start})",
    )


def _decode_forced(path: str | Path, data: bytes, encoding: str) -> str:
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InputError(path, f"unknown encoding {encoding!r}") from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib ...: not text encodings
        raise InputError(path, f"{encoding!r} is not a text encoding")
    return _decode_strict(path, data, encoding)


def _decode_strict(path: str | Path, data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        bad = data[exc.start] if exc.start < len(data) else 0
        raise InputError(
            path, f"not valid {codec} text (first bad byte 0x{bad:02X} at offset {exc.start})"
        ) from None


def _sniff_utf16(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NULs sit mostly on one byte parity, else None."""
    sample = data[:_SNIFF_BYTES]
    if len(sample) < 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_share, odd_share = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_share >= _UTF16_NUL_SHARE and even_share <= _UTF16_OTHER_NUL_SHARE:
        return "utf-16-le"  # ASCII 'a' is 61 00
    if even_share >= _UTF16_NUL_SHARE and odd_share <= _UTF16_OTHER_NUL_SHARE:
        return "utf-16-be"
    return None


def _looks_like_text(text: str) -> bool:
    """No control characters other than tab, newlines and form feed."""
    return _BAD_CONTROLS.search(text) is None


def _mostly_ascii(text: str) -> bool:
    """At most 30% of the non-space characters are outside ASCII (cp1252 guess check)."""
    visible = len("".join(text.split()))
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii <= _MAX_NON_ASCII_SHARE * visible
