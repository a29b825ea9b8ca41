"""Word postings (schema 9): each word key's tokens across a block of sources, so that a
search for a word or a two-word phrase reads two rows a block instead of every source's
whole word index (at 2,000 sources: ~100 rows instead of 72 MB of indexes).

They are derived from the word indexes (``source_facts.word_index``) and never needed: a
source that is not in a block is read from its own index, as before. Sources are grouped
by id into blocks of up to ``BLOCK``: ``word_postings_blocks`` records the index layout and
Unicode version each block was made under (search trusts only this version's), and its
number, never used again; ``word_postings_members`` lists each block's sources with the
length and CRC-32 of the text its postings came from; ``word_postings`` holds one row per
(block, key). A block is never changed, only deleted (its rows and members with it), by a
trigger whenever one of its sources' facts change (new text, new index, deleted source), so
a block always belongs to the indexes now stored. Its other sources go into a new block at
the next ``build`` (with those of blocks not full), which the app runs in the background
after opening a project and after each change of sources, and the command line after the
report of a command that wrote (``Project.complete_postings``, which leaves a nearly full
disk alone).

A source is served from its block only when its index is one the lean reads take (this
layout and Unicode version, no token beside an underscore, no gap of 255+ characters);
the others are members with ``served = 0`` (read from their own index, never rebuilt).

Layout of ``word_postings.data`` (little-endian): 3 x uint32 (m: sources with the key,
w: 32-bit numbers, h: 16-bit numbers), m x uint32 source ids (ascending), m x uint32
counts, m x uint8 kinds ("h": 16-bit differences, "i": 32-bit starts, as the source's own
index keeps them) padded to 4, the 32-bit numbers, the 16-bit numbers, then one gap byte
per token (in source order).
"""

from __future__ import annotations

import contextlib
import re
import struct
from array import array
from collections import defaultdict
from typing import Callable, Iterable, Iterator

from .database import db_errors
from .word_index import _FORMAT, _HEADER, _U32, _UNICODE, lean_layout

#: sources per block: a changed source costs its block's rebuild (~30 ms at 64)
BLOCK = 64

_ROW = struct.Struct("<3I")
# a vocabulary line as ``build_word_index`` writes it: key TAB ("h" | "i") offset TAB count TAB gap offset
_VOCAB_LINE = re.compile(rb"\n([^\t\n]+)\t([hi])([0-9]+)\t([0-9]+)\t([0-9]+)(?=\n)")

Progress = Callable[[int, int], bool]
def _is_full(exc: BaseException) -> bool:
    return (getattr(exc, "sqlite_errorname", "") or "").startswith("SQLITE_FULL") or "full" in str(exc).lower()


def _entries(blob: bytes, at: tuple[int, int, int, int]) -> list[tuple[bytes, bool, bytes, bytes]] | None:
    """(key, narrow?, numbers, gaps) of each key of an index (``at``: its ``lean_layout``),
    or None when a line or an offset does not fit (that source is then read from its own
    index)."""
    vb, w, q, g = at  # (w: the end of the wide numbers, which start at vb)
    try:
        blob[4 * _HEADER:vb].decode("utf-8")  # a key that is not UTF-8: a damaged index
    except UnicodeDecodeError:
        return None
    out = []
    end = len(blob)
    for key, where, off, n, goff in _VOCAB_LINE.findall(blob, 4 * _HEADER, vb):
        off, n, goff = int(off), int(n), int(goff)
        if where == b"h":
            a, b = q + 2 * off, q + 2 * (off + n)
            ok = b <= g
        else:
            a, b = vb + 4 * off, vb + 4 * (off + n)
            ok = b <= w
        if not ok or g + goff + n > end:
            return None
        out.append((key, where == b"h", blob[a:b], blob[g + goff:g + goff + n]))
    return out


def block_rows(indexes: Iterable[tuple[int, int | None, int | None, object]]) -> tuple[dict[str, bytes], list[int], list[int]]:
    """The rows of one block from its sources' (id, length, CRC-32, word index), by id:
    ({key: data}, served ids, ids not served)."""
    by_key: defaultdict[bytes, list] = defaultdict(list)
    served: list[int] = []
    unserved: list[int] = []
    for sid, length, crc, blob in sorted(indexes, key=lambda r: r[0]):
        at = lean_layout(blob, (length, crc), pair=True)
        got = None if at is None else _entries(blob, at)  # type: ignore[arg-type]
        if got is None:
            unserved.append(sid)
            continue
        served.append(sid)
        for key, narrow, numbers, gaps in got:
            by_key[key].append((sid, narrow, numbers, gaps))
    rows = {}
    for key, members in by_key.items():
        counts = array(_U32, [len(m[3]) for m in members])
        kinds = bytes(0x68 if m[1] else 0x69 for m in members)
        kinds += b"\0" * (-len(kinds) % 4)
        wide_part = b"".join(m[2] for m in members if not m[1])
        narrow_part = b"".join(m[2] for m in members if m[1])
        rows[key.decode("utf-8")] = b"".join((
            _ROW.pack(len(members), len(wide_part) // 4, len(narrow_part) // 2),
            array(_U32, [m[0] for m in members]).tobytes(), counts.tobytes(), kinds,
            wide_part, narrow_part, b"".join(m[3] for m in members)))
    return rows, served, unserved


def read_row(data: bytes) -> dict[int, tuple[array, bool, bytes]]:
    """source id -> (numbers, narrow?, gaps) of one ``word_postings`` row (as ``_line`` of
    ``services.search.word_index`` reads them from the source's own index)."""
    if not isinstance(data, bytes) or len(data) < _ROW.size:
        raise ValueError("not a word postings row")
    m, n_wide, n_narrow = _ROW.unpack_from(data)
    p = _ROW.size
    ids = array(_U32, data[p:p + 4 * m])
    counts = array(_U32, data[p + 4 * m:p + 8 * m])
    p += 8 * m
    kinds = data[p:p + m]
    p += m + (-m % 4)
    w, h = p, p + 4 * n_wide
    g = h + 2 * n_narrow
    if len(ids) != m or len(counts) != m or len(data) != g + sum(counts):
        raise ValueError("a word postings row of the wrong length")
    out = {}
    for sid, n, kind in zip(ids, counts, kinds):
        if kind == 0x68:
            out[sid] = (array("H", data[h:h + 2 * n]), True, data[g:g + n])
            h += 2 * n
        elif kind == 0x69:
            out[sid] = (array(_U32, data[w:w + 4 * n]), False, data[g:g + n])
            w += 4 * n
        else:
            raise ValueError("a word postings row with an unknown kind of numbers")
        g += n
    if w != p + 4 * n_wide or h != p + 4 * n_wide + 2 * n_narrow or len(out) != m:
        raise ValueError("a word postings row whose parts do not add up")
    return out


_SERVED = ("SELECT m.source_id, m.block FROM word_postings_members m "
           "JOIN word_postings_blocks b ON b.id = m.block JOIN source_facts f ON f.source_id = m.source_id "
           "WHERE m.served AND b.format = ? AND b.unicode = ? AND m.length = f.length AND m.text_crc = f.text_crc")


def served(conn) -> dict[int, int]:
    """source id -> block of every source its block's postings stand for: the block was
    made under this index layout and Unicode version (a project searched by another Python
    reads every source's own index, which it checks the same way), from the text the source
    has now."""
    return dict(conn.execute(_SERVED, (_FORMAT, _UNICODE)))


def rows_of(conn, blocks: Iterable[int], keys: Iterable[str]) -> Iterator[tuple[int, str | None, bytes | None]]:
    """(block, key, data) of ``keys`` in those of ``blocks`` that still exist, and (block,
    None, None) for one that has none of them. A block not given at all was deleted
    meanwhile (each statement reads one state of the file, and a block is never changed)."""
    blocks = sorted(set(blocks))
    keys = list(dict.fromkeys(keys))
    for i in range(0, len(blocks), 400):
        part = blocks[i:i + 400]
        yield from conn.execute(
            f"SELECT b.id, p.key, p.data FROM word_postings_blocks b LEFT JOIN word_postings p ON p.block = b.id "
            f"AND p.key IN ({', '.join('?' * len(keys))}) WHERE b.id IN ({', '.join('?' * len(part))})",
            [*keys, *part])


_MISSING = ("SELECT f.source_id FROM source_facts f LEFT JOIN word_postings_members m ON m.source_id = f.source_id "
            "WHERE m.source_id IS NULL AND f.word_index IS NOT NULL AND f.text_crc IS NOT NULL ORDER BY f.source_id")


def _not_full() -> str:
    """The blocks with fewer than ``BLOCK`` sources (SQL)."""
    return f"SELECT block FROM word_postings_members GROUP BY block HAVING count(*) < {int(BLOCK)}"


def missing(conn) -> list[int]:
    """The sources with an index (and its text's CRC) that are in no block yet."""
    return [r[0] for r in conn.execute(_MISSING)]


def bytes_needed(conn) -> int:
    """About what ``build`` adds to the file (and to its write-ahead log until a checkpoint):
    the postings hold the numbers of the indexes of the sources it places, ~0.9 of their
    size; counted as the whole size of the indexes of the sources in no block yet and of
    those of blocks not full (SQLite reads a blob's length without its pages)."""
    row = conn.execute(
        "SELECT coalesce(sum(length(f.word_index)), 0) FROM source_facts f LEFT JOIN word_postings_members m "
        "ON m.source_id = f.source_id WHERE f.word_index IS NOT NULL AND (m.source_id IS NULL OR m.block IN "
        f"({_not_full()}))").fetchone()
    return int(row[0])


@contextlib.contextmanager
def _write(conn) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK if it raises). Not ``database.transaction``:
    derived rows are not a user's change (``database.last_saved`` does not move)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


_READ = ("SELECT source_id, length, text_crc, word_index FROM source_facts "
         "WHERE source_id IN ({}) AND word_index IS NOT NULL AND text_crc IS NOT NULL")
_FACTS = ("SELECT source_id, length, text_crc FROM source_facts "
          "WHERE source_id IN ({}) AND word_index IS NOT NULL AND text_crc IS NOT NULL")
_MEMBERS = "SELECT source_id, block FROM word_postings_members WHERE source_id IN ({})"


def _plan(conn, todo: list[int]) -> list[int]:
    """The sources to place: those in no block, and those of blocks not full (so that
    imports of a file at a time still end in full blocks), by id."""
    small = [sid for (sid,) in conn.execute(
        f"SELECT source_id FROM word_postings_members WHERE block IN ({_not_full()})")]
    return sorted(set(todo) | set(small))


def build(conn, progress: Progress | None = None) -> int:
    """Put every source that is in no block yet into new blocks (``BLOCK`` sources each, by
    id), with those of blocks not full (which go); returns how many sources it placed.
    A block is made from the indexes as read, then written in a short transaction of its
    own, and only if none of its sources' facts or blocks changed meanwhile (another
    connection may write between the two: it waits ~5 ms, not for the making).
    ``progress(done, total)`` after each block; False stops (the blocks written stay).
    Needs a connection outside a transaction."""
    if conn.in_transaction:
        raise RuntimeError("postings.build needs a connection outside a transaction")
    todo = missing(conn)
    if not todo:
        return 0
    plan = _plan(conn, todo)
    made: list[int] = []
    try:
        return _place(conn, plan, made, progress)
    except db_errors() as exc:
        if not _is_full(exc) or not made:
            raise
        # the disk filled up: give the space of this run's blocks back to the user's next
        # changes (the pages stay in the file, free for them), then say so
        with contextlib.suppress(*db_errors()):
            with _write(conn):
                conn.execute(f"DELETE FROM word_postings_blocks WHERE id IN ({', '.join('?' * len(made))})", made)
        raise


def _place(conn, plan: list[int], made: list[int], progress: Progress | None) -> int:
    """``build``'s work: ``plan`` in blocks; the id of each block written goes to ``made``."""
    done = 0
    for i in range(0, len(plan), BLOCK):
        part = plan[i:i + BLOCK]
        marks = ", ".join("?" * len(part))
        was = dict(conn.execute(_MEMBERS.format(marks), part))
        got = list(conn.execute(_READ.format(marks), part))
        if got:
            rows, ok, not_ok = block_rows(got)
            facts = {sid: (length, crc) for sid, length, crc, _blob in got}
            with _write(conn):
                now = {sid: (length, crc) for sid, length, crc in conn.execute(_FACTS.format(marks), part)}
                if now == facts and dict(conn.execute(_MEMBERS.format(marks), part)) == was:
                    # (else a change came in between; the next build takes them)
                    old = sorted(set(was.values()))
                    conn.execute(f"DELETE FROM word_postings_blocks WHERE id IN ({', '.join('?' * len(old))})", old)
                    block = conn.execute("INSERT INTO word_postings_blocks(format, unicode) VALUES (?, ?)",
                                         (_FORMAT, _UNICODE)).lastrowid
                    made.append(block)
                    conn.executemany(
                        "INSERT INTO word_postings_members(source_id, block, served, length, text_crc) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [(sid, block, 1, *facts[sid]) for sid in ok] + [(sid, block, 0, *facts[sid]) for sid in not_ok])
                    conn.executemany("INSERT INTO word_postings(block, key, data) VALUES (?, ?, ?)",
                                     [(block, key, data) for key, data in rows.items()])
                    done += len(got)
        if progress is not None and not progress(min(i + BLOCK, len(plan)), len(plan)):
            break
    return done
