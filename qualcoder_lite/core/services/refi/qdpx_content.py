"""What reading a .qdpx yields: the ``refi.Project`` with everything reading noticed (warnings,
assumptions, skipped items, selections kept aside because they could not be placed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import model as refi
from .offsets import Detection


@dataclass
class KeptAside:
    """A selection that could not become codings, kept so it is not lost."""

    source: str
    source_guid: str
    selection_guid: str
    start: int | None
    end: int | None
    name: str
    codes: list[str]  # code GUIDs
    users: list[str | None]
    reason: str

    def as_dict(self) -> dict:
        return {"source": self.source, "source_guid": self.source_guid, "selection_guid": self.selection_guid,
                "start": self.start, "end": self.end, "name": self.name, "codes": self.codes,
                "users": self.users, "reason": self.reason}


@dataclass
class QdpxContent:
    project: refi.Project
    path: Path
    member: str
    detection: Detection | None = None
    warnings: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    kept_aside: list[KeptAside] = field(default_factory=list)
    missing_sources: list[str] = field(default_factory=list)
    adjusted: int = 0  # selection ends that fell inside a character and were snapped
    refused: list[str] = field(default_factory=list)  # what the limits left out, one line each
    refused_selections: int = 0
    #: GUIDs of dropped duplicate selections -> the GUID of the selection they repeat
    duplicate_of: dict[str, str] = field(default_factory=dict)
    #: the workers deriving the texts (``qdpx_prefetch.Prefetch``), when reading started them
    prefetch: Any = None

    def close(self) -> None:
        """Stop the workers that derive the texts, if any."""
        if self.prefetch is not None:
            self.prefetch.close()

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

