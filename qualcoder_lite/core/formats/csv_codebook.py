"""Codebook export as .csv: one row per code, for spreadsheets and other tools."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from ..errors import QualCoderError
from ..services.codebook import CodebookRow

CSV_COLUMNS = ("code", "level", "name", "description", "summary", "color", "codings", "cases",
               "codings_with_subcodes", "cases_with_subcodes")


def codebook_csv_text(rows: list[CodebookRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        d = r.as_dict()
        w.writerow([d[c] for c in CSV_COLUMNS])
    return buf.getvalue()


def write_codebook_csv(rows: list[CodebookRow], path: str | Path) -> Path:
    """UTF-8 with a byte-order mark, so Excel shows accents and curly quotes correctly."""
    path = Path(path)
    if not path.parent.is_dir():
        raise QualCoderError(f"{path}: the folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            fh.write(codebook_csv_text(rows))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
