"""Applying the key: replace every name across the project and shift every coding and speaker
turn so it keeps covering the same words (see ``pseudonymise`` for the rules)."""

from __future__ import annotations

import bisect
import json
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, cast

from ...commands import Command
from ...errors import UsageError
from ...store.recorder import Recorder
from ..anchors.spans import shift_anchors
from ..search.word_index import build_word_index
from ..sources.importing import count_words
from .pseudonym_key import _OWN_SETTINGS, KEY_SETTING, KeyEntry, KeyTableError, check_mapping, compile_key, load_key

class OldToNewOffsets:
    """Maps code-point offsets of a text to offsets in its pseudonymised form.

    ``spans`` are the replaced names as (old_start, old_end, new_length), sorted and disjoint.
    ``start(p)`` and ``end(p)`` agree outside the names; inside one, ``start`` snaps to the
    pseudonym's start and ``end`` to its end."""

    def __init__(self, spans: list[tuple[int, int, int]]):
        self.old_starts = [a for a, _, _ in spans]
        self.old_ends = [b for _, b, _ in spans]
        self.new_starts: list[int] = []
        self.new_ends: list[int] = []
        self.shift_after: list[int] = []
        shift = 0
        for a, b, n in spans:
            self.new_starts.append(a + shift)
            self.new_ends.append(a + shift + n)
            shift += n - (b - a)
            self.shift_after.append(shift)

    def __bool__(self) -> bool:
        return bool(self.old_starts)

    def _map(self, p: int, snap_end: bool) -> int:
        i = bisect.bisect_right(self.old_starts, p) - 1
        if i < 0:
            return p
        if p == self.old_starts[i]:
            return self.new_starts[i]
        if p < self.old_ends[i]:  # strictly inside a replaced name: snap outwards
            return self.new_ends[i] if snap_end else self.new_starts[i]
        return p + self.shift_after[i]

    def start(self, p: int) -> int:
        return self._map(p, snap_end=False)

    def end(self, p: int) -> int:
        return self._map(p, snap_end=True)


def replace_text(text: str, pattern: re.Pattern | None, mapping: dict[str, str],
                 counts: Counter | None = None) -> tuple[str, OldToNewOffsets]:
    """``text`` with every key replaced, and the map of its offsets."""
    if pattern is None:
        return text, OldToNewOffsets([])
    pieces: list[str] = []
    spans: list[tuple[int, int, int]] = []
    last = 0
    for m in pattern.finditer(text):
        rep = mapping[m.group()]
        pieces.append(text[last:m.start()])
        pieces.append(rep)
        spans.append((m.start(), m.end(), len(rep)))
        last = m.end()
        if counts is not None:
            counts[m.group()] += 1
    if not spans:
        return text, OldToNewOffsets([])
    pieces.append(text[last:])
    return "".join(pieces), OldToNewOffsets(spans)


# ----------------------------------------------------------------------------- applying
# Text columns replaced in place: (table, columns, unique key columns or None)
FIELDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    ("sources", ("name", "memo", "original_path"), ("name",)),
    ("speaker_turns", ("speaker",), None),
    ("cases", ("name", "memo"), ("name",)),
    ("attributes", ("name",), ("name", "applies_to")),
    ("attribute_values", ("value",), None),
    ("codes", ("name", "description", "memo"), ("parent_id", "name")),
    ("codings", ("memo", "quote_edit"), None),
    ("memos", ("title", "body"), None),
    ("matrix_cells", ("summary",), None),
    ("annotations", ("text",), None),
    ("summary_links", ("phrase",), ("cell_id", "phrase")),
    ("sets", ("name", "memo"), ("kind", "name")),
    ("speaker_roles", ("speaker",), ("speaker",)),
    ("survey_answers", ("respondent",), ("dataset", "question", "respondent")),  # survey ids may be names
)
_LABEL = {"sources": "source names", "cases": "case names", "attributes": "attribute names",
          "codes": "code names", "sets": "set names", "speaker_roles": "speakers",
          "summary_links": "linked phrases of one matrix summary", "survey_answers": "survey respondents"}
_TEMP_SHIFT = 1 << 40  # parks codings beyond any real offset while they move


@dataclass
class PseudonymiseResult:
    replacements: dict[str, int] = field(default_factory=dict)  # real name -> occurrences in texts
    sources_changed: int = 0
    codings_moved: int = 0
    codings_merged: int = 0
    turns_moved: int = 0
    fields_changed: dict[str, int] = field(default_factory=dict)  # table -> rows changed
    names_added: int = 0
    key_size: int = 0
    new_names: list[str] = field(default_factory=list)  # names this step added to the key

    @property
    def unused(self) -> list[str]:
        """New names that occur in no source text (typos? other spellings?)."""
        return sorted(n for n in self.new_names if not self.replacements.get(n))

    @property
    def occurrences(self) -> int:
        return sum(self.replacements.values())

    def as_dict(self) -> dict:
        return {
            "names_added": self.names_added, "key_size": self.key_size,
            "occurrences": self.occurrences, "not_found": self.unused,
            "replacements": dict(sorted(self.replacements.items())),
            "sources_changed": self.sources_changed, "codings_moved": self.codings_moved,
            "codings_merged": self.codings_merged, "turns_moved": self.turns_moved,
            "fields_changed": dict(sorted(self.fields_changed.items())),
        }

    def summary(self) -> str:
        s = "" if self.sources_changed == 1 else "s"
        line = (f"replaced {self.occurrences:,} occurrence{'' if self.occurrences == 1 else 's'} of "
                f"{sum(1 for v in self.replacements.values() if v)} name(s) in {self.sources_changed} source{s}; "
                f"{self.codings_moved:,} codings and {self.turns_moved:,} speaker turns shifted")
        if self.codings_merged:
            line += f"; {self.codings_merged} codings merged (they became identical)"
        other = sum(self.fields_changed.values())
        if other:
            line += f"; {other} names, labels, memos or values changed"
        return line + f"; key: {self.key_size} name{'' if self.key_size == 1 else 's'}"


class Pseudonymise(Command):
    """Add ``mapping`` (real name -> pseudonym, or ``(label, real, pseudonym)`` rows) to the
    key and apply the whole key to the project, as one undoable step."""

    def __init__(self, mapping: dict[str, str] | Iterable[tuple[str, str, str]]):
        super().__init__()
        if isinstance(mapping, dict):
            self.rows = [(f"name {real!r}", real, pseudo) for real, pseudo in mapping.items()]
        else:
            self.rows = [cast(tuple[str, str, str], tuple(r)) for r in mapping]  # checked by check_mapping
        self.name = "Pseudonymise" if len(self.rows) != 1 else f"Pseudonymise {self.rows[0][1]}"

    def apply(self, project, rec: Recorder) -> PseudonymiseResult:
        stored = load_key(project)
        new = check_mapping(self.rows, stored)
        if not new and not stored:
            raise UsageError("no names to pseudonymise: the key table is empty")
        entries = stored + [KeyEntry(r, p) for r, p in new.items() if r not in {e.real for e in stored}]
        mapping = {e.real: e.pseudonym for e in entries}
        pattern = compile_key(mapping)
        assert pattern is not None  # the key is not empty (checked above)
        added = [e.real for e in entries[len(stored):]]
        result = PseudonymiseResult(replacements={k: 0 for k in mapping}, key_size=len(entries),
                                    names_added=len(added), new_names=added)
        self.name = f"Pseudonymise {len(mapping)} name{'' if len(mapping) == 1 else 's'}"
        _Applier(project, rec, pattern, mapping, result).run()
        project.settings.set(rec, KEY_SETTING, [e.as_dict() for e in entries])
        return result


class _Applier:
    def __init__(self, project, rec: Recorder, pattern: re.Pattern, mapping: dict[str, str],
                 result: PseudonymiseResult):
        self.p, self.conn, self.rec = project, project.conn, rec
        self.pattern, self.mapping, self.result = pattern, mapping, result
        self.counts: Counter = Counter()

    def run(self) -> None:
        self.fields()
        self.settings()
        self.texts()
        for real, n in self.counts.items():
            self.result.replacements[real] = n

    def replace(self, value: str, where: str, counts: Counter | None = None) -> tuple[str, OldToNewOffsets]:
        new, omap = replace_text(value, self.pattern, self.mapping, counts)
        if omap:
            left = self.pattern.search(new)
            if left is not None:
                raise KeyTableError([f"after replacing, {where} still contains {left.group()!r}: a pseudonym "
                                     "next to another builds a real name; change the pseudonyms"])
        return new, omap

    def sub(self, value: str | None, where: str) -> str | None:
        return value if not value else self.replace(value, where)[0]

    # -- names, labels, memos, values -----------------------------------------------
    def fields(self) -> None:
        text_attrs = {r[0] for r in self.conn.execute("SELECT id FROM attributes WHERE type = 'text'")}
        for table, cols, unique in FIELDS:
            extra = tuple(c for c in (unique or ()) if c not in cols)
            select = ", ".join(f'"{c}"' for c in ("id",) + cols + extra + (
                ("attribute_id",) if table == "attribute_values" else ()))
            rows = self.conn.execute(f'SELECT {select} FROM "{table}" ORDER BY id').fetchall()
            finals: dict[tuple, int] = {}
            changes: list[tuple[int, dict]] = []
            for r in rows:
                if table == "attribute_values" and r["attribute_id"] not in text_attrs:
                    continue
                values = {}
                for c in cols:
                    new = self.sub(r[c], f"{table}.{c}")
                    if new != r[c]:
                        values[c] = new
                if unique:
                    key = tuple(values.get(c, r[c]) for c in unique)
                    clash = finals.get(key)
                    if clash is not None:
                        if table == "speaker_roles" and self._same_role(clash, r["id"]):
                            self.rec.delete("speaker_roles", r["id"])
                            self.result.fields_changed[table] = self.result.fields_changed.get(table, 0) + 1
                            continue
                        raise KeyTableError([
                            f"cannot pseudonymise: two {_LABEL[table]} would both become {key[-1]!r}; "
                            "rename one first or choose another pseudonym"])
                    finals[key] = r["id"]
                if values:
                    changes.append((r["id"], values))
            # a changed row's new value never holds a key, an old one always does: updating in
            # order cannot collide with a row not yet updated
            for row_id, values in changes:
                self.rec.update(table, row_id, values)
            if changes:
                self.result.fields_changed[table] = self.result.fields_changed.get(table, 0) + len(changes)

    def _same_role(self, a: int, b: int) -> bool:
        ra = self.conn.execute("SELECT role FROM speaker_roles WHERE id = ?", (a,)).fetchone()
        rb = self.conn.execute("SELECT role FROM speaker_roles WHERE id = ?", (b,)).fetchone()
        return ra is not None and rb is not None and ra[0] == rb[0]

    def settings(self) -> None:
        """String values inside other settings and preferences (report titles, remembered
        filters ...)."""
        for table in ("settings", "preferences"):
            for r in self.conn.execute(f"SELECT id, key, value FROM {table} ORDER BY id").fetchall():
                if r["key"] in _OWN_SETTINGS or not r["value"]:
                    continue
                try:
                    value = json.loads(r["value"])
                except ValueError:  # not JSON (written by hand): replace in the raw text
                    new_raw = self.sub(r["value"], f"setting {r['key']}")
                    if new_raw != r["value"]:
                        self.rec.update(table, r["id"], {"value": new_raw})
                    continue
                new = self._walk(value, f"setting {r['key']}")
                if new != value:
                    self.rec.update(table, r["id"], {"value": json.dumps(new, ensure_ascii=False, sort_keys=True)})

    def _walk(self, v: Any, where: str) -> Any:
        if isinstance(v, str):
            return self.sub(v, where)
        if isinstance(v, list):
            return [self._walk(x, where) for x in v]
        if isinstance(v, dict):
            return {(self.sub(k, where) if isinstance(k, str) else k): self._walk(x, where) for k, x in v.items()}
        return v

    # -- source texts, codings, turns -------------------------------------------------
    def texts(self) -> None:
        for sid, text in self.conn.execute("SELECT id, text FROM sources ORDER BY id").fetchall():
            new_text, omap = self.replace(text, f"the text of source {sid}", self.counts)
            if not omap:
                continue
            self.rec.update("sources", sid, {"text": new_text, "words": count_words(new_text),
                                             "word_index": build_word_index(new_text)})
            self.result.sources_changed += 1
            self.shift_turns(sid, omap)
            self.shift_codings(sid, omap)
            shift_anchors(self.rec, self.conn, sid, omap.start, omap.end)  # annotations, links, summary links

    def shift_turns(self, sid: int, omap: OldToNewOffsets) -> None:
        rows = self.conn.execute(
            'SELECT id, label_start, label_end, start, "end" FROM speaker_turns WHERE source_id = ? ORDER BY id',
            (sid,)).fetchall()
        for r in rows:
            ls = omap.start(r["label_start"])
            le = max(ls, omap.end(r["label_end"]))
            st = max(le, omap.start(r["start"]))
            en = max(st, omap.end(r["end"]))
            if self.rec.update("speaker_turns", r["id"], {"label_start": ls, "label_end": le, "start": st, "end": en}):
                self.result.turns_moved += 1

    def shift_codings(self, sid: int, omap: OldToNewOffsets) -> None:
        rows = self.conn.execute(
            'SELECT id, code_id, coder_id, start, "end", memo, quote_edit FROM codings WHERE source_id = ? ORDER BY id',
            (sid,)).fetchall()
        survivors: dict[tuple, sqlite3.Row] = {}
        moves: list[tuple[sqlite3.Row, int, int]] = []
        merged: dict[int, list[sqlite3.Row]] = defaultdict(list)
        for r in rows:
            s, e = omap.start(r["start"]), omap.end(r["end"])
            key = (r["code_id"], r["coder_id"], s, e)
            if key in survivors:
                merged[survivors[key]["id"]].append(r)
                continue
            survivors[key] = r
            if (s, e) != (r["start"], r["end"]):
                moves.append((r, s, e))
        for keep_id, gone in merged.items():
            keep = next(r for r in survivors.values() if r["id"] == keep_id)
            memos = [m for m in [keep["memo"]] + [g["memo"] for g in gone] if m]
            memo = "\n\n".join(dict.fromkeys(memos))
            quote = keep["quote_edit"] or next((g["quote_edit"] for g in gone if g["quote_edit"]), None)
            for g in gone:
                self.rec.delete("codings", g["id"])
            self.rec.update("codings", keep_id, {"memo": memo, "quote_edit": quote})
            self.result.codings_merged += len(gone)
        # Moving one coding onto the current place of another one that moves later would break
        # the unique index for a moment; then every mover is parked out of range first.
        current = {(r["code_id"], r["coder_id"], r["start"], r["end"]) for r, _s, _e in moves}
        park = any((r["code_id"], r["coder_id"], s, e) in current for r, s, e in moves)
        if park:
            for r, _s, _e in moves:
                self.rec.update("codings", r["id"], {"start": r["start"] + _TEMP_SHIFT, "end": r["end"] + _TEMP_SHIFT})
        for r, s, e in moves:
            self.rec.update("codings", r["id"], {"start": s, "end": e})
        self.result.codings_moved += len(moves)


# ----------------------------------------------------------------------------- occurrences
def occurrences(project, entries: list[KeyEntry] | None = None) -> dict[str, int]:
    """How often each key name still occurs anywhere the pseudonymisation reaches."""
    entries = load_key(project) if entries is None else entries
    pattern = compile_key(e.real for e in entries)
    found: Counter = Counter()
    if pattern is None:
        return {}
    conn = project.conn
    for r in conn.execute("SELECT text FROM sources"):
        found.update(m.group() for m in pattern.finditer(r[0]))
    for table, cols, _unique in FIELDS:
        quoted = ", ".join(f'"{c}"' for c in cols)
        for r in conn.execute(f'SELECT {quoted} FROM "{table}"'):
            for v in r:
                if v:
                    found.update(m.group() for m in pattern.finditer(v))
    return dict(found)

