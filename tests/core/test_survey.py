"""Survey import: one case per row with typed attributes, answers as sources (or one source
per question), re-import idempotent (same GUIDs, codings kept and moved with changed text),
hostile tables refused naming file and column with the project unchanged."""

from __future__ import annotations

import pytest

from qualcoder_lite.core.errors import InputError, UsageError
from qualcoder_lite.core.project import memory_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode
from qualcoder_lite.core.services.sources.survey import SurveySpec, import_survey
from tests.helpers import dump

LIKE, CHANGE = "What did you like?", "What would you change?"
ROWS = [
    ["id", "age", "consented", "start", LIKE, CHANGE],
    ["R01", "34", "yes", "2024-03-01", "The tutors were kind, and the slides clear.", "Nothing"],
    ["R02", "051", "no", "2024-03-02", "", "More feedback on essays."],
    ["R03", "29", "yes", "2024-03-05", "Group work.\n\nAlso the library.", ""],
]
SPEC = dict(id_column="id", text_columns=[LIKE, CHANGE], attribute_columns=["age", "consented", "start"])


def write_csv(path, rows):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path, rows, formula_at=None):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append([int(c) if c.isdigit() and not c.startswith("0") else c for c in r])
    if formula_at:
        ws[formula_at] = "=1+1"
    wb.save(path)
    return path


@pytest.fixture
def project():
    p = memory_project(coder="ann")
    yield p
    p.close()


def state(p):
    return {r[0]: (r[1], r[2]) for r in p.conn.execute("SELECT name, guid, text FROM sources")}


def attr_types(p):
    return {a.name: a.type for a in p.attributes.all("case")}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_answers_become_sources_of_typed_cases(project, tmp_path, fmt):
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"survey.{fmt}", ROWS)
    report = import_survey(project, path, SurveySpec(**SPEC))
    assert set(state(project)) == {f"R01 – {CHANGE}", f"R01 – {LIKE}", f"R02 – {CHANGE}", f"R03 – {LIKE}"}
    assert report.answers_empty == 2 and len(report.cases_created) == 3
    assert attr_types(project) == {"age": "text", "consented": "boolean", "start": "date"}  # 051: leading zero
    src = project.sources.by_name(f"R03 – {LIKE}")
    assert src.cases == ("R03",)
    assert project.sources.text(src.id) == "Group work.\n\nAlso the library."
    values = project.attributes.case_values()
    r1 = project.cases.by_name("R01").id
    assert values[r1] == {"age": "34", "consented": "yes", "start": "2024-03-01"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimport_updates_never_duplicates_and_keeps_codings(project, tmp_path, fmt):
    write = write_csv if fmt == "csv" else write_xlsx
    path = write(tmp_path / f"survey.{fmt}", ROWS)
    import_survey(project, path, SurveySpec(**SPEC))
    project.execute(AddCode("Teaching"))
    code = project.codes.find(["Teaching"]).id
    sid = project.sources.by_name(f"R01 – {LIKE}").id
    text = project.sources.text(sid)
    a = text.index("the slides clear")
    project.execute(ApplyCode(sid, code, a, a + len("the slides clear")))
    before = dump(project)
    again = import_survey(project, path, SurveySpec(**SPEC))
    assert dump(project) == before  # same counts, same GUIDs, nothing written
    assert again.sources_unchanged == 4 and not again.sources_added
    # the respondent corrected an answer; another respondent was added
    rows = [list(r) for r in ROWS] + [["R04", "40", "no", "2024-04-01", "Everything", ""]]
    rows[1][4] = "The tutors were very kind, and the slides clear."
    guids = {n: g for n, (g, _t) in state(project).items()}
    report = import_survey(project, write(tmp_path / f"survey.{fmt}", rows), SurveySpec(**SPEC))
    assert report.sources_updated == [f"R01 – {LIKE}"] and report.sources_added == [f"R04 – {LIKE}"]
    after = state(project)
    assert all(after[n][0] == g for n, g in guids.items())  # every source kept its GUID
    k = project.codings.for_source(sid)[0]
    assert project.sources.text(sid)[k.start:k.end] == "the slides clear"
    assert project.conn.execute("SELECT count(*) FROM codings").fetchone()[0] == 1


def test_by_question_one_source_per_column_with_respondent_turns(project, tmp_path):
    path = write_csv(tmp_path / "s.csv", ROWS)
    spec = SurveySpec(**SPEC, by_question=True)
    import_survey(project, path, spec)
    src = project.sources.by_name(f"s – {LIKE}")
    text = project.sources.text(src.id)
    assert text == "R01: The tutors were kind, and the slides clear.\n\nR03: Group work.\nAlso the library."
    turns = project.sources.turns(src.id)
    assert [(t.speaker, text[t.label_start:t.label_end], text[t.start:t.end]) for t in turns] == [
        ("R01", "R01:", "The tutors were kind, and the slides clear."),
        ("R03", "R03:", "Group work.\nAlso the library.")]
    assert src.cases == ("R01", "R03")
    before = dump(project)
    import_survey(project, path, spec)
    assert dump(project) == before


def test_undo_takes_the_whole_import_back(project, tmp_path):
    from qualcoder_lite.core.services.sources.survey import ImportSurvey
    from qualcoder_lite.core.formats.survey_table import read_survey_table

    before = dump(project)
    cmd = ImportSurvey(read_survey_table(write_csv(tmp_path / "s.csv", ROWS)), SurveySpec(**SPEC))
    project.execute(cmd)
    project.undo(cmd)
    assert dump(project) == before


@pytest.mark.parametrize("rows, spec, message", [
    (ROWS, dict(SPEC, id_column="ID"), "no column named 'ID'"),
    (ROWS, dict(SPEC, text_columns=["Q9"]), "no column named 'Q9'"),
    ([["id", "", LIKE]] + [r[:1] + ["x"] + r[4:5] for r in ROWS[1:]], dict(id_column="id", text_columns=[LIKE]),
     "column 2 has no name"),
    ([["id", LIKE, LIKE], ["R1", "a", "b"]], dict(id_column="id", text_columns=[LIKE]), "appears twice"),
    ([["id", LIKE], ["R1", "a"], ["R1", "b"]], dict(id_column="id", text_columns=[LIKE]), "'R1' in column 'id'"),
    ([["id", LIKE], ["", "a"]], dict(id_column="id", text_columns=[LIKE]), "the id column 'id' is empty"),
])
def test_bad_tables_are_refused_naming_file_and_column(project, tmp_path, rows, spec, message):
    path = write_csv(tmp_path / "bad.csv", rows)
    before = dump(project)
    with pytest.raises((InputError, UsageError)) as err:
        import_survey(project, path, SurveySpec(**spec))
    assert message in str(err.value) and "bad.csv" in str(err.value)
    assert dump(project) == before


def test_xlsx_formula_refused_naming_the_column(project, tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", ROWS, formula_at="E3")
    with pytest.raises(InputError) as err:
        import_survey(project, path, SurveySpec(**SPEC))
    assert "f.xlsx" in str(err.value) and f"column {LIKE!r}" in str(err.value) and "formula" in str(err.value)
    assert project.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0


def test_hostile_files(project, tmp_path, monkeypatch):
    bomb = tmp_path / "not.xlsx"
    bomb.write_bytes(b"PK\x03\x04 this is no workbook")
    with pytest.raises(InputError, match="not.xlsx"):
        import_survey(project, bomb, SurveySpec(**SPEC))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,Q\nR1,caf\xe9 cr\xe8me\n".encode("cp1252"))
    import_survey(project, latin, SurveySpec("id", ["Q"]))  # detected like a text source
    assert project.sources.text(project.sources.by_name("R1 – Q").id) == "café crème"
    with pytest.raises(InputError, match="latin.csv"):
        import_survey(project, latin, SurveySpec("id", ["Q"]), encoding="utf-8")
    import qualcoder_lite.core.formats.survey_table as st

    monkeypatch.setattr(st, "MAX_SURVEY_ROWS", 2)
    with pytest.raises(InputError, match="more than 2 rows"):
        import_survey(project, write_csv(tmp_path / "big.csv", ROWS), SurveySpec(**SPEC))


def test_a_version_4_project_migrates_and_imports_surveys(tmp_path):
    """Schema v5 (survey_answers) on a file made before it, then a survey re-imported there."""
    import sqlite3

    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.store import database
    from qualcoder_lite.core.store.schema import LATEST, MIGRATIONS, V6_SURVEY_ANSWERS

    version = next(v for v, sql in MIGRATIONS.items() if sql is V6_SURVEY_ANSWERS)
    path = tmp_path / "old.qlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {database.APPLICATION_ID}")
    database.migrate(conn, 0, version - 1)
    conn.close()
    with open_project(path, coder="ann") as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        csv_path = write_csv(tmp_path / "s.csv", ROWS)
        import_survey(p, csv_path, SurveySpec(**SPEC))
        before = dump(p)
        import_survey(p, csv_path, SurveySpec(**SPEC))
        assert dump(p) == before
        assert p.conn.execute("SELECT count(*) FROM survey_answers").fetchone()[0] == 4


def test_deleting_a_survey_source_forgets_its_answer(project, tmp_path):
    from qualcoder_lite.core.services.sources.sources import DeleteSource

    path = write_csv(tmp_path / "s.csv", ROWS)
    import_survey(project, path, SurveySpec(**SPEC))
    sid = project.sources.by_name(f"R01 – {LIKE}").id
    cmd = DeleteSource(sid)
    project.execute(cmd)
    report = import_survey(project, path, SurveySpec(**SPEC))
    assert report.sources_added == [f"R01 – {LIKE}"]  # imported afresh, as the user deleted it


def test_pseudonymising_replaces_respondent_ids_kept_for_reimport(project, tmp_path):
    """Survey ids are often names: the key replaces them in the table that remembers which
    source holds which respondent's answer, not only in case and source names."""
    from qualcoder_lite.core.services.privacy.pseudonymise import Pseudonymise

    rows = [list(r) for r in ROWS]
    rows[1][0] = "Alice Smith"
    import_survey(project, write_csv(tmp_path / "survey.csv", rows), SurveySpec(**SPEC))
    project.execute(Pseudonymise({"Alice Smith": "[R_A]"}))
    held = [r[0] for r in project.conn.execute("SELECT respondent FROM survey_answers")]
    assert "[R_A]" in held and not any("Alice" in r for r in held)
