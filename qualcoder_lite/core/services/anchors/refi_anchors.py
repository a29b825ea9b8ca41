"""Annotations and see-also links in REFI-QDA (.qdpx).

Export: an annotation is its own ``PlainTextSelection`` (the annotation's GUID, so never the
GUID of the selection that carries the codings of the same span, which is derived from source
and span) with no ``Coding`` and a ``NoteRef`` to a ``Note`` holding the annotation's text. A
see-also link is a ``Link`` from a selection (one per linked span, GUID derived from source
and span under its own name) to another such selection or to a ``TextSource``.

Import: a selection with no codings that refers to notes becomes one annotation per note (a
selection with codings keeps its notes as the codings' memo, as before); a ``Link`` between
selections, or from a selection to a source, becomes a see-also link.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..refi import model as refi

ANNOTATION = "Annotation"
SEE_ALSO = "see also"


def export_anchors(conn, p: refi.Project, sources: dict, coder_guid: dict) -> dict[str, int]:
    """Add the project's annotations and links to ``p`` (``sources``: source id -> refi.Source)."""
    n_ann = 0
    for r in conn.execute('SELECT guid, source_id, start, "end", text, coder_id, created FROM annotations '
                          'ORDER BY source_id, start, "end", id'):
        user = coder_guid.get(r["coder_id"])
        note = refi.Note(refi.derived_guid("annotation-note", r["guid"]), ANNOTATION, r["text"], user, r["created"])
        p.notes.append(note)
        sources[r["source_id"]].selections.append(refi.Selection(
            r["guid"], r["start"], r["end"], name=ANNOTATION, user=user, created=r["created"], note_refs=[note.guid]))
        n_ann += 1
    passages: dict[tuple, str] = {}

    def passage(source_id: int, start: int, end: int, user, created) -> str:
        src = sources[source_id]
        key = (source_id, start, end)
        if key not in passages:
            passages[key] = refi.derived_guid("link-passage", src.guid, str(start), str(end))
            src.selections.append(refi.Selection(passages[key], start, end, user=user, created=created))
        return passages[key]

    n_links = 0
    for r in conn.execute('SELECT guid, source_id, start, "end", target_source_id, target_start, target_end, '
                          'coder_id, created FROM links ORDER BY source_id, start, "end", id'):
        user = coder_guid.get(r["coder_id"])
        origin = passage(r["source_id"], r["start"], r["end"], user, r["created"])
        if r["target_start"] is None:
            target = sources[r["target_source_id"]].guid
        else:
            target = passage(r["target_source_id"], r["target_start"], r["target_end"], user, r["created"])
        p.links.append(refi.Link(r["guid"], origin, target, SEE_ALSO, "OneWay"))
        n_links += 1
    for src in sources.values():
        src.selections.sort(key=lambda s: (s.start, s.end))
    return {"annotations": n_ann, "links": n_links}


def _passages(b) -> dict[str, tuple[str, Any]]:
    """GUID -> ("selection", (source GUID, selection)) or ("source", source GUID), for the
    sources with text; dropped duplicate selections resolve to the selection they repeat."""
    found = getattr(b, "_anchor_passages", None)
    if found is None:
        found = {}
        for src in b.proj.sources:
            if not src.has_text:
                continue
            found[src.guid] = ("source", src.guid)
            for sel in src.selections:
                found.setdefault(sel.guid, ("selection", (src.guid, sel)))
        for dropped, kept in (b.c.duplicate_of or {}).items():
            if kept in found:
                found.setdefault(dropped, found[kept])
        b._anchor_passages = found
    return found


def is_passage_link(b, link: refi.Link) -> bool:
    """A link from a selection to a selection or a source: a see-also link."""
    got = _passages(b)
    return got.get(link.origin, ("",))[0] == "selection" and link.target in got


def import_anchors(b) -> None:
    """Annotations and see-also links of the file read by the builder ``b`` (after its sources)."""
    b.counts.setdefault("annotations", 0)
    b.counts.setdefault("links", 0)
    notes = {n.guid: n for n in b.proj.notes}
    used: set[str] = set()
    for src in b.proj.sources:
        sid = b.source_ids.get(src.guid)
        if sid is None:
            continue
        for sel in src.selections:
            if sel.codings or b.sel_source.get(sel.guid) != sid:
                continue
            for g in sel.note_refs:
                note = notes.get(g)
                if note is None:
                    continue
                guid = sel.guid if sel.guid not in used else str(uuid.uuid4())
                used.add(guid)
                b.insert("annotations", {
                    "guid": guid, "source_id": sid, "start": sel.start, "end": sel.end, "text": note.text,
                    "coder_id": b.coder_for(note.user or sel.user),
                    "created": refi.valid_datetime(note.created) or refi.valid_datetime(sel.created) or b.now})
    _import_links(b)


def _import_links(b) -> None:
    got = _passages(b)
    taken: set[str] = set()
    for ln in b.proj.links:
        if not is_passage_link(b, ln):
            continue
        src_guid, sel = got[ln.origin][1]
        kind, target = got[ln.target]
        row = {"guid": ln.guid if ln.guid not in taken else str(uuid.uuid4()),
               "source_id": b.source_ids[src_guid], "start": sel.start, "end": sel.end,
               "coder_id": b.coder_for(sel.user), "created": refi.valid_datetime(sel.created) or b.now}
        if kind == "source":
            row.update(target_source_id=b.source_ids[target], target_start=None, target_end=None)
        else:
            tsrc, tsel = target
            if (tsrc, tsel.start, tsel.end) == (src_guid, sel.start, sel.end):
                continue  # a passage linked to itself: nothing to follow
            row.update(target_source_id=b.source_ids[tsrc], target_start=tsel.start, target_end=tsel.end)
        taken.add(row["guid"])
        b.insert("links", row)
