"""Each source's word-index keys, kept compact beside it (``source_keys``, schema 8), so that
search can skip the sources that lack a term without reading their whole index (this
replaces the FTS5 prefilter of schemas 1-7).

A row holds the keys of the vocabulary of the source's word index as ``"\\n" + key + "\\n" +
... + "\\n"`` (UTF-8), and the length in characters and CRC-32 of the text the index was built
from (from its header). It is written from the index being written (``write``); the schema's
triggers delete it whenever the source's facts change, so a row always belongs to the index
now stored. Search skips a source only when its row fits the source's facts and lacks a
needed key; any other source (no row, no index, an index of another layout or to be
scanned) is read as before.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

from .word_index import _FORMAT, _HEADER, _SCAN, _U32, _UNICODE, _unpack

_TAIL = re.compile(rb"\t[^\n]*")  # what follows a key on its vocabulary line


def keys_of(blob: object) -> tuple[int, int, bytes] | None:
    """(length in characters, CRC-32 of the text, keys) of a word index of this layout and
    Unicode version that holds tokens; None for anything else (its source is always read)."""
    if not isinstance(blob, bytes) or len(blob) < 4 * _HEADER:
        return None
    header = _unpack(_U32, memoryview(blob)[:4 * _HEADER])
    fmt, uni, _n_bytes, crc, flags, chars, tokens, n_vocab, narrow, wide, under, far = header
    if fmt != _FORMAT or uni != _UNICODE or flags & _SCAN:
        return None
    if len(blob) != 4 * (_HEADER + wide + 3 * under + 2 * far) + n_vocab + 2 * narrow + tokens:
        return None  # search would not read it either (``_WordIndex.load``)
    vocab = blob[4 * _HEADER:4 * _HEADER + n_vocab].rstrip(b"\0")  # "\n" + one line per key + "\n"
    if not vocab.startswith(b"\n") or not vocab.endswith(b"\n"):
        return None
    return int(chars), int(crc), _TAIL.sub(b"", vocab)


def write(conn: sqlite3.Connection, source_id: int, blob: object) -> None:
    """Keep the keys of ``blob``, the word index just stored for ``source_id`` (after it: the
    trigger of that write has just deleted the old row)."""
    row = keys_of(blob)
    if row is not None:
        conn.execute("INSERT OR REPLACE INTO source_keys(source_id, length, text_crc, keys) VALUES (?, ?, ?, ?)",
                     (source_id, *row))


_TRUSTED = ("SELECT k.source_id, k.keys FROM source_keys k JOIN source_facts f ON f.source_id = k.source_id "
            "WHERE k.length = f.length AND k.text_crc = f.text_crc")


def trusted(conn: sqlite3.Connection) -> list[tuple[int, bytes]]:
    """(source id, keys) of every source whose kept keys belong to its current index (its
    facts: the length and CRC-32 of its text); what ``lacking_among`` reads."""
    return [(sid, keys) for sid, keys in conn.execute(_TRUSTED)]


def needles(clauses: Iterable[list[tuple[str, bool]]]) -> list[list[bytes]]:
    """What ``lacking_among`` looks for in a row's keys: a whole line per key, the start of
    one per prefix."""
    return [[(b"\n" + k.encode("utf-8")) if prefix else (b"\n" + k.encode("utf-8") + b"\n")
             for k, prefix in clause] for clause in clauses]


def lacking_among(rows: Iterable[tuple[int, bytes]], found: list[list[bytes]]) -> set[int]:
    """The sources of ``rows`` (from ``trusted``) whose keys lack one of the ``needles`` of
    every clause."""
    if not found or not all(found):
        return set()
    if len(found) == 1 and len(found[0]) == 1:  # one word: one C-level test a source
        needle = found[0][0]
        return {sid for sid, keys in rows if needle not in keys}
    if len(found) == 1 and len(found[0]) == 2:  # a two-word phrase: no generator a source
        first, second = found[0]
        return {sid for sid, keys in rows if first not in keys or second not in keys}
    return {sid for sid, keys in rows if not any(all(n in keys for n in clause) for clause in found)}


def lacking(conn: sqlite3.Connection, clauses: Iterable[list[tuple[str, bool]]]) -> set[int]:
    """The sources that cannot match any of ``clauses``: each clause is a list of (key,
    prefix) its every hit needs (a prefix: some key starting with it), and a source is
    listed only when its kept keys belong to its current index and lack one key of every
    clause."""
    found = needles(clauses)
    if not found or not all(found):
        return set()
    return lacking_among(trusted(conn), found)
