"""Annotations, see-also links and summary links in a merge of a colleague's copy
(``services.team.merge``): read with the other copy's rows, then added here on the sources,
cases and codes the merge matched. What is already here is not added twice; a phrase linked
to another passage here is listed as a conflict, never overwritten."""

from __future__ import annotations

import uuid

COUNT_KEYS = ("annotations_added", "links_added", "summary_links_added")


def read_anchors(conn) -> dict[str, list[dict]]:
    """The other copy's anchored rows (its own ids)."""
    def rows(sql: str) -> list[dict]:
        return [dict(r) for r in conn.execute(sql)]

    return {"annotations": rows('SELECT * FROM annotations ORDER BY source_id, start, "end", id'),
            "links": rows('SELECT * FROM links ORDER BY source_id, start, "end", id'),
            "summary_links": rows("SELECT * FROM summary_links ORDER BY cell_id, id")}


def merge_anchors(m) -> None:
    """Add the snapshot's anchored rows through the merger ``m`` (its maps and recorder).
    On a source whose text was corrected in one copy (``m.text_maps``), each row first moves
    to follow this copy's text, as the codings do; one whose text is gone here is listed."""
    anchors = getattr(m.snap, "anchors", None) or {}
    _annotations(m, _follow(m, anchors.get("annotations", []), "annotation"))
    _links(m, _follow(m, anchors.get("links", []), "see-also link"))
    _summary_links(m, _follow(m, anchors.get("summary_links", []), "summary link"))


_SPANS = (("source_id", "start", "end"), ("target_source_id", "target_start", "target_end"))


def _follow(m, rows: list[dict], what: str) -> list[dict]:
    maps = getattr(m, "text_maps", None) or {}
    if not maps:
        return rows
    out = []
    for row in rows:
        moved = dict(row)
        for scol, a, b in _SPANS:
            diff = maps.get(row.get(scol))
            if diff is None or row.get(a) is None:
                continue
            start, end = diff.span(row[a], row[b])
            if start >= end:
                m.report.conflict(f"{what.replace(' ', '_').replace('-', '_')}_text_deleted",
                                  f"a {what} at {row[a]}–{row[b]} in the other copy: its text was deleted from "
                                  "this copy's corrected transcript", None, None, "not added")
                break
            moved[a], moved[b] = start, end
        else:  # every span followed the text
            out.append(moved)
    return out


def _guid(m, table: str, guid: str) -> str:
    taken = m.conn.execute(f'SELECT 1 FROM "{table}" WHERE guid = ?', (guid,)).fetchone()
    return str(uuid.uuid4()) if taken else guid


def _annotations(m, rows: list[dict]) -> None:
    here = {(r[0], r[1], r[2], r[3]) for r in m.conn.execute('SELECT source_id, start, "end", text FROM annotations')}
    for a in rows:
        sid = m.source_map.get(a["source_id"])
        key = (sid, a["start"], a["end"], a["text"])
        if sid is None or key in here:
            continue
        m.rec.insert("annotations", {"guid": _guid(m, "annotations", a["guid"]), "source_id": sid,
                                     "start": a["start"], "end": a["end"], "text": a["text"],
                                     "coder_id": m._coder(a["coder_id"]), "created": a["created"]})
        here.add(key)
        m.report.bump("annotations_added")


def _links(m, rows: list[dict]) -> None:
    here = {tuple(r) for r in m.conn.execute(
        'SELECT source_id, start, "end", target_source_id, target_start, target_end FROM links')}
    for ln in rows:
        sid, tsid = m.source_map.get(ln["source_id"]), m.source_map.get(ln["target_source_id"])
        key = (sid, ln["start"], ln["end"], tsid, ln["target_start"], ln["target_end"])
        if sid is None or tsid is None or key in here:
            continue
        m.rec.insert("links", {"guid": _guid(m, "links", ln["guid"]), "source_id": sid, "start": ln["start"],
                               "end": ln["end"], "target_source_id": tsid, "target_start": ln["target_start"],
                               "target_end": ln["target_end"], "coder_id": m._coder(ln["coder_id"]),
                               "created": ln["created"]})
        here.add(key)
        m.report.bump("links_added")


def _summary_links(m, rows: list[dict]) -> None:
    cells = {c["id"]: c for c in m.snap.matrix_cells}
    for sl in rows:
        cell = cells.get(sl["cell_id"])
        sid = m.source_map.get(sl["source_id"])
        if cell is None or sid is None:
            continue
        row = (m.case_map if cell["row_kind"] == "case" else m.source_map).get(cell["row_id"])
        code = m.code_map.get(cell["code_id"])
        found = m.conn.execute("SELECT id, summary FROM matrix_cells WHERE row_kind = ? AND row_id = ? "
                               "AND code_id = ?", (cell["row_kind"], row, code)).fetchone()
        if found is None or sl["phrase"] not in found["summary"]:
            continue
        old = m.conn.execute('SELECT source_id, start, "end" FROM summary_links WHERE cell_id = ? AND phrase = ?',
                             (found["id"], sl["phrase"])).fetchone()
        if old is not None:
            if tuple(old) != (sid, sl["start"], sl["end"]):
                m.report.conflict("summary_link", f"the summary phrase '{sl['phrase']}' is linked to another "
                                  "passage in each copy", f"{old[1]}–{old[2]}", f"{sl['start']}–{sl['end']}",
                                  "kept this copy's")
            continue
        m.rec.insert("summary_links", {"cell_id": found["id"], "phrase": sl["phrase"], "source_id": sid,
                                       "start": sl["start"], "end": sl["end"],
                                       "coder_id": m._coder(sl["coder_id"]), "created": sl["created"]})
        m.report.bump("summary_links_added")
