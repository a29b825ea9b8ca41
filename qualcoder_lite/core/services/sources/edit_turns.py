"""Speaker turns after a transcript's text is corrected (``edit_text.ReplaceSourceText``).

Moving the turns with the text is not enough: a label renamed ("Eric Holscher:" -> "Eric H.:",
a redaction) or a label typed into the middle of a turn changes who said what. So after
``follow_text_edit`` has moved them, the source's turns are made the turns an import of the
new text finds (``detect_turn_rows``; for a subtitle source, whose turns its cues made and no
text can give again, the moved turns with each label's name read again). A turn found
anew whose label starts where a moved one's does becomes that row (updated where it
differs); the others are inserted and the moved turns left over deleted. All through the
recorder: the same undoable step as the edit.

Roles (``speaker_roles``) are kept by speaker name for the whole project. A name the edit
takes out of the last source that had it loses its role; when every turn of it kept here
now has one other name without a role (a consistent rename), the role goes to that name,
so an interviewer stays out of quotes and autocode under the new name.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from ...store.recorder import Recorder
from ...units import TurnRow, detect_turn_rows

COLS = ("speaker", "label_start", "label_end", "start", "end", "timestamp")
FORMAT_TURNS = ("srt", "vtt")  # formats whose reader makes the turns (cues), not labels found in the text


@dataclass
class TurnsReport:
    """How the edit changed the source's speaker turns and roles."""

    before: int = 0
    after: int = 0
    added: int = 0
    removed: int = 0
    relabelled: int = 0
    renamed: dict[str, str] = field(default_factory=dict)  # old speaker -> the one name its turns have now
    roles_moved: list[tuple[str, str, str]] = field(default_factory=list)  # (old name, new name, role)
    roles_dropped: list[tuple[str, str]] = field(default_factory=list)  # (name no source has any more, role)

    def as_dict(self) -> dict:
        return {"before": self.before, "after": self.after, "added": self.added, "removed": self.removed,
                "relabelled": self.relabelled, "renamed": dict(sorted(self.renamed.items())),
                "roles_moved": [{"from": a, "to": b, "role": r} for a, b, r in self.roles_moved],
                "roles_dropped": [{"speaker": a, "role": r} for a, r in self.roles_dropped]}

    def summary(self) -> str:
        parts = []
        if self.added or self.removed or self.relabelled:
            detail = ", ".join(f"{n:,} {w}" for n, w in ((self.added, "new"), (self.removed, "gone"),
                                                           (self.relabelled, "with another speaker")) if n)
            parts.append(f"speaker turns found again in the new text: {self.before:,} -> {self.after:,} ({detail})")
        parts += [f"speaker '{a}' is now '{b}'" for a, b in sorted(self.renamed.items())]
        parts += [f"'{b}' is marked {r} as '{a}' was" for a, b, r in self.roles_moved]
        parts += [f"'{a}' is no longer marked {r} (no source has that speaker any more)" for a, r in self.roles_dropped]
        return "; ".join(parts)


def _labelled_again(rows: list[sqlite3.Row], text: str) -> list[TurnRow]:
    """Moved format turns, each labelled one ("Rik:") named by its label in ``text`` again."""
    out: list[TurnRow] = []
    for r in rows:
        speaker = r["speaker"]
        label = text[r["label_start"]:r["label_end"]]
        if label.endswith(":") and label[:-1].strip():
            speaker = label[:-1].strip()
        out.append((speaker, r["label_start"], r["label_end"], r["start"], r["end"], r["timestamp"]))
    return out


def redetect_turns(project, rec: Recorder, source_id: int, text: str, given: list[TurnRow] | None = None,
                   format_turns: bool = False) -> TurnsReport:
    """Make the (moved) turns of ``source_id`` those of its new ``text``: ``given`` (a
    reader's), else the moved ones relabelled (``format_turns``), else ``detect_turn_rows``."""
    rows = project.conn.execute(
        'SELECT id, speaker, label_start, label_end, start, "end", timestamp FROM speaker_turns '
        "WHERE source_id = ? ORDER BY start, id", (source_id,)).fetchall()
    if given is not None:
        fresh = given
    else:
        fresh = _labelled_again(rows, text) if format_turns else detect_turn_rows(text)
    report = TurnsReport(before=len(rows), after=len(fresh))
    by_label: dict[int, sqlite3.Row] = {}
    for r in rows:
        by_label.setdefault(r["label_start"], r)
    kept: set[int] = set()
    now: dict[str, Counter] = {}  # old speaker -> the speakers of its rows kept
    inserts: list[tuple] = []
    for turn in fresh:
        r = by_label.get(turn[1])
        if r is None or r["id"] in kept:
            inserts.append((source_id, *turn))
            continue
        kept.add(r["id"])
        values = {c: v for c, v in zip(COLS, turn) if r[c] != v}
        if values:
            rec.update("speaker_turns", r["id"], values)
            report.relabelled += "speaker" in values
        if r["speaker"] is not None:
            now.setdefault(r["speaker"], Counter())[turn[0]] += 1
    for r in rows:
        if r["id"] not in kept:
            rec.delete("speaker_turns", r["id"])
            report.removed += 1
            if r["speaker"] is not None:
                now.setdefault(r["speaker"], Counter())
    if inserts:
        rec.insert_many("speaker_turns", ("source_id",) + COLS, inserts)
    report.added = len(inserts)
    report.renamed = {old: next(iter(c)) for old, c in now.items()
                      if len(c) == 1 and next(iter(c)) not in (None, old)}
    _follow_roles(project.conn, rec, source_id, now, report)
    return report


def _follow_roles(conn: sqlite3.Connection, rec: Recorder, source_id: int, now: dict[str, Counter],
                  report: TurnsReport) -> None:
    """Roles of the names this edit took out of the project: moved to the one name that
    replaced them (a name new to the project), else removed."""
    roles = {r[1]: (r[0], r[2]) for r in conn.execute("SELECT id, speaker, role FROM speaker_roles")}
    for old in sorted(now):
        if old not in roles or conn.execute("SELECT 1 FROM speaker_turns WHERE speaker = ? LIMIT 1",
                                            (old,)).fetchone():
            continue  # no role, or still a speaker somewhere: the role stays as it is
        role_id, role = roles.pop(old)
        new = report.renamed.get(old)
        elsewhere = new is not None and conn.execute(
            "SELECT 1 FROM speaker_turns WHERE speaker = ? AND source_id != ? LIMIT 1", (new, source_id)).fetchone()
        if new is not None and new not in roles and new not in now and not elsewhere:
            rec.update("speaker_roles", role_id, {"speaker": new})
            roles[new] = (role_id, role)
            report.roles_moved.append((old, new, role))
        else:
            rec.delete("speaker_roles", role_id)
            report.roles_dropped.append((old, role))
