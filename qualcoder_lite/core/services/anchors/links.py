"""See-also links: a passage linked to another passage or to a whole source (NVivo's see-also
links). Listed per source (links from and to it); undoable like every other change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ...commands import Command
from ...errors import UsageError
from ...store.database import now_iso
from ...store.recorder import GoneError, Recorder
from .spans import check_span


@dataclass(frozen=True)
class Link:
    id: int
    guid: str
    source_id: int
    source: str
    start: int
    end: int
    target_source_id: int
    target_source: str
    target_start: int | None  # None: the link goes to the whole source
    target_end: int | None
    author: str | None
    created: str

    @property
    def to_whole_source(self) -> bool:
        return self.target_start is None

    def as_dict(self) -> dict:
        return {"source": self.source, "start": self.start, "end": self.end, "to_source": self.target_source,
                "to_start": self.target_start, "to_end": self.target_end, "author": self.author,
                "created": self.created}


class AddLink(Command):
    """Link ``text[start:end]`` of a source to a passage of another (or the same) source,
    or, with no target span, to the whole target source."""

    def __init__(self, source_id: int, start: int, end: int, target_source_id: int,
                 target_start: int | None = None, target_end: int | None = None, coder: str | None = None,
                 created: str | None = None, guid: str | None = None):
        super().__init__()
        if (target_start is None) != (target_end is None):
            raise UsageError("give both ends of the target passage, or neither (a link to the whole source)")
        self.span = (source_id, start, end)
        self.target = (target_source_id, target_start, target_end)
        self.coder, self.created, self.guid = coder, created, guid
        self.name = "Add see-also link"

    def apply(self, project, rec: Recorder) -> int:
        check_span(project, *self.span)
        tsid, tstart, tend = self.target
        if tstart is None or tend is None:  # both or neither (checked when made)
            _check_source(project, tsid)
        else:
            check_span(project, tsid, tstart, tend)
        if (tsid, tstart, tend) == self.span:
            raise UsageError("a passage cannot be linked to itself")
        coder_id = project.coders.ensure(rec, self.coder or project.coder)
        sid, start, end = self.span
        return rec.insert("links", {
            "guid": self.guid or str(uuid.uuid4()), "source_id": sid, "start": start, "end": end,
            "target_source_id": tsid, "target_start": tstart, "target_end": tend, "coder_id": coder_id,
            "created": self.created or now_iso()})


def _check_source(project, source_id: int) -> None:
    if project.conn.execute("SELECT 1 FROM sources WHERE id = ?", (source_id,)).fetchone() is None:
        raise UsageError(f"no source with id {source_id}")


class DeleteLink(Command):
    def __init__(self, link_id: int):
        super().__init__()
        self.link_id = link_id
        self.name = "Delete see-also link"

    def apply(self, project, rec: Recorder) -> bool:
        rec.delete("links", self.link_id)
        return True


_SELECT = ('SELECT l.id, l.guid, l.source_id, s.name AS source, l.start, l."end", l.target_source_id, '
           't.name AS target_source, l.target_start, l.target_end, c.name AS author, l.created '
           'FROM links l JOIN sources s ON s.id = l.source_id JOIN sources t ON t.id = l.target_source_id '
           'LEFT JOIN coders c ON c.id = l.coder_id')


def _link(r) -> Link:
    return Link(r["id"], r["guid"], r["source_id"], r["source"], r["start"], r["end"], r["target_source_id"],
                r["target_source"], r["target_start"], r["target_end"], r["author"], r["created"])


def links(project, source_id: int | None = None) -> list[Link]:
    """Links from or to a source (every link when None), sorted by source name, span, target."""
    where, params = "", ()  # type: str, tuple[int, ...]
    if source_id is not None:
        where, params = "WHERE l.source_id = ? OR l.target_source_id = ?", (source_id, source_id)
    rows = project.conn.execute(
        f'{_SELECT} {where} ORDER BY s.name, l.start, l."end", t.name, ifnull(l.target_start, -1), l.id', params)
    return [_link(r) for r in rows]


def link(project, link_id: int) -> Link:
    row = project.conn.execute(f"{_SELECT} WHERE l.id = ?", (link_id,)).fetchone()
    if row is None:
        raise GoneError("that link no longer exists (undone or deleted meanwhile)")
    return _link(row)
