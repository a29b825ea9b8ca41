"""The study's title and authors: a project setting printed on every title page (quote
report, framework matrix, codebook, Table 1), the project's file name only as a fallback.

Changing them is an undoable command, like every other change to the project.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...commands import Command

SETTING = "study"


@dataclass(frozen=True)
class Study:
    title: str = ""
    authors: str = ""

    def as_dict(self) -> dict:
        return {"title": self.title, "authors": self.authors}


def study(project) -> Study:
    data = project.settings.get(SETTING) or {}
    if not isinstance(data, dict):
        return Study()
    title, authors = data.get("title"), data.get("authors")
    return Study(title if isinstance(title, str) else "", authors if isinstance(authors, str) else "")


def study_title(project) -> str:
    """The study's title, else the project's name (its file name without extension)."""
    return study(project).title.strip() or project.name


class SetStudy(Command):
    """Set the title and/or the authors (None leaves that one as it is)."""

    name = "Project properties"

    def __init__(self, title: str | None = None, authors: str | None = None):
        super().__init__()
        self.title = title
        self.authors = authors

    def apply(self, project, rec):
        now = study(project)
        new = Study(" ".join(self.title.split()) if self.title is not None else now.title,
                    self.authors.strip() if self.authors is not None else now.authors)
        if new != now:
            project.settings.set(rec, SETTING, new.as_dict())
        return new
