"""Correcting a coded transcript: replace a source's text by a corrected version, with every
coding, speaker turn and other anchored row (``anchors.ANCHORS``) moved to follow the text,
then the speaker turns made those an import of the new text finds and interviewer marks
kept with the names (``edit_turns``).

One undoable step. The codings whose own text changed are listed; a coding whose text was
deleted entirely is never dropped silently: the edit is refused, naming it, unless the
caller asks to remove such codings with it (``drop_deleted``), and then they are listed as
removed. The source keeps its name, GUID, cases and import hash (``text_hash`` says what
was imported; the merge matches sources by GUID first, so an edited copy still matches).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...commands import Command
from ...errors import UsageError
from ...store.recorder import Recorder
from ...units import TurnRow, detect_turn_rows
from ..search.search import build_word_index
from ..anchors.follow_text import AnchorChange, follow_text_edit
from .edit_turns import FORMAT_TURNS, TurnsReport, redetect_turns
from .importing import count_words
from .textdiff import TextDiff


@dataclass
class TextEditReport:
    source: str
    edits: int = 0  # separate changed places in the text
    chars_before: int = 0
    chars_after: int = 0
    moved: dict[str, int] = field(default_factory=dict)
    changes: list[AnchorChange] = field(default_factory=list)
    turns: TurnsReport = field(default_factory=TurnsReport)

    @property
    def changed(self) -> list[AnchorChange]:
        return [c for c in self.changes if c.status == "changed"]

    def as_dict(self) -> dict:
        return {"source": self.source, "edits": self.edits, "chars_before": self.chars_before,
                "chars_after": self.chars_after, "moved": dict(sorted(self.moved.items())),
                "changes": [c.as_dict() for c in self.changes], "turns": self.turns.as_dict()}

    def summary(self) -> str:
        if not self.edits:
            return f"source '{self.source}': the new text is the same; nothing was changed"
        moved = ", ".join(f"{n:,} {what}{'' if n == 1 else 's'}" for what, n in sorted(self.moved.items()) if n)
        line = (f"updated source '{self.source}': {self.edits:,} change{'' if self.edits == 1 else 's'} in the text "
                f"({self.chars_before:,} -> {self.chars_after:,} characters)")
        line += f"; moved {moved}" if moved else "; nothing anchored had to move"
        turns = self.turns.summary()
        line += f"; {turns}" if turns else ""
        counts: dict[str, int] = {}
        for c in self.changes:
            counts[c.status] = counts.get(c.status, 0) + 1
        words = {"changed": "whose text changed", "removed": "removed (text deleted)", "merged": "merged"}
        listed = ", ".join(f"{n:,} {words[s]}" for s, n in counts.items() if s in words)
        return line + (f"; {listed} (listed below)" if listed else "")


class ReplaceSourceText(Command):
    """Replace the text of one source; everything anchored in it follows (see module)."""

    def __init__(self, source_id: int, new_text: str, drop_deleted: bool = False,
                 turns: list[TurnRow] | None = None):
        """``turns``: those an import of the new text's file finds (``read_corrected``); None (an
        edit in the app): those found in the text, or a subtitle source's cue turns moved, each
        named by its label again (``edit_turns``)."""
        super().__init__()
        if not new_text.strip():
            raise UsageError("the new text is empty; a source cannot be emptied (delete the source instead)")
        self.source_id, self.new_text, self.drop_deleted = source_id, new_text, drop_deleted
        self.turns = turns
        self.name = "Edit transcript"

    def apply(self, project, rec: Recorder) -> TextEditReport:
        src = project.sources.get(self.source_id)
        if src is None:
            raise UsageError("that source no longer exists")
        self.name = f"Edit transcript '{src.name}'"
        old = project.sources.text(self.source_id)
        report = TextEditReport(src.name, chars_before=len(old), chars_after=len(self.new_text))
        diff = TextDiff(old, self.new_text)
        if not diff:
            return report
        report.edits = len(diff.edits)
        shifted = follow_text_edit(project, rec, self.source_id, src.name, diff, self.drop_deleted)
        rec.update("sources", self.source_id, {"text": self.new_text, "words": count_words(self.new_text),
                                                "word_index": build_word_index(self.new_text)})
        report.moved, report.changes = shifted.moved, shifted.changes
        report.turns = redetect_turns(project, rec, self.source_id, self.new_text, self.turns,
                                      format_turns=src.file_format in FORMAT_TURNS)
        return report


def read_corrected(path: str | Path, encoding: str | None = None) -> tuple[str, list[TurnRow]]:
    """The corrected text, read like an import (same readers, limits and normalisation), and
    the speaker turns an import of it finds (a subtitle file's cues, else those in the text)."""
    from ...formats.readers import read_source

    read = read_source(Path(path), encoding=encoding)
    if read.turns is None:
        return read.text, detect_turn_rows(read.text)
    return read.text, [(t.speaker, t.label_start, t.label_end, t.start, t.end, t.timestamp) for t in read.turns]


def find_source(project, name: str):
    src = project.sources.by_name(name)
    if src is None:
        names = [s.name for s in project.sources.all()]
        shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
        raise UsageError(f"unknown source {name!r} (sources: {shown or 'none imported'})")
    return src


def update_source(project, name: str, path: str | Path, encoding: str | None = None,
                  drop_deleted: bool = False) -> TextEditReport:
    """``update-source``: read ``path`` and make it the text of source ``name``."""
    src = find_source(project, name)
    text, turns = read_corrected(path, encoding)
    cmd = ReplaceSourceText(src.id, text, drop_deleted, turns)
    project.execute(cmd)
    return cmd.result

