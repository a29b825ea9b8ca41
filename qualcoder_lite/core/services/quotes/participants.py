"""Table 1, participant characteristics: one row per case (naturally sorted: P2 before
P10), the chosen case attributes as columns, optionally grouped by one attribute with a
heading and count per group, and the total number of participants.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import UsageError
from ...model import Participant, ParticipantTable, natural_key
from ..sources.filters import Where
from ..matrix.matrix import MISSING, _sort_key_for


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


def write_table1(project, t: ParticipantTable, target, caption: str = "", footnote: str = "") -> Path:
    """Table 1 in the format the file name says (.docx, .csv or .xlsx), through the output
    guard, with the study's title and authors; the command line and the app's dialog both
    write it here (``formats/table1.py`` lays it out)."""
    from ... import outfile
    from ...formats import table1
    from ..sources.study import study, study_title

    target = outfile.for_project(target, project)
    kind = Path(target.path).suffix.lower()
    caption = caption or "Characteristics of participants"
    if kind == ".csv":
        return table1.write_csv(t, target)
    if kind == ".xlsx":
        return table1.write_xlsx(t, target, f"Table 1. {caption}")
    if kind == ".docx":
        return table1.write_docx(t, target, study_title(project), study(project).authors, caption, footnote)
    raise UsageError(f"{Path(target.path).name}: Table 1 is written as .docx, .csv or .xlsx")
