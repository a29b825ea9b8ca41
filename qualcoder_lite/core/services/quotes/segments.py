"""Retrieval: coded segments with their case, code path and text."""

from __future__ import annotations

from ...model import Segment
from ..sources.filters import Where


def code_ids_for(project, paths: list[str] | None, descendants: bool = False) -> list[int] | None:
    """Code ids named by ``paths`` (UsageError for an unknown one); None means all codes."""
    if not paths:
        return None
    ids: list[int] = []
    for p in paths:
        code = project.codes.resolve(p)
        ids.append(code.id)
        if descendants:
            ids.extend(project.codes.descendants(code.id))
    return sorted(set(ids))


def segments(project, code_ids: list[int] | None = None, where: Where | None = None,
             coders: list[str] | None = None, source_ids: set[int] | None = None) -> list[Segment]:
    """Every matching coding, sorted by source, start, end, code, coder."""
    codes = {c.id: c for c in project.codes.all()}
    sql = (
        'SELECT k.id, k.source_id, s.name AS source, k.code_id, k.start, k."end", c.name AS coder, k.memo '
        "FROM codings k JOIN sources s ON s.id = k.source_id JOIN coders c ON c.id = k.coder_id"
    )
    # Each source's text is read once and sliced here (rows come source by source, so one
    # text is held at a time): substr() in SQL re-reads the whole source text for every
    # coding (20,000 codings of 50,000-character sources: ~1 GB of page reads per call).
    current: tuple[int | None, str] = (None, "")
    paths: dict[int, str] = {}
    clauses: list[str] = []
    params: list[object] = []
    if code_ids is not None:
        if not code_ids:
            return []
        clauses.append(f"k.code_id IN ({','.join('?' for _ in code_ids)})")
        params += code_ids
    if coders:
        clauses.append(f"c.name IN ({','.join('?' for _ in coders)})")
        params += coders
    allowed = where.source_ids(project) if where else None
    if source_ids is not None:
        allowed = source_ids if allowed is None else allowed & source_ids
    cases_of: dict[int, list[str]] = {}
    for r in project.conn.execute(
        "SELECT cs.source_id, c.name FROM case_sources cs JOIN cases c ON c.id = cs.case_id ORDER BY c.name"
    ):
        cases_of.setdefault(r[0], []).append(r[1])
    out: list[Segment] = []
    for rows in _rows_by_source(project, sql, clauses, params, allowed):
        for coding_id, sid, source, code_id, start, end, coder, memo in rows:
            code = codes[code_id]
            cases = tuple(cases_of.get(sid, ()))
            if current[0] != sid:
                current = (sid, project.sources.text(sid))
            text = current[1]
            path = paths.get(code.id)
            if path is None:
                path = paths[code.id] = code.path_str
            out.append(
                Segment(
                    coding_id=coding_id, source=source, source_id=sid,
                    case=cases[0] if cases else None, cases=cases, code=path,
                    code_path=code.path, code_id=code.id, start=start, end=end,
                    text=text[start:end], coder=coder, memo=memo,
                )
            )
    out.sort(key=lambda s: (s.source, s.start, s.end, s.code, s.coder))
    return out


def _rows_by_source(project, sql: str, clauses: list[str], params: list, allowed: set[int] | None):
    """The coding rows of ``sql`` (its WHERE ``clauses``), source by source; only those of
    the ``allowed`` sources when given (asked of SQLite, a few hundred ids at a time: a
    filtered report skips reading most codings)."""
    if allowed is None:
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        yield project.conn.execute(sql + where + " ORDER BY k.source_id", params)
        return
    ids = sorted(allowed)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        where = " WHERE " + " AND ".join([*clauses, f"k.source_id IN ({','.join('?' * len(chunk))})"])
        yield project.conn.execute(sql + where + " ORDER BY k.source_id", [*params, *chunk])


def segment_dict(seg: Segment) -> dict:
    return {
        "source": seg.source,
        "case": seg.case,
        "cases": list(seg.cases),
        "code": seg.code,
        "code_path": list(seg.code_path),
        "start": seg.start,
        "end": seg.end,
        "text": seg.text,
        "coder": seg.coder,
        "memo": seg.memo,
    }


def case_by_source_name(project) -> dict[str, str]:
    """source name -> its case as a segment names it (``Segment.case``: the first by name);
    sources without a case are left out."""
    # the names apart: joining each row to ``sources`` (whose rows hold the texts) took twice as long
    names = dict(project.conn.execute("SELECT id, name FROM sources"))
    return {names[sid]: case for sid, case in project.conn.execute(
        "SELECT cs.source_id, min(c.name) FROM case_sources cs JOIN cases c ON c.id = cs.case_id "
        "GROUP BY cs.source_id") if sid in names}


def segment_rows(project, coding_ids: list[int]) -> dict[int, Segment]:
    """Segments for specific codings (a lazy table fetches a page at a time), with the
    attributes of their case."""
    if not coding_ids:
        return {}
    codes = {c.id: c for c in project.codes.all()}
    marks = ",".join("?" for _ in coding_ids)
    rows = project.conn.execute(
        'SELECT k.id, k.source_id, s.name AS source, k.code_id, k.start, k."end", c.name AS coder, k.memo '
        f"FROM codings k JOIN sources s ON s.id = k.source_id JOIN coders c ON c.id = k.coder_id WHERE k.id IN ({marks})",
        coding_ids,
    ).fetchall()
    source_ids = sorted({r["source_id"] for r in rows})
    # Each source's text once, sliced here: substr() in SQL reads the whole text per row
    # (a page of 200 segments from 50,000-character transcripts took 7 ms instead of 0.5).
    texts = {sid: project.sources.text(sid) for sid in source_ids}
    smarks = ",".join("?" for _ in source_ids)
    cases_of: dict[int, list[tuple[int, str]]] = {}
    for r in project.conn.execute(
        f"SELECT cs.source_id, c.id, c.name FROM case_sources cs JOIN cases c ON c.id = cs.case_id "
        f"WHERE cs.source_id IN ({smarks}) ORDER BY c.name",
        source_ids,
    ):
        cases_of.setdefault(r[0], []).append((r[1], r[2]))
    values = project.attributes.case_values({cases[0][0] for cases in cases_of.values()})  # the cases shown
    out: dict[int, Segment] = {}
    for r in rows:
        code = codes[r["code_id"]]
        cases = cases_of.get(r["source_id"], [])
        attrs = values.get(cases[0][0], {}) if cases else {}
        out[r["id"]] = Segment(
            coding_id=r["id"], source=r["source"], source_id=r["source_id"],
            case=cases[0][1] if cases else None, cases=tuple(n for _, n in cases), code=code.path_str,
            code_path=code.path, code_id=code.id, start=r["start"], end=r["end"],
            text=texts[r["source_id"]][r["start"]:r["end"]], coder=r["coder"], memo=r["memo"], attributes=dict(attrs),
        )
    return out
