"""Normalisation applied to every source text at import (DESIGN: data rules)."""

from __future__ import annotations

BOM = "\ufeff"


def normalise(text: str) -> str:
    """Return ``text`` with a leading BOM dropped and CRLF / lone CR turned into LF.

    Nothing else changes: Unicode normalisation (NFC/NFD) is left as it is, so the
    code-point offsets of a coding stay valid against the stored text.
    """
    if text.startswith(BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
