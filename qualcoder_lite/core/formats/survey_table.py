"""Reading a survey export (one row per respondent, one column per question or variable)
from CSV or .xlsx into plain text cells, as hostile input: every refusal names the file and,
where it has one, the column and row.

CSV goes through the project's one CSV reader (``csvread``) after the same decoding as a
text source (encoding detected, ``--encoding`` forced); .xlsx through openpyxl in read-only
mode after the zip checks (size, ratio, member names). A cell holding a formula is refused:
its cached value may be stale or made up, and the formula itself is not an answer (save
the sheet "as values" first). In a CSV every cell is text and stays text: nothing is ever
evaluated, and every spreadsheet writer of the project neutralises a leading ``=``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from .checks import check_file

MB = 1024 * 1024
MAX_SURVEY_BYTES = 100 * MB
MAX_SURVEY_ROWS = 100_000
MAX_SURVEY_COLUMNS = 1_000
MAX_SURVEY_CELL_CHARS = 1_000_000
MAX_HEADER_CHARS = 500


@dataclass
class SurveyTable:
    path: Path
    columns: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells padded to the header)
    format: str  # "csv" | "xlsx"

    def column(self, name: str) -> int:
        return self.columns.index(name)


def read_survey_table(path: str | Path, encoding: str | None = None, max_rows: int | None = None) -> SurveyTable:
    """The header (first non-empty row) and the rows below it; ``max_rows`` stops early
    (a preview)."""
    path = Path(path)
    check_file(path, MAX_SURVEY_BYTES, "a survey table")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _table(path, _xlsx_rows(path, max_rows), "xlsx", max_rows)
    if path.suffix.lower() in (".xls", ".ods"):
        raise InputError(path, f"'{path.suffix}' workbooks are not read: save the sheet as .xlsx or .csv")
    return _table(path, _csv_rows(path, encoding), "csv", max_rows)


def _csv_rows(path: Path, encoding: str | None) -> Iterator[list[str]]:
    from .checks import read_bytes
    from .csvread import read_rows
    from .textfile import decode_bytes
    from .textnorm import normalise

    text, _warnings = decode_bytes(path, read_bytes(path, MAX_SURVEY_BYTES), encoding)
    yield from read_rows(path, normalise(text))


def _table(path: Path, rows: Iterator[list[str]], fmt: str, max_rows: int | None) -> SurveyTable:
    header: list[str] | None = None
    number = 0
    out: list[tuple[int, list[str]]] = []
    for row in rows:
        number += 1
        if header is None:
            if any(c.strip() for c in row):
                header = _header(path, row)
            continue
        if not any(c.strip() for c in row):
            continue
        if len(out) >= MAX_SURVEY_ROWS:
            raise InputError(path, f"has more than {MAX_SURVEY_ROWS:,} rows (the limit for a survey table); "
                                   "nothing was imported")
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise InputError(path, f"row {number} has more cells ({len(row)}) than the header ({len(header)})")
        cells = [c.strip() for c in row[:len(header)]] + [""] * max(0, len(header) - len(row))
        for i, c in enumerate(cells):
            if len(c) > MAX_SURVEY_CELL_CHARS:
                raise InputError(path, f"row {number}, column {header[i]!r}: a cell of {len(c):,} characters "
                                       f"(the limit is {MAX_SURVEY_CELL_CHARS:,})")
        out.append((number, cells))
        if max_rows is not None and len(out) >= max_rows:
            break
    if header is None:
        raise InputError(path, "has no header row (the first row must name the columns)")
    return SurveyTable(path, header, out, fmt)


def _header(path: Path, row: list[str]) -> list[str]:
    names = [c.strip() for c in row]
    while names and not names[-1]:  # spreadsheets pad rows
        names.pop()
    if len(names) > MAX_SURVEY_COLUMNS:
        raise InputError(path, f"has more than {MAX_SURVEY_COLUMNS:,} columns (the limit for a survey table)")
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if not name:
            raise InputError(path, f"column {i} has no name in the header row (every column needs one)")
        if len(name) > MAX_HEADER_CHARS:
            raise InputError(path, f"column {i}: the name is longer than {MAX_HEADER_CHARS} characters")
        if name in seen:
            raise InputError(path, f"column {name!r} appears twice in the header (columns {seen[name]} and {i})")
        seen[name] = i
    return names


def _xlsx_rows(path: Path, max_rows: int | None) -> Iterator[list[str]]:
    import zipfile
    from xml.etree.ElementTree import ParseError

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from .cells import xlsx_cell_text
    from .safezip import open_zip

    with open_zip(path, "an Excel workbook"):  # size, ratio and member-name checks first (zip bombs)
        pass
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError) as exc:
        raise InputError(path, f"is not a readable Excel workbook ({exc.__class__.__name__})") from None
    header: list[str] | None = None
    try:
        if not wb.worksheets:
            raise InputError(path, "has no worksheet")
        width = MAX_SURVEY_COLUMNS + 1
        for number, row in enumerate(wb.worksheets[0].iter_rows(max_col=width), start=1):
            cells = []
            for col, cell in enumerate(row, start=1):
                if getattr(cell, "data_type", None) == "f":
                    where = f"column {header[col - 1]!r}" if header and col <= len(header) else \
                        f"column {get_column_letter(col)}"
                    raise InputError(path, f"row {number}, {where}: the cell holds a formula, not an answer; "
                                           "save the sheet with values only (Paste special ▸ Values) and import that")
                cells.append(xlsx_cell_text(cell.value))
            if header is None and any(c.strip() for c in cells):
                header = [c.strip() for c in cells]
                while header and not header[-1]:
                    header.pop()
                width = len(header) + 1
            yield cells[:width]
    except (zipfile.BadZipFile, KeyError, ValueError, ParseError, EOFError) as exc:
        raise InputError(path, f"is a damaged Excel workbook ({exc.__class__.__name__})") from None
    finally:
        wb.close()
