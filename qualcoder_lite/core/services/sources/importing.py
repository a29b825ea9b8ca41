"""Importing transcripts: read every file first, then write them all in one transaction."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from operator import add
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ...commands import Command
from ...errors import DuplicateError, UsageError
from ...model import Turn
from ...wording import one_line
from ...store.database import now_iso
from ...store.recorder import Recorder
from ...store.word_index import build_word_index
from .reading import TurnRow, count_words, read_files, turn_rows, utf8_of, words_of  # noqa: F401  (count_words: used from here)

Progress = Callable[[int, int, str], bool]  # (done, total, label) -> keep going?


def text_hash(text: str | bytes) -> str:
    """A source's ``text_hash``: SHA-256 of its UTF-8 (given as a str, or already encoded)."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


@dataclass
class CaseRule:
    """How an imported file gets its case: its stem (default), a name, a regex, or none."""

    name: str | None = None
    pattern: str | None = None
    none: bool = False

    def case_for(self, path: Path) -> str | None:
        """The case name for ``path``, stripped of white space like the source name (a file
        named " P1.md" is case "P1", which an attributes sheet can match)."""
        if self.none:
            return None
        if self.name is not None:
            return one_line(self.name) or None
        if self.pattern is not None:
            try:
                m = re.search(self.pattern, path.stem)
            except re.error as exc:
                raise UsageError(f"--case-from {self.pattern!r} is not a valid pattern: {exc}") from None
            if m is None:
                return None
            got = m.group(1) if m.groups() else m.group(0)
            return one_line(got or "") or None
        return _name_of(path)


@dataclass
class PreparedSource:
    path: Path
    name: str
    text: str | bytes  # or its UTF-8 (``prepare`` keeps that: a quarter of a str with an emoji)
    format: str
    turns: list[Turn] | list[TurnRow]
    case: str | None
    kind: str = "transcript"
    warnings: list[str] = field(default_factory=list)
    word_index: bytes | None = None  # made by ``complete`` when not given
    words: int | None = None

    @property
    def utf8(self) -> bytes:
        return self.text if isinstance(self.text, bytes) else self.text.encode("utf-8")

    def text_str(self) -> str:
        return self.text.decode("utf-8") if isinstance(self.text, bytes) else self.text

    @cached_property
    def hash(self) -> str:
        return text_hash(self.utf8)

    def complete(self, text: str | None = None) -> None:
        """Fill in the word index and word count when the reader did not (``text``: the
        decoded text, when the caller has it)."""
        if self.word_index is None or self.words is None:
            text = self.text_str() if text is None else text
            if self.word_index is None:
                self.word_index = build_word_index(text)
            if self.words is None:
                self.words = words_of(text, self.word_index)


@dataclass
class ImportReport:
    sources: list[str] = field(default_factory=list)
    cases_created: list[str] = field(default_factory=list)
    turns: int = 0
    words: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sources": len(self.sources),
            "cases_created": len(self.cases_created),
            "turns": self.turns,
            "words": self.words,
            "warnings": len(self.warnings),
        }

    def summary(self) -> str:
        s = "" if len(self.sources) == 1 else "s"
        line = f"imported {len(self.sources)} source{s} ({self.words:,} words, {self.turns:,} speaker turns)"
        if self.cases_created:
            c = "" if len(self.cases_created) == 1 else "s"
            line += f", {len(self.cases_created)} new case{c}"
        return line


def prepare(
    paths: list[str | Path],
    case_rule: CaseRule | None = None,
    kind: str = "transcript",
    encoding: str | None = None,
    progress: Progress | None = None,
) -> list[PreparedSource]:
    """Read and check every file (and index its text); raises InputError naming the first bad
    file. Many files are read in worker processes (``reading.read_files``)."""
    return list(prepare_each(paths, case_rule, kind, encoding, progress))


def prepare_each(
    paths: Sequence[str | Path],
    case_rule: CaseRule | None = None,
    kind: str = "transcript",
    encoding: str | None = None,
    progress: Progress | None = None,
) -> Iterator[PreparedSource]:
    """``prepare``, one source at a time (in the order of ``paths``) as each is read."""
    rule = case_rule or CaseRule()
    if kind not in ("transcript", "notes", "other"):
        raise UsageError(f"unknown source kind {kind!r} (transcript, notes or other)")
    for path, read in read_files([Path(raw) for raw in paths], encoding, progress):
        case = rule.case_for(path)
        warnings = [f"{path}: {w}" for w in read.warnings]
        if case is None and rule.pattern is not None:
            warnings.append(f"{path}: --case-from {rule.pattern!r} does not match '{path.stem}'; "
                            "the source has no case (set one with: cases PROJECT set SOURCE CASE)")
        prepared = PreparedSource(
            path=path,
            name=_name_of(path),
            text=utf8_of(read),  # decoded again one text at a time when written
            format=read.format,
            turns=read.turns,
            case=case,
            kind=kind,
            warnings=warnings,
            word_index=read.word_index,
            words=read.words,
        )
        del read  # its text as a str: not held while the caller writes this source
        yield prepared


def _name_of(path: Path) -> str:
    return one_line(path.stem) or one_line(path.name) or path.name


class ImportSources(Command):
    """Add prepared sources (text, turns, case links) as one undoable step."""

    def __init__(self, prepared: list[PreparedSource], progress: Progress | None = None):
        super().__init__()
        self.prepared = prepared
        self.progress = progress
        n = len(prepared)
        self.name = f"Import {prepared[0].name}" if n == 1 else f"Import {n} sources"

    def check(self, project) -> None:
        """Refuse duplicates (same text or same name) before writing anything."""
        seen_hash: dict[str, Path] = {}
        seen_name: dict[str, Path] = {}
        for p in self.prepared:
            _check_one(project, p, seen_hash, seen_name)

    def apply(self, project, rec: Recorder) -> ImportReport:
        self.check(project)
        report = ImportReport()
        coder_id = project.coders.ensure(rec, project.coder)
        total = len(self.prepared)
        for i, p in enumerate(self.prepared):
            if self.progress is not None and not self.progress(i, total, f"Importing {p.name}"):
                raise InterruptedError("import cancelled")
            _write(project, rec, p, coder_id, report)
        if self.progress is not None:
            self.progress(total, total, "Done")
        return report


def _check_one(project, p: PreparedSource, seen_hash: dict[str, Path], seen_name: dict[str, Path]) -> None:
    """Refuse ``p`` when its text or name is in the project or earlier in this import
    (``seen_*``, which it joins). The import's own sources are checked first: one written
    already is then named as in this import, as when nothing is written before the checks."""
    if p.hash in seen_hash:
        raise DuplicateError(f"{p.path}: same text as {seen_hash[p.hash]} in this import")
    existing = project.sources.by_hash(p.hash)
    if existing is not None:
        raise DuplicateError(f"{p.path}: already imported as source '{existing.name}' (same text)")
    if p.name in seen_name:
        raise DuplicateError(f"{p.path}: two files in this import are both named '{p.name}'")
    if project.sources.by_name(p.name) is not None:
        raise DuplicateError(
            f"{p.path}: a different source named '{p.name}' already exists; rename the file first"
        )
    seen_hash[p.hash] = p.path
    seen_name[p.name] = p.path


def _write(project, rec: Recorder, p: PreparedSource, coder_id: int, report: ImportReport) -> None:
    """Insert one source, its case link and its speaker turns (after it: undo takes them
    first); the turns get the ids they would get written after every source."""
    p.complete()  # (reads the text only when the reader made no index)
    utf8 = p.utf8
    source_id = rec.insert(
        "sources",
        {
            "guid": str(uuid.uuid4()),
            "name": p.name,
            "kind": p.kind,
            "text": utf8,  # stored as the TEXT these bytes are: not decoded here
            "text_hash": p.hash,
            "words": p.words,
            "file_format": p.format,
            "original_path": str(p.path),
            "imported": now_iso(),
            "imported_by": coder_id,
            "word_index": p.word_index,  # in the row: undo/redo carry it along
        },
        utf8={"text": utf8},  # the undo record keeps the UTF-8, not a str
    )
    if p.case:
        case_id, created = project.cases.ensure(rec, p.case)
        if created:
            report.cases_created.append(p.case)
        project.cases.link(rec, case_id, source_id)
    rec.insert_many("speaker_turns", _TURN_COLS, list(map(add, repeat((source_id,)), turn_rows(p.turns))))
    report.sources.append(p.name)
    report.turns += len(p.turns)
    report.words += p.words or 0  # complete() set it
    report.warnings.extend(p.warnings)


class ImportFiles(Command):
    """``ImportSources`` of files read while the sources are written (in the one
    transaction): reading in worker processes overlaps the writing here, and no more than
    the texts waiting to be written are held besides the undo record. Errors are those of
    ``prepare`` then ``ImportSources``: a file that cannot be read is named before any
    duplicate, so after a duplicate the rest is read, not written."""

    def __init__(self, paths: list[Path], case_rule: CaseRule | None = None, kind: str = "transcript",
                 encoding: str | None = None, progress: Progress | None = None):
        super().__init__()
        self.paths, self.case_rule, self.kind, self.encoding = paths, case_rule, kind, encoding
        self.progress = progress
        n = len(paths)
        self.name = f"Import {_name_of(paths[0])}" if n == 1 else f"Import {n} sources"

    def apply(self, project, rec: Recorder) -> ImportReport:
        report = ImportReport()
        coder_id = project.coders.ensure(rec, project.coder)
        total = len(self.paths)
        seen_hash: dict[str, Path] = {}
        seen_name: dict[str, Path] = {}
        refused: DuplicateError | None = None
        for i, p in enumerate(prepare_each(self.paths, self.case_rule, self.kind, self.encoding, self.progress)):
            if refused is None:
                try:
                    _check_one(project, p, seen_hash, seen_name)
                except DuplicateError as exc:
                    refused = exc
            if refused is not None:
                continue
            if self.progress is not None and not self.progress(i, total, f"Importing {p.name}"):
                raise InterruptedError("import cancelled")
            _write(project, rec, p, coder_id, report)
        if refused is not None:
            raise refused
        if self.progress is not None:
            self.progress(total, total, "Done")
        return report


_TURN_COLS = ("source_id", "speaker", "label_start", "label_end", "start", "end", "timestamp")


def import_files(project, paths, case_rule=None, kind="transcript", encoding=None, progress=None) -> ImportReport:
    """Read, check and import ``paths`` in one transaction (all or nothing)."""
    if not paths:
        raise UsageError("no files to import")
    cmd = ImportFiles([Path(raw) for raw in paths], case_rule, kind, encoding, progress)
    project.execute(cmd)
    return cmd.result

