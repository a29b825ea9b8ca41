"""What a search reads about every source before it reads any word index: the sources in
name order, each one's case, the index keys that let it skip a source (``source_keys``),
and the block of word postings each source is served from (``postings``).

At 2,000 sources that is ~4 MB and ~15 ms a search, the same every time while the project
file is unchanged, so it is kept per open project (``catalog``) and read again after any
change. A change is seen from two counters that SQLite keeps: the connection's
``total_changes`` (every row this connection inserted, updated or deleted, triggers'
rows included, whether committed or not) and ``PRAGMA data_version`` (which moves when
another connection, of this process or another, commits). Nothing is kept or reused while
the connection is inside a transaction: a rollback takes changes back without taking back
``total_changes``, so what was read inside one may never be true.
"""

from __future__ import annotations

import weakref
from operator import itemgetter

from ...store import postings, source_keys


class Catalog:
    """The sources (id, name) by name, each source's case (the first by name), and, read
    when first asked for, the trusted index keys of each source (``source_keys.trusted``)."""

    __slots__ = ("conn", "stamp", "ordered", "cases", "_keys", "_served")

    def __init__(self, conn, stamp: tuple[int, int] | None):
        self.conn = conn
        self.stamp = stamp
        # by source name (names are unique): str order is SQLite's BINARY order of the UTF-8
        self.ordered: list[tuple[int, str]] = sorted(conn.execute("SELECT id, name FROM sources"),
                                                     key=itemgetter(1))
        self.cases: dict[int, str] = dict(conn.execute(
            "SELECT cs.source_id, min(c.name) FROM case_sources cs JOIN cases c ON c.id = cs.case_id "
            "GROUP BY cs.source_id"))
        self._keys: list[tuple[int, bytes]] | None = None
        self._served: dict[int, int] | None = None

    def served(self) -> dict[int, int]:
        """``postings.served``: source id -> block, for the sources word postings stand for."""
        if self._served is None:
            self._served = postings.served(self.conn)
        return self._served

    def lacking(self, clauses: list[list[tuple[str, bool]]]) -> set[int]:
        """``source_keys.lacking`` from the kept keys."""
        found = source_keys.needles(clauses)
        if not found or not all(found):
            return set()
        if self._keys is None:
            self._keys = source_keys.trusted(self.conn)
        return source_keys.lacking_among(self._keys, found)


# open project -> its catalog (a project's connection has no weak reference of its own)
_kept: "weakref.WeakKeyDictionary[object, Catalog]" = weakref.WeakKeyDictionary()


def _stamp(conn) -> tuple[int, int] | None:
    """What tells a change of the file apart, as seen by ``conn``; None inside a transaction
    (or for a connection without the counters): nothing is kept then."""
    changes = getattr(conn, "total_changes", None)
    if not isinstance(changes, int) or getattr(conn, "in_transaction", True):
        return None
    row = conn.execute("PRAGMA data_version").fetchone()
    return None if row is None else (changes, int(row[0]))


def catalog(project) -> Catalog:
    """The catalog of ``project``: the one kept, while nothing changed since it was read."""
    conn = project.conn
    stamp = _stamp(conn)
    if stamp is None:
        return Catalog(conn, None)
    try:
        kept = _kept.get(project)
    except TypeError:  # a project that cannot be a weak reference's key: read every time
        return Catalog(conn, None)
    if kept is None or kept.conn is not conn or kept.stamp != stamp:
        kept = _kept[project] = Catalog(conn, stamp)
    return kept


__all__ = ["Catalog", "catalog"]
