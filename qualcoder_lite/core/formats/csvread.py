"""Reading a CSV a person saved from a spreadsheet: the delimiter is guessed (comma,
semicolon or tab: European Excel writes semicolons), the quote character is always the
double quote, and cells our own exports guarded against formulas (``'=x``) read back as
they were written (``cells.unguard``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import InputError
from .cells import unguard


class _Dialect(csv.excel):
    pass


def dialect_for(text: str) -> type[csv.Dialect]:
    """Only the delimiter is guessed: the sniffer also guesses a quote character, and a
    file of guarded cells ('=x) would make it pick the apostrophe."""
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    return type("SniffedDialect", (_Dialect,), {"delimiter": delimiter})


def read_rows(path: str | Path, text: str) -> list[list[str]]:
    """All rows of ``text`` (the decoded file ``path``), guards taken off."""
    reader = csv.reader(io.StringIO(text), dialect_for(text))
    try:
        return [[unguard(c) for c in row] for row in reader]
    except csv.Error as exc:
        raise InputError(path, f"row {reader.line_num}: is not a readable CSV ({exc})") from None
