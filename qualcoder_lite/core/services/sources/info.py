"""Project summary counts."""

from __future__ import annotations


def info(project) -> dict:
    q = lambda sql: project.conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "sources": q("SELECT count(*) FROM sources"),
        "cases": q("SELECT count(*) FROM cases"),
        "codes": q("SELECT count(*) FROM codes"),
        "codings": q("SELECT count(*) FROM codings"),
        "words": q("SELECT ifnull(sum(words), 0) FROM sources"),
    }


def codes_table(project) -> list[dict]:
    """``codes list --json``: one row per code with its own counts and its aggregate counts
    (with sub-codes; a passage at two sub-codes counts once, see ``aggregates``)."""
    from ..queries.aggregates import aggregate_counts

    counts = project.codes.counts()
    totals = aggregate_counts(project)
    rows = []
    for c in project.codes.all():
        n = counts.get(c.id, (0, 0, 0))
        t = totals.get(c.id, (0, 0, 0))
        rows.append({
            "code": c.path_str,
            "code_path": list(c.path),
            "description": c.description,
            "color": c.color,
            "codings": n[0],
            "sources": n[1],
            "cases": n[2],
            "codings_aggregate": t[0],
            "sources_aggregate": t[1],
            "cases_aggregate": t[2],
        })
    return rows


def cases_table(project) -> list[dict]:
    """``cases list``: one row per case with its sources, its number of codings (in any of
    its sources) and its attribute values."""
    values = project.attributes.case_values()
    counts = {r[0]: r[1] for r in project.conn.execute(
        "SELECT cs.case_id, count(*) FROM codings k JOIN case_sources cs ON cs.source_id = k.source_id "
        "GROUP BY cs.case_id")}
    return [{"case": c.name, "sources": list(c.sources), "codings": counts.get(c.id, 0),
             "attributes": values.get(c.id, {})} for c in project.cases.all()]
