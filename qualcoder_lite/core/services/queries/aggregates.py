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
    cur = project.conn.cursor()
    cur.row_factory = None  # plain tuples, the passages' keys
    coded = [r[0] for r in cur.execute("SELECT DISTINCT code_id FROM codings")]
    for code_id in coded:
        # one code's passages (source, start, end, coder), from its covering index, added to
        # it and each code above it
        keys = set(cur.execute('SELECT source_id, start, "end", coder_id FROM codings WHERE code_id = ?',
                               (code_id,)))
        sids = {k[0] for k in keys}
        up: int | None = code_id
        seen = 0
        while up is not None and seen <= len(parent):  # guard against a damaged (cyclic) tree
            passages.setdefault(up, set()).update(keys)
            sources.setdefault(up, set()).update(sids)
            up = parent.get(up)
            seen += 1
    out = {}
    for cid, keys in passages.items():
        case_set = {c for s in sources[cid] for c in cases_of.get(s, ())}
        out[cid] = (len(keys), len(sources[cid]), len(case_set))
    return out
