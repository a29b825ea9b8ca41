"""Commands that apply, adjust and remove codings."""

from __future__ import annotations

import uuid

from ...commands import Command
from ...errors import UsageError
from ...store.database import now_iso
from ...store.recorder import Recorder


def _check_span(project, source_id: int, start: int, end: int) -> None:
    length = project.sources.length(source_id)
    if length is None:
        raise UsageError(f"no source with id {source_id}")
    if not (0 <= start < end <= length):
        raise UsageError(f"span {start}:{end} is outside the source (length {length}) or empty")


def add_coding(project, rec: Recorder, source_id: int, code_id: int, start: int, end: int,
               coder_id: int, memo: str = "") -> tuple[int, bool]:
    """Insert one coding unless an identical one exists: (coding id, created?)."""
    found = project.codings.find(source_id, code_id, coder_id, start, end)
    if found is not None:
        return found, False
    return (
        rec.insert(
            "codings",
            {
                "guid": str(uuid.uuid4()),
                "source_id": source_id,
                "code_id": code_id,
                "coder_id": coder_id,
                "start": start,
                "end": end,
                "memo": memo,
                "created": now_iso(),
            },
        ),
        True,
    )


class ApplyCode(Command):
    """Code ``text[start:end]`` of a source with one or more codes (one undo step)."""

    def __init__(self, source_id: int, code_ids: int | list[int], start: int, end: int,
                 coder: str | None = None, memo: str = "", spans: list[tuple[int, int, int]] | None = None):
        super().__init__()
        self.code_ids = [code_ids] if isinstance(code_ids, int) else list(code_ids)
        # spans: optional list of (source_id, start, end) to code them all in one step
        self.spans = spans if spans is not None else [(source_id, start, end)]
        self.coder = coder
        self.memo = memo
        self.name = "Apply code" if len(self.spans) == 1 else f"Code {len(self.spans)} passages"

    def apply(self, project, rec: Recorder) -> list[int]:
        coder_id = project.coders.ensure(rec, self.coder or project.coder)
        if len(self.code_ids) == 1 and len(self.spans) == 1:
            self.name = f"Apply '{project.codes.name(self.code_ids[0])}'"  # not the tree: ~1 ms
        created: list[int] = []
        for source_id, start, end in self.spans:
            _check_span(project, source_id, start, end)
            for code_id in self.code_ids:
                cid, new = add_coding(project, rec, source_id, code_id, start, end, coder_id, self.memo)
                if new:
                    created.append(cid)
        return created


class RemoveCoding(Command):
    def __init__(self, coding_ids: int | list[int]):
        super().__init__()
        self.coding_ids = [coding_ids] if isinstance(coding_ids, int) else list(coding_ids)
        self.name = "Remove coding" if len(self.coding_ids) == 1 else f"Remove {len(self.coding_ids)} codings"

    def apply(self, project, rec: Recorder) -> int:
        for cid in self.coding_ids:
            rec.delete("codings", cid)
        return len(self.coding_ids)


class AdjustCoding(Command):
    """Change a coding's boundaries."""

    def __init__(self, coding_id: int, start: int, end: int):
        super().__init__()
        self.coding_id, self.start, self.end = coding_id, start, end
        self.name = "Adjust coding"

    def apply(self, project, rec: Recorder) -> bool:
        coding = project.codings.get(self.coding_id)
        if coding is None:
            raise UsageError(f"no coding with id {self.coding_id}")
        _check_span(project, coding.source_id, self.start, self.end)
        coder_id = project.coders.id_of(coding.coder)
        other = project.codings.find(coding.source_id, coding.code_id, coder_id, self.start, self.end)
        if other is not None and other != self.coding_id:
            rec.delete("codings", self.coding_id)  # the adjusted coding equals another one
            return True
        return rec.update("codings", self.coding_id, {"start": self.start, "end": self.end})


class SetCodingMemo(Command):
    def __init__(self, coding_id: int, memo: str):
        super().__init__()
        self.coding_id, self.memo = coding_id, memo
        self.name = "Edit coding memo"

    def apply(self, project, rec: Recorder) -> bool:
        return rec.update("codings", self.coding_id, {"memo": self.memo})


class SetQuoteEdit(Command):
    """Store the analyst's edited form of a quote (elisions, [insertions]); None restores it."""

    def __init__(self, coding_id: int, quote: str | None):
        super().__init__()
        self.coding_id, self.quote = coding_id, (quote if quote else None)
        self.name = "Edit quote"

    def apply(self, project, rec: Recorder) -> bool:
        return rec.update("codings", self.coding_id, {"quote_edit": self.quote})


class CodeInVivo(Command):
    """'New code from selection': the selected words name a new top-level code (or the
    existing one of that name) and the selection is coded with it, as one step."""

    def __init__(self, source_id: int, start: int, end: int, name: str, coder: str | None = None):
        super().__init__()
        self.source_id, self.start, self.end, self.coder = source_id, start, end, coder
        self.code_name = name
        self.name = f"New code '{name}' from selection"

    def apply(self, project, rec: Recorder) -> int:
        from .codes import AddCode

        existing = project.codes.find([self.code_name])
        code_id = existing.id if existing is not None else AddCode([self.code_name]).apply(project, rec)
        ApplyCode(self.source_id, code_id, self.start, self.end, coder=self.coder).apply(project, rec)
        return code_id
