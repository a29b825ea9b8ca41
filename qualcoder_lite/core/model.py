"""Plain dataclasses for what the project holds (read side; no Qt, no SQL), and the plain
results the services hand to the file writers (a framework chart, codebook rows, Table 1)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Coder:
    id: int
    name: str
    color: str | None = None


@dataclass(frozen=True)
class Source:
    id: int
    guid: str
    name: str
    kind: str
    length: int
    words: int
    file_format: str | None
    memo: str = ""
    cases: tuple[str, ...] = ()
    codings: int = 0


@dataclass(frozen=True)
class Turn:
    """A speaker turn: ``label_start:label_end`` is the label, ``start:end`` what was said."""

    speaker: str | None
    label_start: int
    label_end: int
    start: int
    end: int
    timestamp: str | None = None


@dataclass(frozen=True)
class Case:
    id: int
    guid: str
    name: str
    memo: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attribute:
    id: int
    name: str
    type: str  # text | number | date | boolean
    applies_to: str = "case"


@dataclass(frozen=True)
class Code:
    id: int
    guid: str
    parent_id: int | None
    name: str
    path: tuple[str, ...]
    description: str = ""
    color: str = "#9e9e9e"
    memo: str = ""
    position: int = 0

    @property
    def path_str(self) -> str:
        """The escaped path (``A\\/B/C``): command line, JSON and the codebook CSV only."""
        from .codepath import join

        return join(self.path)

    @property
    def display_path(self) -> str:
        """The path as a person reads it (``A/B › C``): the app and every document."""
        from .codepath import display

        return display(self.path)


@dataclass(frozen=True)
class Coding:
    id: int
    guid: str
    source_id: int
    code_id: int
    coder: str
    start: int
    end: int
    memo: str = ""
    created: str = ""
    quote_edit: str | None = None


@dataclass(frozen=True)
class Segment:
    """A coding joined with what a retrieval table shows."""

    coding_id: int
    source: str
    source_id: int
    case: str | None
    cases: tuple[str, ...]
    code: str
    code_path: tuple[str, ...]
    code_id: int
    start: int
    end: int
    text: str
    coder: str
    memo: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def display_path(self) -> str:
        """The code's path as a person reads it (``code`` is the escaped form, for JSON)."""
        from .codepath import display

        return display(self.code_path)


@dataclass(frozen=True)
class Memo:
    id: int
    kind: str
    target_id: int | None
    title: str
    body: str
    coder: str | None
    created: str
    modified: str


# Distinct stripe colours for coders (colour-blind safe, Okabe-Ito).
CODER_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")


_DIGITS = re.compile(r"(\d+)")


@functools.lru_cache(maxsize=1 << 16)
def natural_key(s: str | None) -> tuple:
    """P2 before P10; case-insensitive. (Cached: a report sorts 50,000 quotes by a few
    thousand source and case names.)"""
    if s is None:
        return ((1, ""),)
    return tuple((0, int(p)) if p.isdigit() else (1, p.casefold()) for p in _DIGITS.split(s) if p != "")


# ----------------------------------------------------------------------------- what services hand to writers
# Plain data the services build and the file writers (``formats/``) print: a writer takes
# these and never calls a service.


# the framework matrix (``services.matrix`` builds it, ``formats.matrix_export`` prints it)
@dataclass(frozen=True)
class MatrixRow:
    id: int
    name: str
    group: str | None = None  # the group-by attribute's value (None when not grouped)
    attributes: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Cell:
    summary: str = ""
    quotes: int = 0

    @property
    def to_chart(self) -> bool:
        return self.quotes > 0 and not self.summary.strip()


@dataclass
class Matrix:
    row_kind: str
    rows: list[MatrixRow]
    columns: list[Code]
    roll_up: bool = True
    group_by: str | None = None
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row id, code id)
    headers: list[str] | None = None  # column headings (default: each column's display path)
    attributes: list[str] = field(default_factory=list)  # case attributes printed beside the case
    title: str = ""  # a chart's caption (its theme)
    own_only: frozenset = frozenset()  # columns counting only their own code's codings

    def header(self, c: int) -> str:
        return self.headers[c] if self.headers else self.columns[c].display_path

    def cell(self, r: int, c: int) -> Cell:
        return self.cells.get((self.rows[r].id, self.columns[c].id), Cell())

    def groups(self) -> list[str]:
        seen: list[str] = []
        for row in self.rows:
            if row.group is not None and row.group not in seen:
                seen.append(row.group)
        return seen


def theme_overview(charts: list[Matrix]) -> tuple[list[MatrixRow], list[str], dict[tuple[int, int], int]]:
    """Cases × themes with the number of coded passages in each (for the Excel overview
    sheet): (rows, theme names, {(row id, chart index): count})."""
    if not charts:
        return [], [], {}
    rows = charts[0].rows
    counts: dict[tuple[int, int], int] = {}
    for i, m in enumerate(charts):
        for (row_id, _code), cell in m.cells.items():
            counts[(row_id, i)] = counts.get((row_id, i), 0) + cell.quotes
    return rows, [m.title for m in charts], counts


# the codebook (``services.coding.codebook``; ``formats.docx_codebook`` / ``csv_codebook``)
@dataclass(frozen=True)
class CodebookRow:
    code_id: int
    code: str  # path string (escaped levels joined by '/')
    path: tuple[str, ...]
    name: str
    level: int  # 1 for a theme
    description: str
    summary: str
    color: str
    codings: int  # the code itself
    cases: int
    codings_total: int  # with its sub-codes
    cases_total: int

    def as_dict(self) -> dict:
        return {
            "code": self.code, "code_path": list(self.path), "level": self.level, "name": self.name,
            "description": self.description, "summary": self.summary, "color": self.color,
            "codings": self.codings, "cases": self.cases,
            "codings_with_subcodes": self.codings_total, "cases_with_subcodes": self.cases_total,
        }


# Table 1 (``services.quotes.participants``; ``formats.table1``)
@dataclass(frozen=True)
class Participant:
    case: str
    group: str | None
    attributes: dict[str, str]

    def as_dict(self) -> dict:
        return {"case": self.case, "group": self.group, "attributes": dict(self.attributes)}


@dataclass
class ParticipantTable:
    columns: list[str]  # attribute names, in the order chosen
    group_by: str | None
    rows: list[Participant] = field(default_factory=list)

    def groups(self) -> list[tuple[str | None, list[Participant]]]:
        out: list[tuple[str | None, list[Participant]]] = []
        for r in self.rows:
            if not out or out[-1][0] != r.group:
                out.append((r.group, []))
            out[-1][1].append(r)
        return out

    @property
    def total(self) -> int:
        return len(self.rows)
