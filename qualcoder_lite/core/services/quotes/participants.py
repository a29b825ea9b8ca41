"""Table 1, participant characteristics: one row per case (naturally sorted: P2 before
P10), the chosen case attributes as columns, optionally grouped by one attribute with a
heading and count per group, and the total number of participants.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import UsageError
from ..sources.filters import Where
from ..matrix.matrix import MISSING, _sort_key_for
from .quotes import natural_key


@dataclass(frozen=True)
class Participant:
    case: str
    group: str | None
    attributes: dict[str, str]

    def as_dict(self) -> dict:
        return {"case": self.case, "group": self.group, "attributes": dict(self.attributes)}


@dataclass
class ParticipantTable:
    columns: list[str]  # attribute names, in the order chosen
    group_by: str | None
    rows: list[Participant] = field(default_factory=list)

    def groups(self) -> list[tuple[str | None, list[Participant]]]:
        out: list[tuple[str | None, list[Participant]]] = []
        for r in self.rows:
            if not out or out[-1][0] != r.group:
                out.append((r.group, []))
            out[-1][1].append(r)
        return out

    @property
    def total(self) -> int:
        return len(self.rows)


def participant_table(project, group_by: str | None = None, attributes: list[str] | None = None,
                      where: Where | None = None) -> ParticipantTable:
    """Every case (``where`` filters). ``attributes`` default to every case attribute but
    the group's; an unknown attribute is a UsageError naming it."""
    types = {a.name: a.type for a in project.attributes.all("case")}
    for name in ([group_by] if group_by else []) + list(attributes or []):
        if name not in types:
            raise UsageError(f"unknown attribute {name!r} (attributes: {', '.join(types) or 'none defined'})")
    columns = list(attributes) if attributes else [a for a in types if a != group_by]
    values = project.attributes.case_values()
    allowed = where.case_ids(project) if where else None
    rows = []
    for c in project.cases.all():
        if allowed is not None and c.id not in allowed:
            continue
        v = values.get(c.id, {})
        group = (v.get(group_by) or MISSING) if group_by else None
        rows.append(Participant(c.name, group, {a: v.get(a) or "" for a in columns}))
    rows.sort(key=lambda r: natural_key(r.case))
    if group_by:
        gk = _sort_key_for(types[group_by])
        rows.sort(key=lambda r: gk(None if r.group == MISSING else r.group))  # stable
    return ParticipantTable(columns, group_by, rows)
