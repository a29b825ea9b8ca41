"""Aggregate counts (NVivo's "aggregate"): a code's codings, sources and cases together with
its sub-codes.

A *passage* is one coder's span of a source: ``(source, start, end, coder)``. A passage coded
at a theme and at one or more of its sub-codes (or at two sub-codes) counts once for the theme;
the same span coded by two coders counts twice, as it does in the code's own count. Every place
that shows an aggregate (code tree, ``codes list --json``, codebook exports) uses this module.
"""

from __future__ import annotations


def code_children(project) -> tuple[dict[int, int | None], dict[int | None, list[int]]]:
    parent: dict[int, int | None] = {}
    children: dict[int | None, list[int]] = {}
    for c in project.codes.all():
        parent[c.id] = c.parent_id
        children.setdefault(c.parent_id, []).append(c.id)
    return parent, children


def aggregate_counts(project) -> dict[int, tuple[int, int, int]]:
    """code id -> (passages, sources, cases) for the code and all its sub-codes; codes with
    nothing coded at or under them are left out."""
    parent, _ = code_children(project)
    cases_of: dict[int, list[int]] = {}
    for sid, cid in project.conn.execute("SELECT source_id, case_id FROM case_sources"):
        cases_of.setdefault(sid, []).append(cid)
    passages: dict[int, set[tuple]] = {}
    sources: dict[int, set[int]] = {}
    for code_id, sid, start, end, coder in project.conn.execute(
        'SELECT code_id, source_id, start, "end", coder_id FROM codings'
    ):
        key = (sid, start, end, coder)
        cur: int | None = code_id
        seen = 0
        while cur is not None and seen <= len(parent):  # guard against a damaged (cyclic) tree
            passages.setdefault(cur, set()).add(key)
            sources.setdefault(cur, set()).add(sid)
            cur = parent.get(cur)
            seen += 1
    out = {}
    for cid, keys in passages.items():
        case_set = {c for s in sources[cid] for c in cases_of.get(s, ())}
        out[cid] = (len(keys), len(sources[cid]), len(case_set))
    return out
