"""Annotations: a note anchored to a passage of a source (NVivo's annotations), kept apart
from codings and memos. Commands are undoable like every other change."""

# no `from __future__ import annotations`: this module defines a function of that name

import uuid
from dataclasses import dataclass

from ...commands import Command
from ...errors import UsageError
from ...store.database import now_iso
from ...store.recorder import GoneError, Recorder
from .spans import check_span


@dataclass(frozen=True)
class Annotation:
    id: int
    guid: str
    source_id: int
    source: str  # the source's name
    start: int
    end: int
    text: str
    author: str | None
    created: str

    def as_dict(self) -> dict:
        return {"source": self.source, "start": self.start, "end": self.end, "text": self.text,
                "author": self.author, "created": self.created}


class AddAnnotation(Command):
    """Anchor a note to ``text[start:end]`` of a source."""

    def __init__(self, source_id: int, start: int, end: int, text: str, coder: str | None = None,
                 created: str | None = None, guid: str | None = None):
        super().__init__()
        if not text.strip():
            raise UsageError("an annotation needs some text")
        self.source_id, self.start, self.end, self.text = source_id, start, end, text
        self.coder, self.created, self.guid = coder, created, guid
        self.name = "Add annotation"

    def apply(self, project, rec: Recorder) -> int:
        check_span(project, self.source_id, self.start, self.end)
        coder_id = project.coders.ensure(rec, self.coder or project.coder)
        return rec.insert("annotations", {
            "guid": self.guid or str(uuid.uuid4()), "source_id": self.source_id, "start": self.start,
            "end": self.end, "text": self.text, "coder_id": coder_id, "created": self.created or now_iso()})


class EditAnnotation(Command):
    def __init__(self, annotation_id: int, text: str):
        super().__init__()
        if not text.strip():
            raise UsageError("an annotation needs some text (delete it instead)")
        self.annotation_id, self.text = annotation_id, text
        self.name = "Edit annotation"

    def apply(self, project, rec: Recorder) -> bool:
        return rec.update("annotations", self.annotation_id, {"text": self.text})


class DeleteAnnotation(Command):
    def __init__(self, annotation_id: int):
        super().__init__()
        self.annotation_id = annotation_id
        self.name = "Delete annotation"

    def apply(self, project, rec: Recorder) -> bool:
        rec.delete("annotations", self.annotation_id)
        return True


_SELECT = ('SELECT a.id, a.guid, a.source_id, s.name AS source, a.start, a."end", a.text, c.name AS author, '
           'a.created FROM annotations a JOIN sources s ON s.id = a.source_id '
           'LEFT JOIN coders c ON c.id = a.coder_id')


def _annotation(r) -> Annotation:
    return Annotation(r["id"], r["guid"], r["source_id"], r["source"], r["start"], r["end"], r["text"],
                      r["author"], r["created"])


def annotations(project, source_id: int | None = None) -> list[Annotation]:
    """Annotations sorted by source name, start, end, then when they were made."""
    where, params = ("WHERE a.source_id = ?", (source_id,)) if source_id is not None else ("", ())
    rows = project.conn.execute(f'{_SELECT} {where} ORDER BY s.name, a.start, a."end", a.created, a.id', params)
    return [_annotation(r) for r in rows]


def annotation(project, annotation_id: int) -> Annotation:
    row = project.conn.execute(f"{_SELECT} WHERE a.id = ?", (annotation_id,)).fetchone()
    if row is None:
        raise GoneError("that annotation no longer exists (undone or deleted meanwhile)")
    return _annotation(row)
