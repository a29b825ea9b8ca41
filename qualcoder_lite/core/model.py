"""Plain dataclasses for what the project holds (read side; no Qt, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Coder:
    id: int
    name: str
    color: str | None = None


@dataclass(frozen=True)
class Source:
    id: int
    guid: str
    name: str
    kind: str
    length: int
    words: int
    file_format: str | None
    memo: str = ""
    cases: tuple[str, ...] = ()
    codings: int = 0


@dataclass(frozen=True)
class Turn:
    """A speaker turn: ``label_start:label_end`` is the label, ``start:end`` what was said."""

    speaker: str | None
    label_start: int
    label_end: int
    start: int
    end: int
    timestamp: str | None = None


@dataclass(frozen=True)
class Case:
    id: int
    guid: str
    name: str
    memo: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attribute:
    id: int
    name: str
    type: str  # text | number | date | boolean
    applies_to: str = "case"


@dataclass(frozen=True)
class Code:
    id: int
    guid: str
    parent_id: int | None
    name: str
    path: tuple[str, ...]
    description: str = ""
    color: str = "#9e9e9e"
    memo: str = ""
    position: int = 0

    @property
    def path_str(self) -> str:
        """The escaped path (``A\\/B/C``): command line, JSON and the codebook CSV only."""
        from .codepath import join

        return join(self.path)

    @property
    def display_path(self) -> str:
        """The path as a person reads it (``A/B › C``): the app and every document."""
        from .codepath import display

        return display(self.path)


@dataclass(frozen=True)
class Coding:
    id: int
    guid: str
    source_id: int
    code_id: int
    coder: str
    start: int
    end: int
    memo: str = ""
    created: str = ""
    quote_edit: str | None = None


@dataclass(frozen=True)
class Segment:
    """A coding joined with what a retrieval table shows."""

    coding_id: int
    source: str
    source_id: int
    case: str | None
    cases: tuple[str, ...]
    code: str
    code_path: tuple[str, ...]
    code_id: int
    start: int
    end: int
    text: str
    coder: str
    memo: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def display_path(self) -> str:
        """The code's path as a person reads it (``code`` is the escaped form, for JSON)."""
        from .codepath import display

        return display(self.code_path)


@dataclass(frozen=True)
class Memo:
    id: int
    kind: str
    target_id: int | None
    title: str
    body: str
    coder: str | None
    created: str
    modified: str
