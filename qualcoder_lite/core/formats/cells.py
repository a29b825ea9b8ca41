"""Spreadsheet cells are text, never formulas (OWASP "CSV injection").

A code name, memo, attribute value or summary that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return would be read by Excel, LibreOffice and Google Sheets as a
formula (``=HYPERLINK(...)`` leaks data when clicked). Every CSV and XLSX writer passes
its values through here:

- CSV cells get the OWASP ``'`` prefix (``'=SUM(A1)``); our own CSV importers
  (codebook, attributes, pseudonym keys) take it off again (``unguard``), so a round trip
  is lossless. A plain number such as ``-3`` or ``+44`` is no formula and stays as it is.
- XLSX cells are written as text cells (never formula cells), with Excel's "quote
  prefix" style so editing the cell does not turn it into a formula either; no
  character is added to what the reader sees.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_dangerous(value: str) -> bool:
    return bool(value) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value)


def csv_cell(value: Any) -> Any:
    """A CSV cell value that no spreadsheet reads as a formula."""
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def unguard(value: str) -> str:
    """Undo ``csv_cell`` when reading our own CSV back (``'=x`` -> ``=x``)."""
    if len(value) > 1 and value[0] == "'" and is_dangerous(value[1:]):
        return value[1:]
    return value


def xlsx_set(cell, value: Any) -> None:
    """Put ``value`` into an openpyxl cell as data: strings are always text cells."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes "=..." a formula cell; this keeps it text
        if is_dangerous(value):
            cell.quotePrefix = True


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_clean(value: Any) -> Any:
    """Drop control characters an .xlsx file cannot carry (openpyxl refuses them)."""
    return _ILLEGAL_XML.sub("", value) if isinstance(value, str) else value


def xlsx_cell_text(value) -> str:
    """A workbook cell's value as the text a CSV would hold (dates ISO, 3.0 as 3, booleans yes/no)."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
