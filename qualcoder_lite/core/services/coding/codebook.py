"""The codebook as a list of rows: the code tree with descriptions, summaries (the code's
memo and any code memos) and counts of codings and cases, own and with sub-codes."""

from __future__ import annotations

from dataclasses import dataclass

from ..queries.aggregates import aggregate_counts


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
