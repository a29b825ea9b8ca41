"""A plain table (a header and rows) as CSV for spreadsheets: UTF-8 with a byte-order
mark (Excel reads the accents), every cell guarded against formulas, written through the
one output guard."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Iterable

from .. import outfile
from .cells import csv_row


def write_rows_csv(head: list[str], rows: Iterable[Iterable[Any]], target: "str | Path | outfile.Output") -> Path:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(csv_row(head))
            w.writerows(csv_row(r) for r in rows)

    return outfile.write_file(target, write)
