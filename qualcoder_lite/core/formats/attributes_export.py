"""The attribute sheet (NVivo's classification sheet) as .csv or .xlsx: one row per case
(or source), one column per attribute, in the layout ``qualcoder-lite attributes``
imports again. Cells are data, never formulas (``cells``); number attributes are numbers
in Excel, every other value text as stored (leading zeros kept)."""

from __future__ import annotations

from pathlib import Path

from .. import outfile
from ..errors import QualCoderError, UsageError
from ..model import natural_key
from .cells import xlsx_clean, xlsx_set


def attribute_sheet(project, applies_to: str = "case") -> tuple[list[str], list[str], list[list[str]]]:
    """(header, attribute types, rows) with rows in natural name order (P2 before P10)."""
    attrs = project.attributes.all(applies_to)
    if applies_to == "case":
        items = [(c.id, c.name) for c in project.cases.all()]
        values = project.attributes.case_values()
    else:
        items = [(s.id, s.name) for s in project.sources.all()]
        values = project.attributes.source_values()
    items.sort(key=lambda item: natural_key(item[1]))
    head = [applies_to] + [a.name for a in attrs]
    rows = [[name] + [values.get(item_id, {}).get(a.name, "") for a in attrs] for item_id, name in items]
    return head, [a.type for a in attrs], rows


def _number(value: str):
    try:
        f = float(value)
    except ValueError:
        return value
    return int(f) if f.is_integer() and "." not in value and "e" not in value.lower() else f


def write_attribute_sheet(project, target: "str | Path | outfile.Output", applies_to: str = "case") -> Path:
    target = outfile.for_project(target, project)
    path = Path(target.path)
    kind = path.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise UsageError(f"{path.name}: choose a .csv or .xlsx file name for the attribute sheet")
    outfile.check(target)
    head, types, rows = attribute_sheet(project, applies_to)
    if not rows:
        what = "cases" if applies_to == "case" else "sources"
        raise QualCoderError(f"nothing to export: the project has no {what}; {path} was not written")
    if kind == ".csv":
        from .tables_csv import write_rows_csv

        return write_rows_csv(head, rows, target)

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Cases" if applies_to == "case" else "Sources"
    for j, h in enumerate(head, start=1):
        xlsx_set(ws.cell(row=1, column=j), xlsx_clean(h))
        ws.cell(row=1, column=j).font = Font(bold=True)
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r, start=1):
            typed = _number(v) if j > 1 and v and types[j - 2] == "number" else v
            xlsx_set(ws.cell(row=i, column=j), xlsx_clean(typed))
    ws.freeze_panes = "B2"
    return outfile.write_file(target, wb.save)
