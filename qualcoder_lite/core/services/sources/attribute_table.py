"""Reading an attributes table from a file (CSV or the first sheet of an .xlsx: first column the
case id, header = attribute names), checked as it is read against the limits in
``core.limits``, each column's type given or inferred."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from ...errors import InputError, UsageError
from ...formats.cells import xlsx_cell_text
from ...formats.checks import check_file
from ...wording import one_line
from ...limits import (MAX_ATTRIBUTE_CELLS, MAX_ATTRIBUTE_COLUMNS, MAX_ATTRIBUTE_FILE_BYTES,
    MAX_ATTRIBUTE_NAME_CHARS, MAX_ATTRIBUTE_ROWS, MAX_ATTRIBUTE_VALUE_CHARS)
from .attributes import TYPES, AttributeTable, check_value, infer_type


def _decode_csv(path: Path) -> str:
    from ...formats.textfile import read_text_file

    return read_text_file(path).text


def read_attribute_csv(path: str | Path, type_overrides: dict[str, str] | None = None) -> AttributeTable:
    """Parse and check an attributes CSV (first column case id, header = attribute names)."""
    path = Path(path)
    check_file(path, MAX_ATTRIBUTE_FILE_BYTES, "an attributes table")
    text = _decode_csv(path)
    from ...formats.csvread import iter_rows

    return _table_from_rows(path, iter_rows(path, text), type_overrides)


def _table_from_rows(path: Path, rows: Iterable[list[str]], type_overrides: dict[str, str] | None) -> AttributeTable:
    """Check the rows as they come (the limits in ``core.limits`` stop a huge file early)."""
    rows = iter(rows)
    header, lineno = _header(path, rows)
    names = header[1:]
    parsed = _parse_rows(path, rows, header, lineno)
    types = _column_types(path, names, parsed, type_overrides)
    return AttributeTable(path, names, types, parsed)


def _header(path: Path, rows) -> tuple[list[str], int]:
    """The checked header row (case column, then attribute names) and its line number."""
    header: list[str] | None = None
    lineno = 0
    for row in rows:
        lineno += 1
        if any(cell.strip() for cell in row):
            header = [h.strip() for h in row]
            break
    if header is None:
        raise InputError(path, "has no header row")
    while header and not header[-1]:  # trailing empty cells (spreadsheets pad rows)
        header.pop()
    if len(header) < 2:
        raise InputError(path, "needs a case column and at least one attribute column")
    if len(header) - 1 > MAX_ATTRIBUTE_COLUMNS:
        raise InputError(path, f"has more than {MAX_ATTRIBUTE_COLUMNS:,} attribute columns (the limit for an "
                               "attributes table); nothing was imported")
    names = header[1:]
    for i, name in enumerate(names, start=2):
        if not name:
            raise InputError(path, f"column {i} has an empty attribute name in the header")
        if len(name) > MAX_ATTRIBUTE_NAME_CHARS:
            raise InputError(path, f"column {i}: the attribute name is longer than {MAX_ATTRIBUTE_NAME_CHARS:,} "
                                   "characters")
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise InputError(path, f"attribute {sorted(dupes)[0]!r} appears twice in the header")
    return header, lineno


def _parse_rows(path: Path, rows, header: list[str], lineno: int) -> list[tuple[str, dict[str, str]]]:
    """(case, {attribute: value}) of every row after the header (at line ``lineno``)."""
    names = header[1:]
    max_rows = min(MAX_ATTRIBUTE_ROWS, MAX_ATTRIBUTE_CELLS // len(names))
    seen: dict[str, int] = {}
    parsed: list[tuple[str, dict[str, str]]] = []
    for count, row in enumerate(rows, start=1):
        lineno += 1
        if count > MAX_ATTRIBUTE_ROWS:
            raise InputError(path, f"has more than {MAX_ATTRIBUTE_ROWS:,} rows (the limit for an attributes "
                                   "table); nothing was imported")
        if not any(cell.strip() for cell in row):
            continue
        if len(parsed) >= max_rows:
            raise InputError(path, f"has more than {MAX_ATTRIBUTE_CELLS:,} values ({len(names):,} attributes x "
                                   f"{max_rows:,} rows is the limit for an attributes table); nothing was imported")
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise InputError(path, f"row {lineno} has more cells ({len(row)}) than the header ({len(header)})")
        case = one_line(row[0]) if row else ""  # a line break in the cell: one line, as the case is named
        if not case:
            raise InputError(path, f"row {lineno}: the case id (first column) is empty")
        if len(case) > MAX_ATTRIBUTE_NAME_CHARS:
            raise InputError(path, f"row {lineno}: the case id is longer than {MAX_ATTRIBUTE_NAME_CHARS:,} characters")
        if case in seen:
            raise InputError(path, f"row {lineno}: case {case!r} appears twice (first on row {seen[case]})")
        seen[case] = lineno
        values = {n: (row[i + 1].strip() if i + 1 < len(row) else "") for i, n in enumerate(names)}
        for n, v in values.items():
            if len(v) > MAX_ATTRIBUTE_VALUE_CHARS:
                raise InputError(path, f"row {lineno}, attribute {n!r}: a value of {len(v):,} characters (the "
                                       f"limit is {MAX_ATTRIBUTE_VALUE_CHARS:,})")
        parsed.append((case, values))
    return parsed


def _column_types(path: Path, names: list[str], parsed: list[tuple[str, dict[str, str]]],
                  type_overrides: dict[str, str] | None) -> dict[str, str]:
    """Each attribute's type: given in ``type_overrides`` or inferred; every value checked."""
    types: dict[str, str] = {}
    overrides = dict(type_overrides or {})
    for name in names:
        col = [vals[name] for _, vals in parsed]
        t = overrides.pop(name, None) or infer_type(col)
        if t not in TYPES:
            raise UsageError(f"unknown attribute type {t!r} for {name!r} (text, number, date or boolean)")
        for (case, vals) in parsed:
            try:
                check_value(vals[name], t, f"{path}: case {case!r}, attribute {name!r}")
            except UsageError as exc:
                raise InputError(None, str(exc)) from None
        types[name] = t
    if overrides:
        raise UsageError(f"--type names attribute {sorted(overrides)[0]!r}, which is not in {path.name}")
    return types


def read_attribute_xlsx(path: str | Path, type_overrides: dict[str, str] | None = None) -> AttributeTable:
    """The first sheet of an .xlsx laid out like the CSV (first column the case id)."""
    import zipfile

    from openpyxl import load_workbook

    from xml.etree.ElementTree import ParseError

    from ...formats.safezip import open_zip

    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    with open_zip(path, "an Excel workbook"):  # size, ratio and member-name checks first (zip bombs)
        pass
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError) as exc:
        raise InputError(path, f"is not a readable Excel workbook ({exc.__class__.__name__})") from None
    try:
        if not wb.worksheets:
            raise InputError(path, "has no worksheet")
        return _table_from_rows(path, _xlsx_rows(path, wb.worksheets[0]), type_overrides)
    finally:
        wb.close()


def _xlsx_rows(path: Path, ws) -> Iterator[list[str]]:
    """Rows of a read-only sheet as text, one at a time. openpyxl pads every row to the
    width the sheet declares (up to 16,384 columns): the header is read at most one
    column wider than the column limit allows, the rows below it one column wider than
    the header (enough to see a cell past the header)."""
    import zipfile
    from xml.etree.ElementTree import ParseError

    try:
        width, start = MAX_ATTRIBUTE_COLUMNS + 2, 1
        for row in ws.iter_rows(values_only=True, max_col=width):
            cells = [xlsx_cell_text(v) for v in row]
            yield cells
            start += 1
            if any(c.strip() for c in cells):  # the header: the rest need not be wider than it
                while cells and not cells[-1].strip():
                    cells.pop()
                width = len(cells) + 1
                break
        else:
            return
        for row in ws.iter_rows(values_only=True, min_row=start, max_col=width):
            yield [xlsx_cell_text(v) for v in row]
    except (zipfile.BadZipFile, KeyError, ValueError, ParseError, EOFError) as exc:
        raise InputError(path, f"is a damaged Excel workbook ({exc.__class__.__name__})") from None


def read_attribute_table(path: str | Path, type_overrides: dict[str, str] | None = None) -> AttributeTable:
    """CSV or .xlsx by extension."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return read_attribute_xlsx(path, type_overrides)
    return read_attribute_csv(path, type_overrides)
