"""Autocode: code every match of a pattern at the chosen unit (one undoable step)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...commands import Command
from ...errors import UsageError
from ...store.recorder import Recorder
from ...units import UNIT_KINDS, turn_at, unit_at, units
from .coding import add_coding


@dataclass
class AutocodeReport:
    matches: int = 0
    added: int = 0
    existing: int = 0
    sources: int = 0

    def as_dict(self) -> dict:
        return {"matches": self.matches, "added": self.added, "existing": self.existing, "sources": self.sources}

    def summary(self) -> str:
        return (
            f"added {self.added} coding{'s' if self.added != 1 else ''} "
            f"({self.matches} match{'es' if self.matches != 1 else ''} in {self.sources} source{'s' if self.sources != 1 else ''}; "
            f"{self.existing} already coded)"
        )


class Autocode(Command):
    def __init__(self, code_id: int, pattern: str, unit: str = "match", speaker: str | None = None,
                 ignore_case: bool = False, coder: str | None = None, include_interviewer: bool = False,
                 source_ids: list[int] | None = None, progress=None):
        super().__init__()
        if unit not in UNIT_KINDS:
            raise UsageError(f"unknown unit {unit!r} (choose from {', '.join(UNIT_KINDS)})")
        try:
            self.regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        except re.error as exc:
            raise UsageError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
        self.code_id = code_id
        self.unit = unit
        self.speaker = speaker
        self.coder = coder
        self.include_interviewer = include_interviewer
        self.source_ids = source_ids
        self.progress = progress
        self.name = f"Autocode /{pattern}/"

    def apply(self, project, rec: Recorder) -> AutocodeReport:
        report = AutocodeReport()
        if self.speaker is not None:
            known = {r[0] for r in project.conn.execute("SELECT DISTINCT speaker FROM speaker_turns")}
            if self.speaker not in known:
                shown = ", ".join(sorted(k for k in known if k)[:15]) or "none found"
                raise UsageError(f"no speaker named {self.speaker!r} (speakers: {shown})")
        coder_id = project.coders.ensure(rec, self.coder or project.coder)
        roles = project.sources.speaker_roles()
        interviewers = {s for s, r in roles.items() if r == "interviewer"}
        ids = self.source_ids
        if ids is None:
            ids = [r[0] for r in project.conn.execute("SELECT id FROM sources ORDER BY name")]
        for n, source_id in enumerate(ids):
            if self.progress is not None and not self.progress(n, len(ids), "Autocoding"):
                raise InterruptedError("autocode cancelled")
            text = project.sources.text(source_id)
            turns = project.sources.turns(source_id)
            spans = None if self.unit == "match" else units(text, turns, self.unit)
            chosen: set[tuple[int, int]] = set()
            for m in self.regex.finditer(text):
                if m.end() == m.start():
                    continue  # zero-width matches are skipped
                turn = turn_at(turns, m.start())
                if self.speaker is not None and (turn is None or turn.speaker != self.speaker):
                    continue
                if self.speaker is None and not self.include_interviewer and turn is not None and turn.speaker in interviewers:
                    continue
                span: tuple[int, int] | None
                if spans is None:
                    span = (m.start(), m.end())
                else:
                    span = unit_at(spans, m.start())
                    if span is None:
                        continue  # the match lies in a speaker label or between units
                report.matches += 1
                chosen.add(span)
            if chosen:
                report.sources += 1
            for start, end in sorted(chosen):
                _, created = add_coding(project, rec, source_id, self.code_id, start, end, coder_id)
                if created:
                    report.added += 1
                else:
                    report.existing += 1
        return report
