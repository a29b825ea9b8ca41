"""Pseudonymisation: one undoable step that replaces names everywhere and shifts every coding.

The property test checks the command against an independent, naive reference (scan left to
right, try the keys longest first, check word boundaries by hand): the new text, every
coding's new span and every speaker turn, exact undo/redo, and that no real name is left in
any text column of any table.
"""

from __future__ import annotations

import csv
import sqlite3
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoder_lite.core.errors import InputError, QualCoderError, UsageError
from qualcoder_lite.core.project import memory_project, open_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode
from qualcoder_lite.core.services.coding.memos import AddMemo
from qualcoder_lite.core.services.privacy.pseudonymise import (KEY_SETTING, KeyTableError, OldToNewOffsets,
    Pseudonymise, RemoveKey, check_mapping, export_key, load_key, occurrences, read_key_csv, suggest)
from qualcoder_lite.core.services.matrix.summaries import SetCellSummary
from qualcoder_lite.core.store.schema import TABLES
from tests.helpers import add_text_source, dump


# ----------------------------------------------------------------------------- reference
def wordish(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or ch in "\u200c\u200d" or unicodedata.category(ch).startswith("M")


def ref_matches(text: str, mapping: dict[str, str]) -> list[tuple[int, int, str]]:
    """Leftmost, then longest key, whole words, non-overlapping: written the slow way."""
    keys = sorted(mapping, key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        for k in keys:
            j = i + len(k)
            if (text.startswith(k, i) and (i == 0 or not wordish(text[i - 1]))
                    and (j == len(text) or not wordish(text[j]))):
                out.append((i, j, mapping[k]))
                i = j
                break
        else:
            i += 1
    return out


def ref_apply(text: str, matches) -> str:
    out, last = [], 0
    for a, b, rep in matches:
        out += [text[last:a], rep]
        last = b
    return "".join(out) + text[last:]


def ref_pos(p: int, matches, snap_end: bool) -> int:
    shift = 0
    for a, b, rep in matches:
        if a < p < b:
            return a + shift + (len(rep) if snap_end else 0)
        if b <= p:
            shift += len(rep) - (b - a)
    return p + shift


def interior(p: int, matches) -> bool:
    return any(a < p < b for a, b, _ in matches)


def whole_word_hits(value: str, name: str) -> bool:
    i = value.find(name)
    while i >= 0:
        j = i + len(name)
        if (i == 0 or not wordish(value[i - 1])) and (j == len(value) or not wordish(value[j])):
            return True
        i = value.find(name, i + 1)
    return False


def real_names_left(project, names) -> list[str]:
    """Every text column of every table (the key itself excepted) searched for whole-word names."""
    left = []
    for t in TABLES:
        cols = [r[1] for r in project.conn.execute(f'PRAGMA table_info("{t}")')]
        for row in project.conn.execute(f'SELECT * FROM "{t}"'):
            if t == "settings" and row["key"] == KEY_SETTING:
                continue
            for c in cols:
                v = row[c]
                if isinstance(v, str):
                    left += [f"{t}.{c}: {n!r}" for n in names if whole_word_hits(v, n)]
    return left


# ----------------------------------------------------------------------------- property test
KEYS = ["Ann", "Ann Lee", "Lee", "Dr Lee", "Siobhán", "Zoë", "Jose", "李雷", "O'Neill",
        "Glenbrae Medical Practice", "Glenbrae", "Bob"]
PSEUDONYMS = ["[P_A]", "[P_B]", "[ORG_1]", "X", "[A_MUCH_LONGER_PSEUDONYM]", "[李]", "Q\u0301", "😀"]
FILLER = ["the", "Annie", "Leeds", "AnnLee", "e\u0301", "Jose\u0301", "😀", "👩\u200d⚕️", "中文", "文", "\n",
          "\n\n", ", ", ". ", "-", "_", "Lee_", "x", "Dr", "Medical", "Practice", "’s", "'s", "Ann\u0301"]
SPEAKERS = ["Ann Lee", "Interviewer", "Dr Lee", "P1"]

tokens = st.lists(st.sampled_from(KEYS + FILLER), min_size=1, max_size=30)
separators = st.sampled_from(["", " ", " ", " ", "\n"])


@st.composite
def texts(draw) -> str:
    if draw(st.booleans()):  # a transcript with speaker turns
        lines = []
        for _ in range(draw(st.integers(2, 6))):
            words = draw(st.lists(st.sampled_from(KEYS + FILLER[:10]), min_size=1, max_size=8))
            lines.append(f"{draw(st.sampled_from(SPEAKERS))}: {' '.join(w.strip() or 'so' for w in words)}")
        return "\n\n".join(lines) + "\n"
    parts = draw(tokens)
    return "x " + "".join(p + draw(separators) for p in parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts(), mapping=st.dictionaries(st.sampled_from(KEYS), st.sampled_from(PSEUDONYMS), min_size=1),
       data=st.data())
def test_apply_then_undo_is_exact_and_codings_follow_the_names(text, mapping, data):
    project = memory_project(coder="tester")
    try:
        sid = add_text_source(project, "S1", text, case="P1")
        old = project.sources.text(sid)
        project.execute(AddCode("Theme/A"))
        project.execute(AddCode("Theme/B"))
        codes = [project.codes.find("Theme/A").id, project.codes.find("Theme/B").id]
        for _ in range(data.draw(st.integers(0, 8), label="codings")):
            s = data.draw(st.integers(0, len(old) - 1))
            e = data.draw(st.integers(s + 1, len(old)))
            project.execute(ApplyCode(sid, data.draw(st.sampled_from(codes)), s, e,
                                      coder=data.draw(st.sampled_from(["tester", "sam"])), memo=old[s:e][:20]))
        project.execute(AddMemo("journal", old, title=old[:15]))
        project.execute(SetCellSummary(project.cases.id_of("P1"), codes[0], old[:40]))
        old_codings = project.conn.execute(
            'SELECT code_id, coder_id, start, "end" FROM codings ORDER BY id').fetchall()
        old_turns = project.conn.execute(
            'SELECT speaker, label_start, label_end, start, "end" FROM speaker_turns ORDER BY id').fetchall()
        before = dump(project)

        cmd = Pseudonymise(mapping)
        project.execute(cmd)
        after = dump(project)

        matches = ref_matches(old, mapping)
        new = project.sources.text(sid)
        assert new == ref_apply(old, matches)
        # every coding: its new span is the snapped, shifted old span; identical ones merged
        expected = set()
        for code_id, coder_id, s, e in old_codings:
            ns, ne = ref_pos(s, matches, False), ref_pos(e, matches, True)
            expected.add((code_id, coder_id, ns, ne))
            assert 0 <= ns < ne <= len(new)
            if not interior(s, matches) and not interior(e, matches):
                inside = [(a - s, b - s, r) for a, b, r in matches if s <= a and b <= e]
                assert new[ns:ne] == ref_apply(old[s:e], inside)
            for a, b, rep in matches:
                if a < s < b:
                    assert new[ns:ns + len(rep)] == rep
                if a < e < b:
                    assert new[ne - len(rep):ne] == rep
        got = {tuple(r) for r in project.conn.execute('SELECT code_id, coder_id, start, "end" FROM codings')}
        assert got == expected
        assert cmd.result.codings_merged == len(old_codings) - len(expected)
        # speaker turns shift the same way, labels renamed
        new_turns = project.conn.execute(
            'SELECT speaker, label_start, label_end, start, "end" FROM speaker_turns ORDER BY id').fetchall()
        for (sp, ls, le, ts, te), (nsp, nls, nle, nts, nte) in zip(old_turns, new_turns):
            assert nsp == ref_apply(sp, ref_matches(sp, mapping))
            assert (nls, nle, nts, nte) == (ref_pos(ls, matches, False), ref_pos(le, matches, True),
                                            ref_pos(ts, matches, False), ref_pos(te, matches, True))
            assert nls <= nle <= nts <= nte
        # no real name anywhere but in the key
        assert real_names_left(project, list(mapping)) == []
        assert {e.real: e.pseudonym for e in load_key(project)} == mapping

        project.undo(cmd)
        assert dump(project) == before
        project.redo(cmd)
        assert dump(project) == after
    finally:
        project.close()


# ----------------------------------------------------------------------------- examples
TRANSCRIPT = (
    "Interviewer: Tell me about Glenbrae Medical Practice.\n\n"
    "Dr Smith: I joined Glenbrae Medical Practice in 2010. Siobhán runs the office; "
    "Dr Smith's patients 😀 like her.\n\n"
    "Interviewer: And Glenbrae itself?\n\n"
    "Dr Smith: Quiet. Siobhán says so too.\n"
)
KEY = {"Dr Smith": "[GP_A]", "Glenbrae Medical Practice": "[ORG_1]", "Glenbrae": "[PLACE_1]", "Siobhán": "[P_A]"}


@pytest.fixture
def proj(project):
    sid = add_text_source(project, "Dr Smith interview", TRANSCRIPT, case="P3")
    project.execute(AddCode("Practice"))
    return project, sid, project.codes.find("Practice").id


def _code(project, sid, code_id, start, end, memo=""):
    project.execute(ApplyCode(sid, code_id, start, end, memo=memo))
    return project.conn.execute('SELECT id FROM codings ORDER BY id DESC LIMIT 1').fetchone()[0]


def _span(project, coding_id):
    r = project.conn.execute('SELECT source_id, start, "end" FROM codings WHERE id = ?', (coding_id,)).fetchone()
    return project.sources.text(r[0])[r[1]:r[2]]


def test_longest_match_first_whole_words_and_speaker_labels(proj):
    project, sid, _code_id = proj
    cmd = Pseudonymise(KEY)
    project.execute(cmd)
    text = project.sources.text(sid)
    assert text == (
        "Interviewer: Tell me about [ORG_1].\n\n"
        "[GP_A]: I joined [ORG_1] in 2010. [P_A] runs the office; [GP_A]'s patients 😀 like her.\n\n"
        "Interviewer: And [PLACE_1] itself?\n\n"
        "[GP_A]: Quiet. [P_A] says so too.\n")
    speakers = {r[0] for r in project.conn.execute("SELECT speaker FROM speaker_turns")}
    assert speakers == {"Interviewer", "[GP_A]"}
    turns = project.sources.turns(sid)
    assert [text[t.label_start:t.label_end] for t in turns][:2] == ["Interviewer:", "[GP_A]:"]
    assert project.sources.get(sid).name == "[GP_A] interview"
    assert cmd.result.replacements == {"Dr Smith": 3, "Glenbrae Medical Practice": 2, "Glenbrae": 1, "Siobhán": 2}
    assert cmd.result.sources_changed == 1


def test_boundaries_inside_a_name_snap_outwards(proj):
    project, sid, code_id = proj
    s = TRANSCRIPT.index("joined Glenbrae")
    partly = _code(project, sid, code_id, s, s + len("joined Glenbrae Med"))  # ends inside the name
    inside = _code(project, sid, code_id, s + len("joined Glen"), s + len("joined Glenbrae"))  # inside one name
    starts = TRANSCRIPT.index("Smith's")  # starts inside "Dr Smith"
    tail = _code(project, sid, code_id, starts, starts + len("Smith's patients"))
    project.execute(Pseudonymise(KEY))
    assert _span(project, partly) == "joined [ORG_1]"
    assert _span(project, inside) == "[ORG_1]"
    assert _span(project, tail) == "[GP_A]'s patients"


def test_codings_that_become_identical_are_merged_and_undo_restores_them(proj):
    project, sid, code_id = proj
    s = TRANSCRIPT.index("Siobhán runs")
    a = _code(project, sid, code_id, s + 1, s + len("Siobhán runs"), memo="first")
    _code(project, sid, code_id, s + 2, s + len("Siobhán runs"), memo="second")
    before = dump(project)
    cmd = Pseudonymise(KEY)
    project.execute(cmd)
    assert project.codings.count() == 1 and cmd.result.codings_merged == 1
    assert _span(project, a) == "[P_A] runs"
    assert project.conn.execute("SELECT memo FROM codings").fetchone()[0] == "first\n\nsecond"
    project.undo(cmd)
    assert dump(project) == before


def test_codings_swapping_places_do_not_trip_the_unique_index(project):
    # "Ann" (3) -> "[P_LONG]" (8): each coding moves by 5, onto the place of the next one
    text = "Ann x y z w v u Ann q r s t"
    sid = add_text_source(project, "S", text)
    project.execute(AddCode("C"))
    cid = project.codes.find("C").id
    a = text.index("x")
    for s, e in ((a, a + 5), (a + 5, a + 10), (a + 10, a + 15)):
        project.execute(ApplyCode(sid, cid, s, e))
    before = dump(project)
    cmd = Pseudonymise({"Ann": "[P_LONG]", "q": "Q"})
    project.execute(cmd)
    assert [(c.start, c.end) for c in project.codings.for_source(sid)] == [(a + 5, a + 10), (a + 10, a + 15),
                                                                          (a + 15, a + 25)]
    cmd2 = Pseudonymise({"x": "[VERY_LONG_X]"})
    project.execute(cmd2)
    project.undo(cmd2)
    project.undo(cmd)
    assert dump(project) == before


def test_everything_else_is_pseudonymised_too(proj, tmp_path):
    from qualcoder_lite.core.services.sources.attributes import import_attributes
    from qualcoder_lite.core.services.coding.speakers import SetSpeakerRole

    project, sid, code_id = proj
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text("case,practice,years\nP3,Glenbrae Medical Practice,12\n", encoding="utf-8")
    import_attributes(project, csv_path)
    project.execute(SetSpeakerRole("Dr Smith", "participant"))
    project.execute(AddCode("People/Siobhán's view", description="what Siobhán says", memo="Dr Smith agrees"))
    project.execute(AddMemo("journal", "Met Dr Smith at Glenbrae.", title="Siobhán"))
    project.execute(SetCellSummary(project.cases.id_of("P3"), code_id, "Dr Smith is positive"))
    _code(project, sid, code_id, 0, 10, memo="ask Siobhán")
    project.settings.put("report_options", {"title": "Quotes from Glenbrae Medical Practice", "n": 3})
    before = dump(project)
    cmd = Pseudonymise(KEY)
    project.execute(cmd)
    assert real_names_left(project, list(KEY)) == []
    assert project.codes.find("People/[P_A]'s view") is not None
    assert project.settings.get("report_options") == {"title": "Quotes from [ORG_1]", "n": 3}
    assert project.conn.execute("SELECT value FROM attribute_values").fetchone()[0] == "[ORG_1]"
    assert project.conn.execute("SELECT speaker FROM speaker_roles").fetchone()[0] == "[GP_A]"
    assert occurrences(project) == {}
    project.undo(cmd)
    assert dump(project) == before


def test_case_names_equal_to_a_key_are_replaced_ids_stay(project):
    add_text_source(project, "S", "Ann said hello to Bob.", case="Ann")
    add_text_source(project, "T", "Bob said hello.", case="P3")
    project.execute(Pseudonymise({"Ann": "[P_A]", "Bob": "[P_B]"}))
    assert sorted(c.name for c in project.cases.all()) == ["P3", "[P_A]"]


def test_name_clash_after_replacing_is_refused_and_changes_nothing(project):
    add_text_source(project, "Ann notes", "Ann was here.")
    add_text_source(project, "[P_A] notes", "Someone else.")
    before = dump(project)
    with pytest.raises(KeyTableError, match="two source names would both become"):
        project.execute(Pseudonymise({"Ann": "[P_A]"}))
    assert dump(project) == before


def test_mapping_validation_names_every_bad_row():
    with pytest.raises(KeyTableError) as exc:
        check_mapping([("row 2", "Smith", "[A]"), ("row 3", "", "[B]"), ("row 4", "Smith", "[C]"),
                       ("row 5", "Jones", ""), ("row 6", "Brown", "Smith"), ("row 7", "White", "Mr Smith"),
                       ("row 8", "42", "[N]")])
    problems = exc.value.problems
    assert "row 3: the real name is empty" in problems
    assert "row 4: 'Smith' repeats row 2" in problems
    assert "row 5: the pseudonym for 'Jones' is empty" in problems
    assert any(p.startswith("row 6: the pseudonym 'Smith' is also a real name (row 2)") for p in problems)
    assert any(p.startswith("row 7: the pseudonym 'Mr Smith' contains the real name 'Smith'") for p in problems)
    assert "row 8: '42' has no letters; only names can be replaced" in problems


def test_key_grows_and_a_changed_pseudonym_is_refused(proj):
    project, sid, _ = proj
    project.execute(Pseudonymise({"Dr Smith": "[GP_A]"}))
    with pytest.raises(KeyTableError, match="already in the key as '\\[GP_A\\]'"):
        project.execute(Pseudonymise({"Dr Smith": "[GP_B]"}))
    with pytest.raises(KeyTableError, match="GP_A"):
        project.execute(Pseudonymise({"GP_A": "[X]"}))  # a new name inside an old pseudonym
    project.execute(Pseudonymise({"Dr Smith": "[GP_A]", "Siobhán": "[P_A]"}))
    assert [e.real for e in load_key(project)] == ["Dr Smith", "Siobhán"]
    # a source imported later still has real names: applying the stored key catches them
    sid2 = add_text_source(project, "later", "Dr Smith and Siobhán again.")
    assert occurrences(project) == {"Dr Smith": 1, "Siobhán": 1}
    assert [s.kind for s in suggest(project)[:2]] == ["key", "key"]
    project.execute(Pseudonymise({}))
    assert project.sources.text(sid2) == "[GP_A] and [P_A] again."


def test_offset_map_snaps_starts_and_ends_outwards():
    m = OldToNewOffsets([(2, 5, 1), (8, 9, 4)])  # "ab[XYZ]cd[e]fg" -> 3 chars become 1, 1 becomes 4
    assert [m.start(p) for p in range(11)] == [0, 1, 2, 2, 2, 3, 4, 5, 6, 10, 11]
    assert [m.end(p) for p in range(11)] == [0, 1, 2, 3, 3, 3, 4, 5, 6, 10, 11]


# ----------------------------------------------------------------------------- key file, removal
def test_export_key_and_read_it_back(proj, tmp_path):
    project, _sid, _ = proj
    with pytest.raises(QualCoderError, match="nothing to export"):
        export_key(project, tmp_path / "none.csv")
    assert not (tmp_path / "none.csv").exists()
    project.execute(Pseudonymise(KEY))
    out = tmp_path / "key.csv"
    assert export_key(project, out) == 4
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["real", "pseudonym"] and dict(rows[1:]) == KEY
    assert [(r, p) for _label, r, p in read_key_csv(out)] == list(KEY.items())


def test_read_key_csv_errors_name_the_file_and_row(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("real,pseudonym\nSmith,[A],extra\nJones;[B]\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_key_csv(bad)
    msg = str(exc.value)
    assert msg.startswith(str(bad)) and "row 2: expected 2 columns" in msg and "row 3" in msg and "comma" in msg
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Siobh\xe1n,[P_A]\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_key_csv(latin)
    with pytest.raises(InputError, match="no such file"):
        read_key_csv(tmp_path / "missing.csv")


def test_remove_key_is_final_and_leaves_no_name_in_the_file(demo_file, tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    with open_project(demo_file) as project:
        mapping = {s.real: s.pseudonym for s in suggest(project)}
        project.execute(Pseudonymise(mapping))
        add_text_source(project, "late", "Kirsty again.")
        with pytest.raises(QualCoderError, match="still in the project"):
            RemoveKey().run(project)
        project.execute(Pseudonymise({}))
        report = RemoveKey().run(project)
        assert report.names == len(mapping) and report.secure_delete and report.vacuumed
        assert report.wal_truncated
        assert load_key(project) == []
        assert project.conn.execute("SELECT count(*) FROM settings WHERE key = ?", (KEY_SETTING,)).fetchone()[0] == 0
        with pytest.raises(QualCoderError, match="already removed"):
            RemoveKey().run(project)
        again = RemoveKey(force=True).run(project)  # finishes an interrupted compaction
        assert again.names == 0 and again.vacuumed
        with pytest.raises(QualCoderError, match="nothing to export"):
            export_key(project, tmp_path / "k.csv")
        assert real_names_left(project, list(mapping)) == []
    data = demo_file.read_bytes()
    for suffix in ("-wal",):
        extra = demo_file.with_name(demo_file.name + suffix)
        if extra.exists():
            data += extra.read_bytes()
    left = [n for n in mapping if n.encode("utf-8") in data]
    assert left == []
    # the file is a healthy project
    with open_project(demo_file) as project:
        assert project.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert "[P_" in project.sources.text(project.sources.by_name("GP01").id)


def test_remove_key_purges_backups(demo_file, tmp_path, monkeypatch):
    from qualcoder_lite.core.store import backups  # the project's own module: missing is a failure

    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    old_copy = demo_file.with_name("demo.before-restore.qlite")
    old_copy.write_bytes(b"old")
    with open_project(demo_file) as project:
        backups.make_backup(project)
        assert backups.list_backups(demo_file)
        project.execute(Pseudonymise({"Kirsty": "[P_K]"}))
        report = RemoveKey().run(project)
    assert report.backups_purged >= 1
    assert report.other_copies == [str(old_copy)] and "older copy" in report.lines()[-1]
    assert backups.list_backups(demo_file) == []


def test_remove_key_without_a_key_fails(project):
    with pytest.raises(QualCoderError, match="no pseudonym key"):
        RemoveKey().run(project)


# ----------------------------------------------------------------------------- suggestions
def test_suggestions_on_the_demo_find_colleagues_and_practices(demo_file):
    with open_project(demo_file) as project:
        found = {s.real: s for s in suggest(project)}
    for name in ("Siobhán", "Dr Fraser", "Kirsty", "Callum", "Mairi"):
        assert name in found, name
    for org in ("Glenmorie Health Centre", "Millbrae Medical Group", "Carrick Street Medical Practice"):
        assert found[org].kind == "organisation" and found[org].pseudonym.startswith("[ORG_")
    assert found["Dr Fraser"].kind == "person" and found["Dr Fraser"].pseudonym.startswith("[P_")
    for not_a_name in ("Interviewer", "GP01", "LW01", "The", "March", "Practice", "COVID", "NHS", "GP"):
        assert not_a_name not in found, not_a_name
    counts = [s.count for s in found.values() if s.kind == "name"]
    assert counts == sorted(counts, reverse=True)  # most frequent first


def test_suggestions_share_a_pseudonym_between_variants(project):
    add_text_source(project, "S", "We met Dr Fraser. Later Fraser phoned, and Siobhán Kelly came. "
                                  "Then Siobhán left the Glenbrae Medical Practice.\n")
    found = {s.real: s for s in suggest(project)}
    assert found["Fraser"].pseudonym == found["Dr Fraser"].pseudonym
    assert found["Siobhán"].pseudonym == found["Siobhán Kelly"].pseudonym
    assert found["Glenbrae Medical Practice"].pseudonym == "[ORG_1]"
    assert len({found["Dr Fraser"].pseudonym, found["Siobhán"].pseudonym}) == 2


def test_speaker_labels_are_suggested_but_roles_and_ids_are_not(project):
    text = "Mary Jones: Hello.\n\nP3: Hi.\n\nMary Jones: How are you?\n\nP3: Fine.\n\nInterviewer: ok\n"
    add_text_source(project, "S", text, case="P3")
    found = {s.real: s for s in suggest(project)}
    assert found["Mary Jones"].kind == "speaker" and found["Mary Jones"].count == 2
    assert "P3" not in found and "Interviewer" not in found


def test_demo_pseudonymisation_end_to_end_keeps_quotes(demo_file):
    with open_project(demo_file) as project:
        old = {r[0]: project.sources.text(r[1]) for r in project.conn.execute("SELECT name, id FROM sources")}
        quotes = {r[0]: old[r[1]][r[2]:r[3]] for r in project.conn.execute(
            'SELECT c.id, s.name, c.start, c."end" FROM codings c JOIN sources s ON s.id = c.source_id')}
        mapping = {s.real: s.pseudonym for s in suggest(project)}
        before = dump(project)
        cmd = Pseudonymise(mapping)
        project.execute(cmd)
        for cid, quote in quotes.items():
            r = project.conn.execute('SELECT source_id, start, "end" FROM codings WHERE id = ?', (cid,)).fetchone()
            expected = ref_apply(quote, ref_matches(quote, mapping))
            assert project.sources.text(r[0])[r[1]:r[2]] == expected
        assert real_names_left(project, list(mapping)) == []
        project.undo(cmd)
        assert dump(project) == before


def test_fts_follows_the_text(proj):
    from qualcoder_lite.core.services.search.search import search

    project, _sid, _ = proj
    assert search(project, "Siobhán")
    cmd = Pseudonymise(KEY)
    project.execute(cmd)
    assert search(project, "Siobhán") == []
    project.undo(cmd)
    assert search(project, "Siobhán")


def test_failed_apply_leaves_the_project_unchanged(proj):
    project, _sid, _ = proj
    before = dump(project)
    with pytest.raises(KeyTableError):
        project.execute(Pseudonymise({"Dr Smith": "[GP_A]", "Siobhán": "Dr Smith"}))
    with pytest.raises(UsageError, match="key table is empty"):
        project.execute(Pseudonymise({}))
    assert dump(project) == before
    assert isinstance(project.conn, sqlite3.Connection)
