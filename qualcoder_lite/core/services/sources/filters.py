"""``--where ATTR=VALUE`` filters over case (and source) attributes.

Split at the first ``=``; the same attribute repeated means OR, different attributes AND;
values compare by the attribute's type (numbers numerically, ISO dates, booleans, text
exactly); a missing value never matches; an unknown attribute is a usage error naming it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import UsageError
from .attributes import parse_value


@dataclass(frozen=True)
class Condition:
    attribute: str
    applies_to: str  # 'case' or 'source'
    type: str
    accepted: tuple  # parsed values, any of which matches


class Where:
    def __init__(self, conditions: list[Condition]):
        self.conditions = conditions

    def __bool__(self) -> bool:
        return bool(self.conditions)

    def matches(self, case_values: dict[str, str] | None, source_values: dict[str, str] | None = None) -> bool:
        for cond in self.conditions:
            values = (case_values if cond.applies_to == "case" else source_values) or {}
            raw = values.get(cond.attribute)
            if raw is None or raw == "":
                return False
            if parse_value(raw, cond.type) not in cond.accepted:
                return False
        return True

    def source_ids(self, project) -> set[int]:
        """Sources for which some case of theirs (or the source itself) matches."""
        case_vals = project.attributes.case_values()
        src_vals = project.attributes.source_values()
        cases_of: dict[int, list[int | None]] = {}  # None: a source of no case
        for r in project.conn.execute("SELECT source_id, case_id FROM case_sources"):
            cases_of.setdefault(r[0], []).append(r[1])
        out = set()
        for (sid,) in project.conn.execute("SELECT id FROM sources"):
            case_ids = cases_of.get(sid) or [None]
            if any(self.matches(case_vals.get(c) if c else None, src_vals.get(sid)) for c in case_ids):
                out.add(sid)
        return out

    def case_ids(self, project) -> set[int]:
        case_vals = project.attributes.case_values()
        return {c.id for c in project.cases.all() if self.matches(case_vals.get(c.id), None)}


def parse_where(project, exprs: list[str] | None) -> Where:
    grouped: dict[str, list[str]] = {}
    for expr in exprs or ():
        if "=" not in expr:
            raise UsageError(f"--where {expr!r}: expected ATTRIBUTE=VALUE")
        name, value = expr.split("=", 1)
        name = name.strip()
        if not name:
            raise UsageError(f"--where {expr!r}: the attribute name is empty")
        grouped.setdefault(name, []).append(value.strip())
    conditions = []
    for name, values in grouped.items():
        attr = project.attributes.by_name(name, "case") or project.attributes.by_name(name, "source")
        if attr is None:
            known = ", ".join(a.name for a in project.attributes.all()) or "none defined"
            raise UsageError(f"unknown attribute {name!r} in --where (attributes: {known})")
        accepted = []
        for v in values:
            parsed = parse_value(v, attr.type)
            if parsed is None:
                raise UsageError(f"--where {name}={v}: {v!r} is not a valid {attr.type}")
            accepted.append(parsed)
        conditions.append(Condition(attr.name, attr.applies_to, attr.type, tuple(accepted)))
    return Where(conditions)
