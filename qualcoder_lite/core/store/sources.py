"""Sources (transcripts, notes) with their text and speaker turns."""

from __future__ import annotations

import sqlite3
import weakref

from ..model import Source, Turn

# The length comes from ``source_facts`` (schema 7), kept by triggers, not ``length(text)``,
# which reads every page of the text; ``sources_list`` covers the other columns, so the list
# reads no row of ``sources`` (reaching any column after the text walks the text's pages).
# A source without its facts row (never, while the triggers stand) is measured the old way.
_LENGTH = "coalesce(f.length, length(s.text))"
_SOURCE_COLS = "s.id, s.guid, s.name, s.kind, f.length AS length, s.words, s.file_format, s.memo"
_FROM = "sources s LEFT JOIN source_facts f ON f.source_id = s.id"


class LaterText:
    """A source's text as UTF-8, read when first asked for, or at the latest when its
    project closes (``SourceRepo.read_later_texts``): search hits make their snippets from
    it, with or without an open project, and a search reads no text nobody looks at."""

    __slots__ = ("_repo", "_sid", "_raw", "__weakref__")

    def __init__(self, repo: "SourceRepo", source_id: int):
        self._repo: SourceRepo | None = repo
        self._sid = source_id
        self._raw: bytes | None = None

    def raw(self) -> bytes:
        if self._raw is None:
            assert self._repo is not None  # kept until read
            self._raw = self._repo.text_utf8(self._sid)
            self._repo = None
        return self._raw


class SourceRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._later: weakref.WeakSet[LaterText] = weakref.WeakSet()

    def _cases_by_source(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for r in self.conn.execute(
            "SELECT cs.source_id, c.name FROM case_sources cs JOIN cases c ON c.id = cs.case_id "
            "ORDER BY c.name"
        ):
            out.setdefault(r["source_id"], []).append(r["name"])
        return out

    def case_ids_by_source(self) -> dict[int, list[int]]:
        """source id -> the ids of its cases (sources without a case are left out)."""
        out: dict[int, list[int]] = {}
        for source_id, case_id in self.conn.execute("SELECT source_id, case_id FROM case_sources"):
            out.setdefault(source_id, []).append(case_id)
        return out

    def all(self) -> list[Source]:
        cases = self._cases_by_source()
        counts = {
            r[0]: r[1]
            for r in self.conn.execute("SELECT source_id, count(*) FROM codings GROUP BY source_id")
        }
        rows = self.conn.execute(  # the planner would take the name index and read every row
            f"SELECT {_SOURCE_COLS} FROM {_FROM.replace('sources s', 'sources s INDEXED BY sources_list')} "
            "ORDER BY s.name").fetchall()
        return [self._make(r, tuple(cases.get(r["id"], ())), counts.get(r["id"], 0)) for r in rows]

    def _make(self, r: sqlite3.Row, cases: tuple[str, ...], codings: int) -> Source:
        length = r["length"]
        if length is None:  # no facts row
            length = self.conn.execute("SELECT length(text) FROM sources WHERE id = ?", (r["id"],)).fetchone()[0]
        return Source(
            id=r["id"], guid=r["guid"], name=r["name"], kind=r["kind"], length=length,
            words=r["words"], file_format=r["file_format"], memo=r["memo"], cases=cases,
            codings=codings,
        )

    def get(self, source_id: int) -> Source | None:
        r = self.conn.execute(f"SELECT {_SOURCE_COLS} FROM {_FROM} WHERE s.id = ?", (source_id,)).fetchone()
        if r is None:
            return None
        cases = tuple(
            x["name"]
            for x in self.conn.execute(
                "SELECT c.name FROM case_sources cs JOIN cases c ON c.id = cs.case_id "
                "WHERE cs.source_id = ? ORDER BY c.name",
                (source_id,),
            )
        )
        n = self.conn.execute("SELECT count(*) FROM codings WHERE source_id = ?", (source_id,)).fetchone()[0]
        return self._make(r, cases, n)

    def by_name(self, name: str) -> Source | None:
        r = self.conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
        return None if r is None else self.get(r["id"])

    def by_hash(self, text_hash: str) -> Source | None:
        r = self.conn.execute("SELECT id FROM sources WHERE text_hash = ? ORDER BY id LIMIT 1", (text_hash,)).fetchone()
        return None if r is None else self.get(r["id"])

    def text(self, source_id: int) -> str:
        r = self.conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()
        if r is None:
            raise KeyError(f"no source with id {source_id}")
        return r["text"]

    def length(self, source_id: int) -> int | None:
        """The length of a source's text in characters (code points); None: no such source."""
        r = self.conn.execute(f"SELECT {_LENGTH} FROM {_FROM} WHERE s.id = ?", (source_id,)).fetchone()
        return None if r is None else r[0]

    def lengths(self, source_ids=None) -> dict[int, int]:
        """source id -> the length of its text in characters, for every source (None) or
        for those of ``source_ids`` that are sources; without reading the texts."""
        if source_ids is None:
            return dict(self.conn.execute(f"SELECT s.id, {_LENGTH} FROM {_FROM}").fetchall())
        ids = sorted(set(source_ids))
        out: dict[int, int] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out.update(self.conn.execute(
                f"SELECT s.id, {_LENGTH} FROM {_FROM} WHERE s.id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def text_utf8(self, source_id: int) -> bytes:
        """The text of a source as UTF-8 (in a UTF-8 project: the stored bytes, not decoded)."""
        if str(self.conn.execute("PRAGMA encoding").fetchone()[0]).upper() != "UTF-8":
            return self.text(source_id).encode("utf-8")
        r = self.conn.execute("SELECT CAST(text AS BLOB) FROM sources WHERE id = ?", (source_id,)).fetchone()
        if r is None:
            raise KeyError(f"no source with id {source_id}")
        return r[0]

    def text_later(self, source_id: int) -> LaterText:
        """The text of a source, read when first used (``LaterText``)."""
        later = LaterText(self, source_id)
        self._later.add(later)
        return later

    def read_later_texts(self) -> None:
        """Read every ``LaterText`` still in use that has not been read (before closing)."""
        for later in list(self._later):
            later.raw()
        self._later.clear()

    def turns(self, source_id: int) -> list[Turn]:
        rows = self.conn.execute(
            'SELECT speaker, label_start, label_end, start, "end", timestamp FROM speaker_turns '
            "WHERE source_id = ? ORDER BY start",
            (source_id,),
        ).fetchall()
        return [Turn(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def speaker_roles(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT speaker, role FROM speaker_roles")}

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM sources").fetchone()[0]

    def coding_counts(self, source_ids) -> dict[int, int]:
        """source id -> its number of codings (``get(id).codings``), for the ids that are
        sources; without reading the texts (``get`` measures each text's length)."""
        ids = sorted(set(source_ids))
        out: dict[int, int] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out.update(self.conn.execute(
                "SELECT s.id, (SELECT count(*) FROM codings k WHERE k.source_id = s.id) FROM sources s "
                f"WHERE s.id IN ({','.join('?' * len(chunk))})", chunk))
        return out
