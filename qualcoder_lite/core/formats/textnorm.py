"""Normalisation applied to every source text at import (DESIGN: data rules)."""

from __future__ import annotations

BOM = "\ufeff"


def normalise(text: str) -> str:
    """Return ``text`` with a leading BOM dropped, CRLF / lone CR turned into LF and NUL
    characters removed (SQLite's text functions stop at a NUL, so a stray one from an RTF or
    PDF would hide the rest of the source from ``length()`` and ``substr()``).

    Nothing else changes: Unicode normalisation (NFC/NFD) is left as it is, so the
    code-point offsets of a coding stay valid against the stored text.
    """
    if text.startswith(BOM):
        text = text[1:]
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
