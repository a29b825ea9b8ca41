"""The one CSV reader, for a CSV a person saved from a spreadsheet (attribute tables,
codebooks): the delimiter is guessed (comma, semicolon or tab: European Excel writes
semicolons), the quote character is always the double quote, and cells our own exports
guarded against formulas (``'=x``) read back as they were written (``cells.unguard``).

The text comes decoded (``textfile``: BOM, UTF-16, UTF-8, then the Windows code page,
errors naming the file). sqlite-utils' ``rows_from_file`` was measured against this and
not used: it turns the header into dict keys (a header-less codebook loses its first row,
repeated column names collapse), decodes UTF-8 only (no file name in the error), reads a
file starting with ``[`` as JSON, lets the sniffer guess the quote character, and keeps
the guards."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

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


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time (``io.StringIO`` would hold a second copy of it,
    four bytes a character)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def iter_rows(path: str | Path, text: str) -> Iterator[list[str]]:
    """The rows of ``text`` (the decoded file ``path``) as they come, guards taken off."""
    reader = csv.reader(_lines(text), dialect_for(text))
    try:
        for row in reader:
            yield [unguard(c) for c in row]
    except csv.Error as exc:
        raise InputError(path, f"row {reader.line_num}: is not a readable CSV ({exc})") from None


def read_rows(path: str | Path, text: str) -> list[list[str]]:
    """All rows of ``text`` (the decoded file ``path``), guards taken off."""
    return list(iter_rows(path, text))
