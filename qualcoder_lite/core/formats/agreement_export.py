"""Write a coder-comparison table (``services.agreement.Comparison``) to .csv or .docx.

Rows are written lowest kappa first (undefined kappa last), the overall row at the end.
An undefined statistic is an empty cell (CSV) or an en dash (Word), never NaN.
The file is written to a temporary name beside the target and renamed into place, so a
failure never leaves half a file.
"""

from __future__ import annotations

import csv
import datetime as _dt
from pathlib import Path

from .. import codepath, outfile
from ..errors import QualCoderError, UsageError
from .cells import csv_row

FORMATS = (".csv", ".docx")
UNIT_WORDS = {"character": "characters", "sentence": "sentences", "paragraph": "paragraphs", "turn": "speaker turns"}


def headers(comparison) -> list[str]:
    a, b = comparison.coders[0], comparison.coders[1]
    cols = ["Code", "Kappa", "Agreement (%)", f"{a} only", f"{b} only", "Both", "Neither", "Units"]
    cols.append("Alpha" if len(comparison.coders) == 2 else f"Alpha ({len(comparison.coders)} coders)")
    return cols


def _num(v: float | None, digits: int) -> str:
    return "" if v is None else f"{round(v, digits) + 0.0:.{digits}f}"


def table_rows(comparison, grouped: bool = False) -> list[list[str]]:
    """Lowest kappa first, the overall row last; ``grouped`` writes 12,345 (for people).
    Codes are named as a person reads them (``Funding › Money / funding``) in every format."""
    count = (lambda n: f"{n:,}") if grouped else str
    rows = []
    for r in comparison.by_kappa() + [comparison.overall]:
        rows.append([
            "Overall (all codes listed)" if r.overall else codepath.display(r.code_path),
            _num(r.kappa, 4), _num(r.agreement, 2), count(r.a_only), count(r.b_only), count(r.both),
            count(r.neither), count(r.units), _num(r.alpha, 4),
        ])
    return rows


def export(comparison, target: "str | Path | outfile.Output") -> Path:
    """Write the table in the format named by the file's extension (.csv or .docx)."""
    path = Path(outfile.as_output(target).path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"{path}: choose a .csv or .docx file for the agreement table")
    if not comparison.rows:
        raise QualCoderError("nothing to export: neither coder applied any of the codes compared")
    return outfile.write_file(target, (lambda p: write_csv(comparison, p)) if suffix == ".csv" else
                              (lambda p: write_docx(comparison, p)))


def write_csv(comparison, path: Path) -> None:
    # utf-8-sig: Excel opens it with the right encoding
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(csv_row(headers(comparison)))
        w.writerows(csv_row(r) for r in table_rows(comparison))


def describe(comparison) -> str:
    a, b = comparison.coders[0], comparison.coders[1]
    unit = UNIT_WORDS.get(comparison.unit, comparison.unit)
    extra = ""
    if len(comparison.coders) > 2:
        extra = f" Alpha across {', '.join(comparison.coders)}."
    return (f"Coders compared: {a} and {b}.{extra} Unit: {unit}. Sources: {comparison.sources}. "
            f"Codes are listed lowest kappa first.")


NOTE = (
    "A unit counts as coded by a coder when any of their codings of the code overlaps it. "
    "Agreement = (both + neither) / units. Cohen's kappa = (po − pe) / (1 − pe), where po is the "
    "agreement and pe = pA·pB + (1 − pA)(1 − pB) from each coder's share of coded units. "
    "Krippendorff's alpha (nominal, coded / not coded) = 1 − (n − 1)·o01 / (n0·n1) from the "
    "coincidence matrix. A dash means the statistic is undefined (e.g. no coder coded anything, "
    "so there is no variation to agree about)."
)


def write_docx(comparison, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]  # landscape: a long code path and eight numbers side by side
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    widths = [Cm(8.0)] + [Cm(1.9)] * 8
    doc.add_heading(f"Coder comparison: {comparison.coders[0]} and {comparison.coders[1]}", level=1)
    doc.add_paragraph(describe(comparison))
    head = headers(comparison)
    rows = table_rows(comparison, grouped=True)
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths):  # the grid (LibreOffice reads this)
        column.width = width
    for i, h in enumerate(head):
        cell = table.rows[0].cells[i]
        cell.width = widths[i]
        run = cell.paragraphs[0].add_run(h)
        run.bold = True
        run.font.size = Pt(9)
        if i > 0:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for n, values in enumerate(rows):
        cells = table.add_row().cells
        last = n == len(rows) - 1
        for i, v in enumerate(values):
            cells[i].width = widths[i]
            para = cells[i].paragraphs[0]
            run = para.add_run(v if v != "" else "–")
            run.bold = last
            run.font.size = Pt(9)
            if i > 0:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    note = doc.add_paragraph()
    run = note.add_run(NOTE)
    run.italic = True
    run.font.size = Pt(8)
    stamp = doc.add_paragraph()
    stamp.add_run(f"Generated {_dt.date.today().isoformat()} by QualCoder Lite.").font.size = Pt(8)
    doc.save(str(path))
