"""Codebook export as .csv: one row per code, for spreadsheets and other tools."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .. import outfile
from ..model import CodebookRow
from .cells import csv_row

CSV_COLUMNS = ("code", "level", "name", "description", "summary", "color", "codings", "cases",
               "codings_with_subcodes", "cases_with_subcodes")


def codebook_csv_text(rows: list[CodebookRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        d = r.as_dict()
        w.writerow(csv_row(d[c] for c in CSV_COLUMNS))
    return buf.getvalue()


def write_codebook_csv(rows: list[CodebookRow], path: "str | Path | outfile.Output") -> Path:
    """UTF-8 with a byte-order mark, so Excel shows accents and curly quotes correctly."""
    return outfile.write_text(path, codebook_csv_text(rows), encoding="utf-8-sig", newline="")
