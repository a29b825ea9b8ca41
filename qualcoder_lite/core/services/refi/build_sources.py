"""Writing a read REFI-QDA project's sources and their codings (``build._Builder`` runs the
steps; see ``build`` for the mapping)."""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from typing import TYPE_CHECKING, Generator, Iterator, Sequence

from . import model as refi
from .qdpx_content import KeptAside
from ..sources.importing import text_hash
from ..sources.reading import derive_texts
from .qdpx_prefetch import Derived
from ...wording import one_line

if TYPE_CHECKING:
    from .build import _Builder


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)`` … whichever is not taken; marks it taken."""
    out, n = name, 1
    while out in taken:
        n += 1
        out = f"{name} ({n})"
    taken.add(out)
    return out


def write_sources(b: _Builder) -> None:
    """Each source with its text, word index, speaker turns and codings (texts derived in
    worker processes when there are many, each let go once written)."""
    present = [s for s in b.proj.sources if s.has_text]
    prefetch = b.c.prefetch
    if prefetch is not None and prefetch.started:
        derived = prefetch.derived(present)  # by the workers reading started, with the texts' hashes
    else:
        derived = _unhashed(derive_texts(_Texts(present)))  # in worker processes if many
    codings = sum(len(sel.codings) for src in present for sel in src.selections)
    try:
        with indexes_after(b.conn, "codings"), page_cache(b.conn, codings * CACHE_PER_CODING):
            _write(b, present, derived)
    finally:
        derived.close()  # a cancel stops the workers now


#: page cache (bytes) per coding while the codings are inserted: their GUIDs' index, a random
#: insert per row, stays in memory (at 200,000 codings 25 MB instead of SQLite's 2 MB: the
#: codings' insert ~25 % less CPU, the import's peak ~30 MB more)
CACHE_PER_CODING = 128
_CACHE_MAX = 64 << 20


@contextlib.contextmanager
def page_cache(conn: sqlite3.Connection, size: int) -> Iterator[None]:
    """The connection's page cache at least ``size`` bytes (at most 64 MB) for the block,
    as it was after."""
    was = conn.execute("PRAGMA cache_size").fetchone()[0]  # pages if > 0, else -KiB
    wanted = min(size, _CACHE_MAX) >> 10
    if was >= 0 or wanted <= -was:
        yield
        return
    conn.execute(f"PRAGMA cache_size = {-wanted}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(was)}")


@contextlib.contextmanager
def indexes_after(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """The plain indexes of ``table`` (not its UNIQUE ones) dropped while its rows are inserted
    and made again, by the same SQL and in the same order, when the inserts are done: one sort
    each instead of an insert into each per row (a fifth of the codings' insert at 200,000).
    Inside the caller's transaction: an import that fails or is cancelled rolls back the drop
    with everything else (its project is never published)."""
    made = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %' ORDER BY rowid", (table,)).fetchall()
    for name, _sql in made:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in made:
        conn.execute(sql)


def _unhashed(derived: Generator[tuple[bytes, int, list[tuple]], None, None]) -> Generator[Derived, None, None]:
    try:
        for index, words, turns in derived:
            yield index, words, turns, None
    finally:
        derived.close()  # its workers stop with it


def _write(b: _Builder, present: list[refi.Source], derived: Iterator[Derived]) -> None:
    names: set[str] = set()
    for i, src in enumerate(present):
        if b.progress is not None and not b.progress(i, len(present), f"Importing {src.name}"):
            raise InterruptedError("import cancelled")
        name = one_line(src.name, strip=False)  # its own spaces kept: a round trip gives them back
        if not name.strip():
            name = one_line((src.path or "").rsplit("/", 1)[-1]) or f"source {src.guid[:8]}"
        final = unique(name, names)
        if final != name:
            b.r.renamed.append(f"source {name!r} -> {final!r} (two sources with one name)")
        text = src.full_text()  # packed: decoded here, one at a time
        assert text is not None  # present sources only
        index, words, turns, hashed = next(derived)  # hashed: text_hash(text), from the text's UTF-8
        sid = b.insert("sources", {
            "guid": b.guid("sources", src.guid), "name": final, "kind": "transcript", "text": text,
            "text_hash": hashed or text_hash(text), "words": words, "file_format": "txt",
            "word_index": index,
            "original_path": f"{b.c.path.name}:{src.path or src.element}",
            "imported": refi.valid_datetime(src.created) or b.now,
            "imported_by": b.coder_for(src.user) if src.user else b.default_coder,
            "memo": b.own_part(src.description, src.note_refs)})
        b.source_ids.setdefault(src.guid, sid)
        if not text.strip():
            b.r.warnings.append(f"source {final!r} has no text")
        b.conn.executemany(
            'INSERT INTO speaker_turns (source_id, speaker, label_start, label_end, start, "end", timestamp) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)", [(sid, *t) for t in turns])
        b.counts["speaker_turns"] += len(turns)
        write_codings(b, src, sid)
        src.release()  # written: thousands of texts are never all held

def write_codings(b: _Builder, src: refi.Source, sid: int) -> None:
    rows: list[tuple] = []
    seen: set[tuple] = set()
    code_ids, coding_memos, written, sel_memos = b.code_ids, b.coding_memos, b.codings_written, b.sel_memos
    sel_source = b.sel_source
    used = b.guids["codings"]  # b.guid("codings", ...) inline: one per coding
    coder_of: dict[str | None, int] = {}  # b.coder_for, asked once per user
    stamp_of: dict[str | None, str] = {}  # refi.valid_datetime(created) or b.now, once per value
    put = rows.append
    for sel in src.selections:  # the hot path: one selection per coded span, most with one coding
        sel_source[sel.guid] = sid
        codings = sel.codings
        for c in codings:
            if c.code not in code_ids:
                unknown = [c for c in codings if c.code not in code_ids]
                b.kept.append(KeptAside(src.name, src.guid, sel.guid, sel.start, sel.end, sel.name,
                                        [c.code for c in unknown], [c.user for c in unknown],
                                        "refers to a code that is not in the codebook"))
                break
        memos = sel_memos.get(sel.guid)
        shared = (memos + [sel.description] if memos is not None else [sel.description]) if sel.description \
            else memos or None
        start, end = sel.start, sel.end
        for c in codings:
            code_id = code_ids.get(c.code)
            if code_id is None:
                continue
            user = c.user or sel.user
            coder = coder_of.get(user)
            if coder is None:
                coder = coder_of[user] = b.coder_for(user)
            key = (code_id, coder, start, end)
            if key in seen:
                b.r.skip("duplicate codings (same code, coder and span) merged")
                continue
            seen.add(key)
            cg = c.guid
            written.add(cg)
            own = coding_memos.get(cg)
            memo = "\n\n".join(own + shared if shared else own) if own else "\n\n".join(shared) if shared else ""
            guid = cg if cg and cg not in used else str(uuid.uuid4())
            used.add(guid)
            created = stamp_of.get(c.created)
            if created is None:
                created = stamp_of[c.created] = refi.valid_datetime(c.created) or b.now
            put((guid, sid, code_id, coder, start, end, memo, created))
    b.conn.executemany(
        'INSERT INTO codings (guid, source_id, code_id, coder_id, start, "end", memo, created) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    b.counts["codings"] += len(rows)


class _Texts(Sequence[str]):
    """The texts of ``sources`` (packed or not), each decoded when asked for (in the worker
    that derives it, when forked)."""

    def __init__(self, sources: list[refi.Source]):
        self.sources = sources

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, i):  # an index only
        text = self.sources[i].full_text()
        assert text is not None  # sources with text only
        return text
