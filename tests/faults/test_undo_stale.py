"""Undo and redo never write stale rows back (issue 12, item 4).

The project is open in "the app" (a ``Project`` holding the file, with its own history),
and someone else changes the same rows meanwhile: a second connection, a second process
writing through a symlink, the command line's ``pseudonymise``. Undo and redo must then
refuse with a message naming the step, and change nothing; they must never restore the
values the command saw (that is how a real name came back into a pseudonymised project).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qualcoder_lite.core.errors import QualCoderError
from qualcoder_lite.core.project import new_project, open_project
from qualcoder_lite.core.services.coding.codes import AddCode, UpdateCode
from qualcoder_lite.core.services.coding.coding import ApplyCode, SetCodingMemo
from qualcoder_lite.core.services.coding.memos import AddMemo, EditMemo
from qualcoder_lite.core.services.privacy.pseudonymise import Pseudonymise
from tests.helpers import add_text_source, dump

ROOT = Path(__file__).resolve().parents[2]
TEXT = ("Interviewer: How was the practice?\n\n"
        "P1: Dr Mbeki ran it well. Dr Mbeki knew every family in Aberdour.\n")


def _refused(action: str, step: str):
    """pytest.raises for a refused undo/redo that names the step."""
    return pytest.raises(QualCoderError, match=rf"^cannot {action} '{step}': .*nothing was changed$")


def _stale(exc_info) -> None:
    assert type(exc_info.value).__name__ == "StaleHistoryError"
    assert "Traceback" not in str(exc_info.value)


@pytest.fixture
def study(tmp_path) -> Path:
    path = tmp_path / "study.qlite"
    p = new_project(path, coder="ana")
    add_text_source(p, "P1", TEXT, case="P1")
    p.execute(AddCode("Care/Continuity"))
    p.close()
    return path


@pytest.fixture
def app(study):
    """The project as the app holds it: the one writer, with its own undo history."""
    p = open_project(study, coder="ana", lock=True)
    yield p
    p.close()


def _other(path: Path):
    """Someone else's connection to the same file (no lock: another window, a script)."""
    return open_project(path, coder="ben")


def _apply_code(p) -> ApplyCode:
    src = p.sources.by_name("P1").id
    code = p.codes.find("Care/Continuity").id
    start = TEXT.index("Dr Mbeki ran")
    cmd = ApplyCode(src, code, start, start + len("Dr Mbeki ran it well"))
    p.execute(cmd)
    return cmd


def _codings(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute('SELECT id, start, "end", memo FROM codings ORDER BY id').fetchall()


# -- two connections in one process ----------------------------------------------------------
def test_undo_refuses_a_row_another_connection_changed(app, study):
    cmd = _apply_code(app)
    step = cmd.name
    (coding,) = app.codings.for_source(app.sources.by_name("P1").id)
    with _other(study) as other:
        other.execute(SetCodingMemo(coding.id, "Ben: key quote"))
    before = dump(app)
    with _refused("undo", step) as exc:
        app.undo(cmd)
    _stale(exc)
    assert "the passage was changed since (by another program or window)" in str(exc.value)
    assert dump(app) == before  # nothing was changed: Ben's memo and the coding are still there
    assert _codings(study)[0][3] == "Ben: key quote"


def test_undo_refuses_a_row_another_connection_deleted(app, study):
    cmd = AddMemo("journal", "Day 1: coded P1", title="day 1")
    app.execute(cmd)
    with _other(study) as other:
        other.conn.execute("DELETE FROM memos")
    with _refused("undo", cmd.name) as exc:
        app.undo(cmd)
    assert "a memo was deleted since" in str(exc.value)
    assert app.conn.execute("SELECT count(*) FROM memos").fetchone()[0] == 0


def test_redo_refuses_a_row_changed_after_the_undo(app, study):
    code = app.codes.find("Care/Continuity").id
    cmd = UpdateCode(code, name="Relational continuity")
    app.execute(cmd)
    app.undo(cmd)
    with _other(study) as other:
        other.execute(UpdateCode(code, name="Continuity of care"))
    with _refused("redo", cmd.name) as exc:
        app.redo(cmd)
    _stale(exc)
    assert "the code 'Continuity of care' was changed since" in str(exc.value)
    assert app.codes.get(code).name == "Continuity of care"


def test_redo_refuses_when_another_row_took_the_place_of_an_undone_insert(app, study):
    cmd = AddMemo("journal", "mine")
    app.execute(cmd)
    app.undo(cmd)
    with _other(study) as other:
        other.execute(AddMemo("journal", "theirs"))  # takes the same row id
    with _refused("redo", cmd.name) as exc:
        app.redo(cmd)
    assert "was added since" in str(exc.value)
    assert [r[0] for r in app.conn.execute("SELECT body FROM memos")] == ["theirs"]


def test_undo_refuses_when_someone_else_built_on_the_row(app, study):
    """Another program coded with the code this undo would delete: a conflict, not a crash
    and not a foreign-key error."""
    cmd = AddCode("Access")
    app.execute(cmd)
    with _other(study) as other:
        src = other.sources.by_name("P1").id
        other.execute(ApplyCode(src, other.codes.find("Access").id, 0, 11))
    before = dump(app)
    with _refused("undo", cmd.name) as exc:
        app.undo(cmd)
    _stale(exc)
    assert dump(app) == before


def test_a_refused_step_changes_nothing_even_after_partial_replay(app, study):
    """A step of several rows: the changed row is met after others were already put back;
    the whole replay rolls back."""
    app.execute(AddCode("Access"))
    src = app.sources.by_name("P1").id
    codes = [app.codes.find("Care/Continuity").id, app.codes.find("Access").id]
    cmd = ApplyCode(src, codes, 0, 11)
    app.execute(cmd)
    rows = _codings(study)
    assert len(rows) == 2
    with _other(study) as other:  # the first inserted row is undone last
        other.execute(SetCodingMemo(rows[0][0], "changed"))
    before = dump(app)
    with _refused("undo", cmd.name):
        app.undo(cmd)
    assert dump(app) == before


def test_own_later_steps_undone_first_are_no_conflict(app):
    """The history is last in, first out: a row the app itself changed later is back to
    what this step left by the time this step is undone."""
    first = _apply_code(app)
    (coding,) = app.codings.for_source(app.sources.by_name("P1").id)
    second = SetCodingMemo(coding.id, "mine")
    app.execute(second)
    app.undo(second)
    app.undo(first)
    assert app.codings.count() == 0
    app.redo(first)
    app.redo(second)
    assert app.codings.for_source(app.sources.by_name("P1").id)[0].memo == "mine"


def test_a_rebuilt_word_index_and_newer_preferences_do_not_block_undo(app, study):
    """Columns and tables written outside the history by the app itself: the search word
    index (rebuilt from the text on open) and preferences (pinned codes, report options).
    A newer preference is kept."""
    app.settings.put("report_options", {"title": "Quotes from Dr Mbeki's practice"})
    cmd = Pseudonymise({"Mbeki": "Adeyemi"})
    app.execute(cmd)
    app.settings.put("report_options", {"title": "Final tables"})
    app.conn.execute("UPDATE source_facts SET word_index = NULL")
    app.undo(cmd)
    assert "Dr Mbeki ran" in app.sources.text(app.sources.by_name("P1").id)
    assert app.settings.get("report_options") == {"title": "Final tables"}


# -- a real second process -----------------------------------------------------------------
def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, QUALCODER_LITE_CONFIG_DIR=str(kw.pop("config")))
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120, **kw)


def test_undo_refuses_after_another_process_wrote_through_a_symlink(app, study, tmp_path):
    """The app holds the project; another process writes to it through a symlink (a second
    spelling of the path). Undo must not put the old memo back."""
    memo = AddMemo("journal", "Spoke to Dr Mbeki", title="P1")
    app.execute(memo)
    edit = EditMemo(memo.result, body="Spoke to Dr Mbeki again, at Aberdour")
    app.execute(edit)
    link = tmp_path / "elsewhere" / "same.qlite"
    link.parent.mkdir()
    link.symlink_to(study)
    script = ("import sqlite3, sys\n"
              "conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)\n"
              "conn.execute(\"UPDATE memos SET body = replace(body, 'Mbeki', 'Adeyemi')\")\n"
              "conn.close()\n")
    proc = _run(["-c", script, str(link)], config=tmp_path / "c")
    assert proc.returncode == 0, proc.stderr
    with _refused("undo", edit.name) as exc:
        app.undo(edit)
    _stale(exc)
    assert "a memo was changed since" in str(exc.value)
    body = app.conn.execute("SELECT body FROM memos").fetchone()[0]
    assert body == "Spoke to Dr Adeyemi again, at Aberdour"


def test_undo_after_cli_pseudonymise_through_a_symlink_keeps_the_pseudonyms(study, tmp_path):
    """The scenario of the report: a coding made in the app, then ``qualcoder-lite
    pseudonymise`` run on the same file through another path. Undoing the coding must not
    bring 'Mbeki' back (nor delete a passage whose offsets the pseudonymisation moved)."""
    app = open_project(study, coder="ana")  # no lock, so the command line may write
    try:
        edit_summary = AddMemo("source", "Dr Mbeki's list is closed", title="note",
                               target_id=app.sources.by_name("P1").id)
        app.execute(edit_summary)
        cmd = _apply_code(app)
        link = tmp_path / "link.qlite"
        link.symlink_to(study)
        key = tmp_path / "key.csv"
        key.write_text("real,pseudonym\nMbeki,Adeyemi\nAberdour,Burntisland\n", encoding="utf-8")
        proc = _run(["-m", "qualcoder_lite", "pseudonymise", str(link), "apply", str(key), "--coder", "ben"],
                    config=tmp_path / "c")
        assert proc.returncode == 0, proc.stderr
        before = dump(app)
        with _refused("undo", cmd.name) as exc:
            app.undo(cmd)
        _stale(exc)
        assert "the passage was changed since (by another program or window)" in str(exc.value)
        assert dump(app) == before
        with _refused("undo", edit_summary.name):
            app.undo(edit_summary)
        data = dump(app)
        del data["settings"]  # the pseudonym key itself (real -> pseudonym) lives there
        assert "Mbeki" not in repr(data) and "Aberdour" not in repr(data)
    finally:
        app.close()
