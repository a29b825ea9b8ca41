"""The framework matrix (Gale et al. 2013): one row per case (or source), one column per
chosen code or theme; each cell holds the analyst's summary and the quotes linked to it.

A column counts the codings of its own code and, when ``roll_up`` is on, of every code
below it (a theme column gathers its sub-themes). Rows can be filtered (``Where``),
sorted and grouped by a case attribute; ``compare`` gives, per column and group, how
many cases have quotes there (presence/absence) — the comparison the seed studies make
between 2016 and 2021.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain, repeat
from dataclasses import dataclass

from ...model import Cell, Code, Matrix, MatrixRow, natural_key
from ..sources.attributes import parse_value
from ..sources.filters import Where

MISSING = "(no value)"


def default_columns(project) -> list[Code]:
    """Themes (top-level codes) and their sub-themes: the usual framework columns."""
    return [c for c in project.codes.all() if len(c.path) <= 2]


def _column_targets(codes: dict[int, Code], col_ids: set[int], roll_up: bool,
                    own_only: frozenset[int] = frozenset()) -> dict[int, list[int]]:
    """code id -> the columns its codings count towards (a column in ``own_only`` counts
    only its code's own codings, never its sub-codes')."""
    out: dict[int, list[int]] = {}
    for cid in codes:
        targets = []
        node: int | None = cid
        while node is not None:
            if node in col_ids and (node == cid or node not in own_only):
                targets.append(node)
            if not roll_up:
                break
            node = codes[node].parent_id
        out[cid] = targets
    return out


def _sort_key_for(attr_type: str):
    def key(value: str | None):
        if value is None or value == "":
            return (1, "")
        parsed = parse_value(value, attr_type)
        if parsed is None:
            return (0, 1, value)
        return (0, 0, parsed) if attr_type != "text" else (0, 0, value.casefold())

    return key


def build_matrix(project, column_ids: list[int] | None = None, row_kind: str = "case", roll_up: bool = True,
                 where: Where | None = None, group_by: str | None = None, sort_by: str | None = None,
                 own_only: frozenset[int] = frozenset(), attributes: list[str] | None = None) -> Matrix:
    """``own_only``: columns that count only their own code's codings (a theme's column
    beside its sub-themes' columns); ``attributes``: case attributes printed with each row."""
    codes = {c.id: c for c in project.codes.all()}
    columns = [codes[i] for i in column_ids if i in codes] if column_ids is not None else default_columns(project)
    col_ids = {c.id for c in columns}
    targets = _column_targets(codes, col_ids, roll_up, frozenset(own_only))
    attr_types = _check_attribute_names(project, group_by, sort_by, attributes)
    rows, rows_of = _rows_and_sources(project, row_kind, where)
    rows = _ordered_rows(rows, attr_types, group_by, sort_by)
    row_ids = {r.id for r in rows}
    cells = _quote_cells(project, targets, rows_of)
    summaries = project.matrix.summaries(row_kind)
    for key, summary in summaries.items():
        if key[1] in col_ids and key[0] in row_ids:
            counted = cells.get(key)
            cells[key] = Cell(summary, counted.quotes if counted is not None else 0)
    return Matrix(row_kind, rows, columns, roll_up, group_by, cells, attributes=list(attributes or ()),
                  own_only=frozenset(own_only))


def _check_attribute_names(project, group_by: str | None, sort_by: str | None,
                           attributes: list[str] | None) -> dict[str, str]:
    """{case attribute: type}, after checking every attribute name the matrix was asked for."""
    attr_types = {a.name: a.type for a in project.attributes.all("case")}
    if group_by is not None and group_by not in attr_types:
        from ...errors import UsageError

        raise UsageError(f"unknown attribute {group_by!r} to group by")
    if sort_by is not None and sort_by not in attr_types:
        from ...errors import UsageError

        raise UsageError(f"unknown attribute {sort_by!r} to sort by")
    for name in attributes or ():
        if name not in attr_types:
            from ...errors import UsageError

            raise UsageError(f"unknown attribute {name!r} (attributes: {', '.join(attr_types) or 'none defined'})")
    return attr_types


def _rows_and_sources(project, row_kind: str, where: Where | None
                      ) -> tuple[list[MatrixRow], dict[str, tuple[int, ...]]]:
    """The matrix rows (cases or sources, filtered by ``where``) and, for each source id (as
    text), the rows its codings count in (a source in several cases counts in each)."""
    values = project.attributes.case_values()
    rows_of: dict[str, tuple[int, ...]] = {}
    if row_kind == "case":
        allowed = where.case_ids(project) if where else None
        # ids and names only (``cases.all()`` also lists every case's sources), in its order
        rows = [MatrixRow(cid, name, None, values.get(cid, {}))
                for cid, name in project.conn.execute("SELECT id, name FROM cases ORDER BY name")
                if allowed is None or cid in allowed]
        ids = {r.id for r in rows}
        for source_id, case_id in project.conn.execute(
                "SELECT source_id, case_id FROM case_sources ORDER BY source_id, case_id"):
            if case_id in ids:
                rows_of[str(source_id)] = rows_of.get(str(source_id), ()) + (case_id,)
    elif row_kind == "source":
        allowed = where.source_ids(project) if where else None
        first_case: dict[int, int] = {}
        for r in project.conn.execute("SELECT source_id, min(case_id) FROM case_sources GROUP BY source_id"):
            first_case[r[0]] = r[1]
        rows = [MatrixRow(s.id, s.name, None, values.get(first_case.get(s.id), {})) for s in project.sources.all()
                if allowed is None or s.id in allowed]
        rows_of = {str(r.id): (r.id,) for r in rows}
    else:
        from ...errors import UsageError

        raise UsageError(f"matrix rows are 'case' or 'source', not {row_kind!r}")
    return rows, rows_of


class _PlainCells(dict):
    """count -> the one summary-less ``Cell`` of that count (cells are frozen: shared)."""

    def __missing__(self, n: int) -> Cell:
        cell = self[n] = Cell("", n)
        return cell


def _quote_cells(project, targets: dict[int, list[int]], rows_of: dict[str, tuple[int, ...]]
                 ) -> dict[tuple[int, int], Cell]:
    """(row id, column) -> a cell without summary counting the codings there (none where 0).
    SQLite lists each code's codings as one string of source ids and ``Counter`` counts a
    column's list in C: a row per (case, code) fetched and added up in Python took ~0.5 s
    for 200,000 codings. The cells are made as they are counted (one dict, not two)."""
    into: dict[int, list[int]] = {}  # column -> the codes counting towards it
    for code_id, cols in targets.items():
        for col in cols:
            into.setdefault(col, []).append(code_id)
    lists = dict(project.conn.execute("SELECT code_id, group_concat(source_id) FROM codings GROUP BY code_id"))
    # a code's list is split once, however many columns it counts in (rolled up, the 60
    # codes' 200,000 codings were split ~550,000 times), and dropped after its last column
    uses = Counter(c for code_ids in into.values() for c in code_ids if c in lists)
    split: dict[int, list[str]] = {}

    def ids_of(code_id: int) -> list[str]:
        got = split.get(code_id)
        if got is None:
            got = split[code_id] = lists.pop(code_id).split(",")
        uses[code_id] -= 1
        if not uses[code_id]:
            del split[code_id]
        return got
    # one row per source and one source per row (the usual case): each count is a cell's
    one = {src: r[0] for src, r in rows_of.items() if len(r) == 1}
    one_to_one = len(one) == len(rows_of) and len(set(one.values())) == len(one)
    cell_of = _PlainCells().__getitem__
    cells: dict[tuple[int, int], Cell] = {}
    summed: dict[tuple[int, int], int] = {}  # the other columns' counts, added up first
    get = summed.get
    for col, code_ids in into.items():
        present = [c for c in code_ids if c in uses]
        if not present:
            continue
        counts = Counter(ids_of(present[0]) if len(present) == 1 else chain.from_iterable(map(ids_of, present)))
        if one_to_one and counts.keys() <= one.keys():  # all in C
            cells.update(zip(zip(map(one.__getitem__, counts.keys()), repeat(col)), map(cell_of, counts.values())))
            continue
        for src, n in counts.items():
            for row in rows_of.get(src, ()):
                key = (row, col)
                summed[key] = get(key, 0) + n
    cells.update(zip(summed.keys(), map(cell_of, summed.values())))
    return cells


def _ordered_rows(rows: list[MatrixRow], attr_types: dict[str, str], group_by: str | None,
                  sort_by: str | None) -> list[MatrixRow]:
    """Rows with their group, sorted by name (P2 before P10) or ``sort_by``, then by group."""
    if group_by is not None:
        rows = [MatrixRow(r.id, r.name, r.attributes.get(group_by) or MISSING, r.attributes) for r in rows]
    name_key = lambda r: natural_key(r.name)  # noqa: E731  P2 before P10
    if sort_by is not None:
        k = _sort_key_for(attr_types[sort_by])
        rows.sort(key=lambda r: (k(r.attributes.get(sort_by)), name_key(r)))
    else:
        rows.sort(key=name_key)
    if group_by is not None:
        gk = _sort_key_for(attr_types[group_by])
        rows.sort(key=lambda r: gk(None if r.group == MISSING else r.group))  # stable: keeps the order within
    return rows


OWN_CODINGS = "{theme} (general)"


def framework_charts(project, row_kind: str = "case", where: Where | None = None, group_by: str | None = None,
                     sort_by: str | None = None, attributes: list[str] | None = None) -> list[Matrix]:
    """One chart per theme, as Framework draws them (Ritchie & Spencer): the theme's direct
    sub-codes as columns, deeper codes rolled up into them, a column for the theme's own
    codings and summaries when it has any, and a theme without sub-codes as one column. Rows are every
    case (``where`` filters), grouped and sorted as ``build_matrix`` does."""
    codes = project.codes.all()
    children: dict[int | None, list[Code]] = {}
    for c in codes:
        children.setdefault(c.parent_id, []).append(c)
    own_counts = {r[0]: r[1] for r in project.conn.execute("SELECT code_id, count(*) FROM codings GROUP BY code_id")}
    # a summary written on a theme's cell (the app's matrix shows theme columns) has its
    # place in the theme's own column, as its own codings do: never left out of the chart
    summarised = {code for (_row, code), text in project.matrix.summaries(row_kind).items() if text.strip()}
    charts = []
    own: frozenset[int]
    for theme in children.get(None, []):
        subs = children.get(theme.id, [])
        if not subs:
            cols, own, headers = [theme.id], frozenset(), [theme.name]
        else:
            cols = [c.id for c in subs]
            headers = [c.name for c in subs]
            own = frozenset()
            if own_counts.get(theme.id) or theme.id in summarised:
                cols.insert(0, theme.id)
                headers.insert(0, OWN_CODINGS.format(theme=theme.name))
                own = frozenset({theme.id})
        m = build_matrix(project, cols, row_kind=row_kind, roll_up=True, where=where, group_by=group_by,
                         sort_by=sort_by, own_only=own, attributes=attributes)
        m.headers = headers
        m.title = theme.name
        charts.append(m)
    return charts


def matrix_json(matrix: Matrix) -> list[dict]:
    """One entry per cell with quotes or a summary, sorted by row name then code path:
    ``{"case" (or "source"), "code", "code_path", "quotes", "summary" (null when none)}``."""
    key = matrix.row_kind
    out = []
    for row in matrix.rows:
        for col in matrix.columns:
            cell = matrix.cells.get((row.id, col.id))
            if cell is None or not (cell.quotes or cell.summary.strip()):
                continue
            out.append({key: row.name, "code": col.path_str, "code_path": list(col.path), "quotes": cell.quotes,
                        "summary": cell.summary if cell.summary.strip() else None})
    out.sort(key=lambda d: (d[key], d["code"]))
    return out


def cell_segments(project, row_kind: str, row_id: int, code_id: int, roll_up: bool = True):
    """The quotes behind one cell, in source order."""
    from ..quotes.segments import segments

    ids = [code_id] + (project.codes.descendants(code_id) if roll_up else [])
    if row_kind == "case":
        source_ids = {r[0] for r in project.conn.execute("SELECT source_id FROM case_sources WHERE case_id = ?",
                                                         (row_id,))}
    else:
        source_ids = {row_id}
    return segments(project, ids, source_ids=source_ids)


@dataclass(frozen=True)
class Comparison:
    code: str
    code_id: int
    value: str
    cases: int  # cases with this value that have quotes in the column
    cases_total: int  # cases with this value
    codings: int

    @property
    def share(self) -> float | None:
        return None if self.cases_total == 0 else self.cases / self.cases_total

    def as_dict(self) -> dict:
        return {"code": self.code, "value": self.value, "cases": self.cases, "cases_total": self.cases_total,
                "codings": self.codings}


def compare(project, by: str, column_ids: list[int] | None = None, roll_up: bool = False,
            where: Where | None = None) -> list[Comparison]:
    """Per column and value of ``by``: cases with quotes there, of all cases with that value.

    Cases without a value for ``by`` are left out (a missing value never matches)."""
    from ...errors import UsageError

    attr = project.attributes.by_name(by, "case")
    if attr is None:
        raise UsageError(f"unknown attribute {by!r}")
    codes = {c.id: c for c in project.codes.all()}
    columns = [codes[i] for i in column_ids if i in codes] if column_ids is not None else list(codes.values())
    targets = _column_targets(codes, {c.id for c in columns}, roll_up)
    values = project.attributes.case_values()
    allowed = where.case_ids(project) if where else None
    case_value = {cid: v[by] for cid, v in values.items() if v.get(by) and (allowed is None or cid in allowed)}
    key = _sort_key_for(attr.type)
    ordered = sorted(set(case_value.values()), key=key)
    totals = {v: sum(1 for x in case_value.values() if x == v) for v in ordered}
    coded_cases: dict[tuple[int, str], set[int]] = {}
    codings: dict[tuple[int, str], int] = {}
    for case_id, code_id, n in project.conn.execute(
        "SELECT cs.case_id, k.code_id, count(*) FROM codings k JOIN case_sources cs ON cs.source_id = k.source_id "
        "GROUP BY cs.case_id, k.code_id"
    ):
        v = case_value.get(case_id)
        if v is None:
            continue
        for col in targets.get(code_id, ()):
            coded_cases.setdefault((col, v), set()).add(case_id)
            codings[(col, v)] = codings.get((col, v), 0) + n
    out = []
    for c in columns:
        for v in ordered:
            out.append(Comparison(c.path_str, c.id, v, len(coded_cases.get((c.id, v), ())), totals[v],
                                  codings.get((c.id, v), 0)))
    return out


@dataclass(frozen=True)
class QueryCell:
    cases: int
    codings: int
    words: int


def coding_query(project, by: str, column_ids: list[int] | None = None, roll_up: bool = False
                 ) -> tuple[list[Code], list[str], dict[tuple[int, str], QueryCell]]:
    """Matrix coding query: codes × values of ``by`` -> cases coded / codings / words coded."""
    import re

    from ...errors import UsageError

    attr = project.attributes.by_name(by, "case")
    if attr is None:
        raise UsageError(f"unknown attribute {by!r}")
    codes = {c.id: c for c in project.codes.all()}
    columns = [codes[i] for i in column_ids if i in codes] if column_ids is not None else list(codes.values())
    targets = _column_targets(codes, {c.id for c in columns}, roll_up)
    values = project.attributes.case_values()
    case_value = {cid: v[by] for cid, v in values.items() if v.get(by)}
    ordered = sorted(set(case_value.values()), key=_sort_key_for(attr.type))
    word = re.compile(r"\w+")
    acc: dict[tuple[int, str], list] = {}
    # One source text at a time, sliced here: substr() in SQL re-read the whole source text
    # for every coding (~0.5 s for 20,000 codings of 50,000-character sources).
    current: tuple[int | None, str] = (None, "")
    for case_id, code_id, source_id, start, end in project.conn.execute(
        'SELECT cs.case_id, k.code_id, k.source_id, k.start, k."end" FROM codings k '
        "JOIN case_sources cs ON cs.source_id = k.source_id ORDER BY k.source_id"
    ):
        v = case_value.get(case_id)
        if v is None:
            continue
        if current[0] != source_id:
            current = (source_id, project.sources.text(source_id))
        n_words = len(word.findall(current[1], start, end))
        for col in targets.get(code_id, ()):
            a = acc.setdefault((col, v), [set(), 0, 0])
            a[0].add(case_id)
            a[1] += 1
            a[2] += n_words
    cells = {k: QueryCell(len(a[0]), a[1], a[2]) for k, a in acc.items()}
    return columns, ordered, cells
