"""The codebook as a list of rows: the code tree with descriptions, summaries (the code's
memo and any code memos) and counts of codings and cases, own and with sub-codes."""

from __future__ import annotations

from ...model import CodebookRow
from ..queries.aggregates import aggregate_counts


def codebook_rows(project) -> list[CodebookRow]:
    codes = project.codes.all()
    codings: dict[int, int] = {}
    cases: dict[int, set[int]] = {}
    for code_id, n in project.conn.execute("SELECT code_id, count(*) FROM codings GROUP BY code_id"):
        codings[code_id] = n
    for code_id, case_id in project.conn.execute(
        "SELECT DISTINCT k.code_id, cs.case_id FROM codings k JOIN case_sources cs ON cs.source_id = k.source_id"
    ):
        cases.setdefault(code_id, set()).add(case_id)
    memos: dict[int, list[str]] = {}
    for m in project.memos.list("code"):
        if m.target_id is not None and m.body.strip():
            memos.setdefault(m.target_id, []).append(m.body.strip())
    # With sub-codes by the one aggregate rule: a passage at two sub-codes counts once.
    totals = aggregate_counts(project)
    rows = []
    for c in codes:
        summary = "\n\n".join([c.memo.strip()] * bool(c.memo.strip()) + memos.get(c.id, []))
        rows.append(CodebookRow(
            code_id=c.id, code=c.path_str, path=c.path, name=c.name, level=len(c.path),
            description=c.description, summary=summary, color=c.color,
            codings=codings.get(c.id, 0), cases=len(cases.get(c.id, ())),
            codings_total=totals.get(c.id, (0, 0, 0))[0], cases_total=totals.get(c.id, (0, 0, 0))[2],
        ))
    return rows
