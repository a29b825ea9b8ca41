"""What importing a .qdpx did: counts, missing sources, selections kept aside or refused, what
was skipped, assumed or renamed; and where the kept-aside selections are stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from ...wording import counted

SETTING = "refi_qda_import"
KEPT_ASIDE_TITLE = "REFI-QDA import: codings kept aside"


@dataclass
class QdpxImportReport:
    source_file: str
    project_file: str = ""
    origin: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    missing_sources: list[str] = field(default_factory=list)
    kept_aside_selections: int = 0
    kept_aside_codings: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    renamed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    convention: str = "codepoints"
    convention_note: str = ""
    refused: list[str] = field(default_factory=list)  # what the limits (core.limits) left out
    refused_selections: int = 0

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def as_dict(self) -> dict:
        return {
            "project": self.project_file,
            "origin": self.origin,
            **{k: self.counts.get(k, 0) for k in ("sources", "codes", "codings", "cases", "coders", "attributes",
                                                  "memos", "matrix_cells", "sets")},
            "missing_sources": list(self.missing_sources),
            "kept_aside": {"selections": self.kept_aside_selections, "codings": self.kept_aside_codings,
                           "where": f"project setting '{SETTING}'" if self.kept_aside_selections else None},
            "skipped": dict(sorted(self.skipped.items())),
            "refused": {"selections": self.refused_selections, "why": list(self.refused)},
            "offsets": self.convention,
            "offsets_note": self.convention_note,
            "assumptions": list(self.assumptions),
            "renamed": list(self.renamed),
            "warnings": len(self.warnings),
        }

    def summary(self) -> str:
        c = self.counts
        line = "imported " + ", ".join(counted(c.get(k, 0), k[:-1]) for k in ("sources", "codes", "codings", "cases", "memos"))
        if self.missing_sources:
            line += f"; {counted(len(self.missing_sources), 'source')} missing"
        if self.kept_aside_selections:
            line += (f"; {counted(self.kept_aside_codings, 'coding')} kept aside (listed in the journal entry "
                     f"'{KEPT_ASIDE_TITLE}', data in the project setting '{SETTING}')")
        if self.refused_selections:
            line += f"; {counted(self.refused_selections, 'selection')} over the limits not imported"
        return line

    def details(self, warnings: bool = True) -> list[str]:
        """Lines for the user: offsets, missing sources, what was skipped and why, what was
        assumed or renamed (and the warnings, unless they go elsewhere)."""
        out = [f"refused: {r}" for r in self.refused]
        out += [self.convention_note] if self.convention_note else []
        out += [f"missing source: {m}" for m in self.missing_sources]
        out += [f"skipped {n}: {reason}" for reason, n in sorted(self.skipped.items())]
        out += [f"assumed: {a}" for a in self.assumptions]
        out += [f"renamed: {r}" for r in self.renamed]
        if warnings:
            out += [f"warning: {w}" for w in self.warnings]
        return out
