"""The merge report: what was added and matched, and every conflict left for the user."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..anchors.merge_anchors import COUNT_KEYS as ANCHOR_KEYS


@dataclass(frozen=True)
class Conflict:
    kind: str
    what: str
    here: str | None
    there: str | None
    resolution: str

    def message(self) -> str:
        line = self.what
        if self.here is not None or self.there is not None:
            line += f": here {_short(self.here)}, in the other copy {_short(self.there)}"
        return f"{line} — {self.resolution}"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "what": self.what, "here": self.here, "there": self.there,
                "resolution": self.resolution}


def _short(value: str | None, width: int = 70) -> str:
    if value is None:
        return "(none)"
    flat = " ".join(value.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


COUNT_KEYS = (
    "sources_added", "sources_matched", "codes_added", "codes_matched", "coders_added", "cases_added",
    "case_links_added", "attributes_added", "attribute_values_added", "codings_added", "codings_duplicate",
    "memos_added", "matrix_cells_added", "speaker_roles_added", "sets_added", *ANCHOR_KEYS,
)


@dataclass
class MergeReport:
    other: str
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in COUNT_KEYS})
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def bump(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def conflict(self, kind: str, what: str, here, there, resolution: str) -> None:
        self.conflicts.append(Conflict(kind, what, None if here is None else str(here),
                                       None if there is None else str(there), resolution))

    def as_dict(self) -> dict:
        return {"other": self.other, **self.counts, "conflicts": [c.as_dict() for c in self.conflicts],
                "notes": list(self.notes)}

    def summary(self) -> str:
        c = self.counts

        def n(count: int, word: str) -> str:
            return f"{count:,} {word}{'' if count == 1 else 's'}"

        return (f"merged {self.other}: {n(c['codings_added'], 'coding')} added ({c['codings_duplicate']:,} already "
                f"here), {n(c['sources_added'], 'new source')} ({c['sources_matched']} matched), "
                f"{n(c['codes_added'], 'new code')}, {n(c['coders_added'], 'new coder')}, "
                f"{n(c['cases_added'], 'new case')}; {n(len(self.conflicts), 'conflict')} to review")

    def lines(self) -> list[str]:
        out = [self.summary(), ""]
        labels = {k: k.replace("_", " ") for k in COUNT_KEYS}
        out += [f"{labels[k]}: {v:,}" for k, v in self.counts.items()]
        if self.notes:
            out += ["", "Notes:"] + [f"- {n}" for n in self.notes]
        if self.conflicts:
            out += ["", "Conflicts (nothing here was overwritten; decide and edit by hand):"]
            out += [f"- [{c.kind}] {c.message()}" for c in self.conflicts]
        return out

