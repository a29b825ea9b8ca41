"""The two pieces the command line used to do itself: registering the coder of a new
project, and the case table of ``cases list`` (codings counted over each case's sources)."""

from __future__ import annotations

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.sources.info import cases_table
from qualcoder_lite.core.services.team.coders import RegisterCoder


def test_register_coder_adds_the_projects_coder_once_and_undoes(project):
    cmd = RegisterCoder()
    project.execute(cmd)
    assert [c.name for c in project.coders.all()] == ["tester"]
    again = RegisterCoder()
    project.execute(again)
    assert again.result == cmd.result and not again.changed_anything
    project.undo(cmd)
    assert project.coders.all() == []


def test_cases_table_counts_each_cases_codings_over_its_sources(demo_file):
    with open_project(demo_file, read_only=True) as project:
        rows = cases_table(project)
        by_source = {s.name: s.codings for s in project.sources.all()}
        values = project.attributes.case_values()
        cases = project.cases.all()
    assert [r["case"] for r in rows] == [c.name for c in cases] and rows
    for row, case in zip(rows, cases):
        assert row["sources"] == list(case.sources)
        assert row["codings"] == sum(by_source[s] for s in case.sources)
        assert row["attributes"] == values.get(case.id, {})
    assert any(r["codings"] for r in rows)
