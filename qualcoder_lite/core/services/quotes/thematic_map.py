"""Figure 1, the thematic map: which codes it draws and which are the overarching themes.

The overarching themes are remembered per project (a setting holding the codes' GUIDs, so
a rename or a move keeps them); choosing them is an undoable command.
"""

from __future__ import annotations

from ...commands import Command
from ...errors import UsageError
from ...formats.thematic_map import MapNode

SETTING = "thematic_map"


def overarching_codes(project) -> list:
    """The remembered overarching codes, in the order chosen (codes since deleted are left out)."""
    data = project.settings.get(SETTING) or {}
    guids = data.get("overarching") if isinstance(data, dict) else None
    if not isinstance(guids, list):
        return []
    by_guid = {c.guid: c for c in project.codes.all()}
    return [by_guid[g] for g in guids if isinstance(g, str) and g in by_guid]


class SetOverarching(Command):
    """Remember these codes (ids, in order) as the map's overarching themes; [] clears."""

    name = "Overarching themes"

    def __init__(self, code_ids: list[int]):
        super().__init__()
        self.code_ids = list(dict.fromkeys(code_ids))

    def apply(self, project, rec):
        by_id = {c.id: c for c in project.codes.all()}
        guids = [by_id[i].guid for i in self.code_ids if i in by_id]
        now = [c.guid for c in overarching_codes(project)]
        if guids != now:
            data = project.settings.get(SETTING)
            data = dict(data) if isinstance(data, dict) else {}
            data["overarching"] = guids
            project.settings.set(rec, SETTING, data)
        return guids


def map_nodes(project, codes: list[str] | None = None, depth: int = 2,
              overarching_ids: list[int] | None = None) -> tuple[list[MapNode], list[MapNode]]:
    """(themes, overarching) as trees cut at ``depth`` levels. Themes are the top-level
    codes, or the ``codes`` given (escaped paths; unknown -> UsageError); an overarching
    code is drawn in the band only, never also as a theme or a sub-theme."""
    if depth < 1:
        raise UsageError("--depth must be 1 or more")
    every = project.codes.all()
    kids: dict[int | None, list] = {}
    for c in every:  # all() lists siblings in their order
        kids.setdefault(c.parent_id, []).append(c)
    if overarching_ids is None:
        over = overarching_codes(project)
    else:
        by_id = {c.id: c for c in every}
        over = [by_id[i] for i in overarching_ids if i in by_id]
    skip = {c.id for c in over}
    roots = [project.codes.resolve(p) for p in codes] if codes else kids.get(None, [])

    def node(code, level: int, limit: int) -> MapNode:
        n = MapNode(code.name, code.path_str, code.color)
        if level < limit:
            n.children = [node(k, level + 1, limit) for k in kids.get(code.id, []) if k.id not in skip]
        return n

    seen: set[int] = set()
    themes = []
    for c in roots:
        if c.id not in skip and c.id not in seen:
            seen.add(c.id)
            themes.append(node(c, 1, depth))
    return themes, [node(c, 1, 2) for c in over]


def map_svg(project, codes: list[str] | None = None, depth: int = 2, colors: bool = False):
    """(svg, layout, themes, overarching) for the project's map; the title is the study's."""
    from ...formats import thematic_map as tm
    from ..sources.study import study_title

    themes, over = map_nodes(project, codes, depth)
    lay = tm.layout(themes, over, depth)
    return tm.to_svg(lay, colors=colors, title=f"Thematic map: {study_title(project)}"), lay, themes, over
