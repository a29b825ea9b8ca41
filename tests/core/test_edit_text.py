"""Correcting a coded transcript: the diff-based offset map (property test against the edit
actually made), the undoable ReplaceSourceText command and its listing of changed codings."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qualcoder_lite.core.project import memory_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode
from qualcoder_lite.core.services.anchors.follow_text import TextDeletedError
from qualcoder_lite.core.services.sources.edit_text import ReplaceSourceText
from qualcoder_lite.core.services.sources.textdiff import TextDiff
from tests.helpers import add_text_source, dump

# Words are distinct (each drawn once), so an unchanged passage has one place in the new text.
VOCAB = [f"{a}{b}{c}" for a in "bcdfgklmnprstvz" for b in "aeiouy" for c in ("", "n", "st", "rk", "l")]
NEW_WORDS = [w.upper() for w in VOCAB[:60]]


@st.composite
def documents(draw):
    n = draw(st.integers(3, 60))
    words = draw(st.permutations(VOCAB))[:n]
    seps = draw(st.lists(st.sampled_from([" ", " ", " ", ". ", ", ", "\n", "\n\n"]), min_size=n - 1, max_size=n - 1))
    return words, seps


def render(words, seps):
    """The text and the span of every word."""
    out, spans, pos = [], [], 0
    for i, w in enumerate(words):
        spans.append((pos, pos + len(w)))
        out.append(w)
        pos += len(w)
        if i < len(seps):
            out.append(seps[i])
            pos += len(seps[i])
    return "".join(out), spans


@st.composite
def scenario(draw):
    words, seps = draw(documents())
    n = len(words)
    # codings: runs of whole words
    codings = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 5)), min_size=1, max_size=8))
    codings = sorted({(a, min(n, a + k)) for a, k in codings})
    # edits on words: delete a word, replace a word, insert words before a word
    ops = draw(st.lists(st.tuples(st.sampled_from(["del", "rep", "ins"]), st.integers(0, n - 1)),
                        min_size=1, max_size=6, unique_by=lambda t: t[1]))
    return words, seps, codings, ops


def apply_ops(words, seps, ops):
    """The edited document, plus for every old word index its new index (None: gone) and
    the set of old word indices an edit touched (deleted, replaced, or an insertion just
    before it, which lies inside a coding that runs on)."""
    new_words, new_seps, where, touched_before = [], [], {}, set()
    fresh = iter(NEW_WORDS)
    kinds = dict((i, k) for k, i in ops)
    for i, w in enumerate(words):
        kind = kinds.get(i)
        sep = seps[i] if i < len(seps) else None
        if kind == "ins":
            new_words.append(next(fresh))
            new_seps.append(" ")
            touched_before.add(i)
        if kind == "del":
            where[i] = None
            if sep is None and new_seps:  # the last word: drop the separator before it instead
                new_seps.pop()
            continue
        where[i] = len(new_words)
        new_words.append(next(fresh) if kind == "rep" else w)
        if kind == "rep":
            where[i] = None
        if sep is not None:
            new_seps.append(sep)
    while len(new_seps) >= len(new_words) and new_seps:
        new_seps.pop()
    return new_words, new_seps, where, touched_before


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
# deleting "be " before a coded "ben": "be" must not be paired with "ben" (found by Hypothesis)
@example((["ba", "ban", "bast", "bark", "bal", "be", "ben", "best", "berk"], [" "] * 8,
          [(6, 7)], [("del", 5), ("ins", 7)]))
def test_untouched_passages_land_where_their_text_went(case):
    words, seps, codings, ops = case
    old, old_spans = render(words, seps)
    new_words, new_seps, where, touched_before = apply_ops(words, seps, ops)
    new, new_spans = render(new_words, new_seps)
    diff = TextDiff(old, new)
    for a, b in codings:  # words a .. b-1
        inside = range(a, b)
        if any(where[i] is None for i in inside) or any(i in touched_before for i in range(a + 1, b)):
            # touched: only the general guarantees
            s, e = diff.span(old_spans[a][0], old_spans[b - 1][1])
            assert 0 <= s <= e <= len(new)
            continue
        expected = (new_spans[where[a]][0], new_spans[where[b - 1]][1])
        text = old[old_spans[a][0]:old_spans[b - 1][1]]
        assert new[expected[0]:expected[1]] == text  # the moved text, located by the edit made
        assert new.count(text) == 1 or len(text) < 3
        assert diff.span(old_spans[a][0], old_spans[b - 1][1]) == expected, (old, new, diff.edits)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n.", max_size=40), st.text(alphabet="ab \n.", max_size=40))
def test_any_diff_maps_monotonically_into_the_new_text(old, new):
    diff = TextDiff(old, new)
    last = 0
    for p in range(len(old) + 1):
        s, e = diff.start(p), diff.end(p)
        assert 0 <= s <= len(new) and 0 <= e <= len(new)
        assert s >= last
        last = s
    # equal text before, between and after the edits maps character for character
    ends = [(0, 0)] + [(e.i2, e.j2) for e in diff.edits]
    starts = [(e.i1, e.j1) for e in diff.edits] + [(len(old), len(new))]
    for (i, j), (i_next, j_next) in zip(ends, starts):
        assert old[i:i_next] == new[j:j_next]


def test_edges_of_a_change():
    old = "Hello John Smith, how are you? I am fine."
    new = "Hello [P1], how are you?\nI am very fine."
    d = TextDiff(old, new)
    assert new[slice(*d.span(6, 16))] == "[P1]"  # a redacted name inside a coding is replaced in it
    assert new[slice(*d.span(0, 5))] == "Hello"
    assert new[slice(*d.span(31, 41))] == "I am very fine."  # insertion inside: included
    d = TextDiff("a b. x y", "a b. NEW x y")
    assert "a b. NEW x y"[slice(*d.span(5, 8))] == "x y"  # insertion right before: left out
    assert "a b. NEW x y"[slice(*d.span(0, 4))] == "a b."  # insertion right after: left out
    # a deleted sentence goes as a sentence: the next sentence keeps its first word
    old = "[id2] I am struggling with the slides. I felt that they were too busy."
    new = "[id2] I felt that they were too busy."
    d = TextDiff(old, new)
    assert d.span(6, 38) == (6, 6)
    assert new[slice(*d.span(39, len(old)))] == "I felt that they were too busy."



@pytest.mark.parametrize("old, new, coded, expected", [
    # a deleted word right before a coded word that starts with it
    ("ba ban bast bark bal be ben best berk", "ba ban bast bark bal ben BA best berk", "ben", "ben"),
    ("so we be ben best", "so we ben, best", "ben", "ben"),
    ("I said be ben is here", "I said ben is here", "be ben", "ben"),
    # only the white space or punctuation after a word changed: the word keeps its span
    ("a b c", "a b, c", "b", "b"),
    ("a b c", "a b\nc", "b", "b"),
    ("a b c\nd", "a b\nd", "b c", "b"),
    ("Hello John Smith was here", "Hello [tutor] was here", "John Smith", "[tutor]"),
    ("the wrtitten part", "the written  part", "wrtitten", "written"),
    ("  indented be ben", "  indented ben", "ben", "ben"),
])
def test_a_coded_word_keeps_its_own_text(old, new, coded, expected):
    d = TextDiff(old, new)
    a = old.index(coded)
    assert new[slice(*d.span(a, a + len(coded)))] == expected, d.edits

# ----------------------------------------------------------------------------- the command
TEXT = ("Interviewer: How was the course?\n\n"
        "P1: I liked the course. John Smith was my tutor. The slides were too busy.\n\n"
        "Interviewer: Anything else?\n\n"
        "P1: The assignments were too long for the wrtitten part.\n")


@pytest.fixture
def project():
    p = memory_project(coder="ann")
    sid = add_text_source(p, "P1", TEXT, case="P1")
    p.execute(AddCode("Course"))
    p.execute(AddCode("Tutor"))
    course, tutor = (p.codes.find([n]).id for n in ("Course", "Tutor"))

    def code(cid, phrase, memo=""):
        a = TEXT.index(phrase)
        p.execute(ApplyCode(sid, cid, a, a + len(phrase), memo=memo))

    code(course, "I liked the course.")
    code(tutor, "John Smith was my tutor.", memo="tutor named")
    code(course, "The slides were too busy.")
    code(course, "The assignments were too long for the wrtitten part.")
    yield p, sid
    p.close()


def spans(p, sid):
    text = p.sources.text(sid)
    return sorted(text[k.start:k.end] for k in p.codings.for_source(sid))


def test_edit_moves_codings_and_turns_and_lists_changed_ones(project):
    p, sid = project
    new = TEXT.replace("John Smith", "[tutor]").replace("wrtitten", "written").replace(
        "I liked the course.", "Well. I liked the course.")
    cmd = ReplaceSourceText(sid, new)
    p.execute(cmd)
    assert p.sources.text(sid) == new
    assert spans(p, sid) == sorted(["I liked the course.", "[tutor] was my tutor.", "The slides were too busy.",
                                    "The assignments were too long for the written part."])
    changed = {c.new_text: c for c in cmd.result.changed}
    assert set(changed) == {"[tutor] was my tutor.", "The assignments were too long for the written part."}
    assert changed["[tutor] was my tutor."].label == "Tutor (ann)"
    for t in p.sources.turns(sid):  # turns still start at their labels' text
        assert new[t.label_start:t.label_end].rstrip(": ") in ("Interviewer", "P1")
    assert p.sources.get(sid).words == len(new.replace("[", " ").replace("]", " ").replace(".", " ")
                                           .replace(":", " ").split())


def test_undo_restores_text_and_every_offset_exactly(project):
    p, sid = project
    before = dump(p)
    cmd = ReplaceSourceText(sid, TEXT.replace("The slides were too busy.", "Slides: busy!"))
    p.execute(cmd)
    assert dump(p) != before
    p.undo(cmd)
    assert dump(p) == before
    p.redo(cmd)
    assert p.sources.text(sid) == TEXT.replace("The slides were too busy.", "Slides: busy!")
    p.undo(cmd)
    assert dump(p) == before


def test_deleting_a_coded_passage_refuses_unless_asked(project):
    p, sid = project
    before = dump(p)
    new = TEXT.replace("The slides were too busy.", "")
    with pytest.raises(TextDeletedError) as err:
        p.execute(ReplaceSourceText(sid, new))
    assert "The slides were too busy." in str(err.value) and "nothing was changed" in str(err.value)
    assert dump(p) == before
    cmd = ReplaceSourceText(sid, new, drop_deleted=True)
    p.execute(cmd)
    assert [c.status for c in cmd.result.changes] == ["removed"]
    assert "The slides were too busy." not in spans(p, sid)
    p.undo(cmd)
    assert dump(p) == before


def test_codings_that_become_the_same_are_merged_and_listed(project):
    p, sid = project
    tutor = p.codes.find(["Tutor"]).id
    a = TEXT.index("Smith was my tutor.")
    p.execute(ApplyCode(sid, tutor, a, a + len("Smith was my tutor."), memo="surname only"))
    before = dump(p)
    cmd = ReplaceSourceText(sid, TEXT.replace("John Smith", "[tutor]"))
    p.execute(cmd)
    assert sorted(c.status for c in cmd.result.changes) == ["changed", "merged"]
    text = p.sources.text(sid)
    kept = [k for k in p.codings.for_source(sid) if k.code_id == tutor]
    assert [text[k.start:k.end] for k in kept] == ["[tutor] was my tutor."]
    memo = p.conn.execute("SELECT memo FROM codings WHERE id = ?", (kept[0].id,)).fetchone()[0]
    assert memo == "tutor named\n\nsurname only"
    p.undo(cmd)
    assert dump(p) == before


def test_same_text_changes_nothing(project):
    p, sid = project
    cmd = ReplaceSourceText(sid, TEXT)
    p.execute(cmd)
    assert not cmd.changed_anything and cmd.result.edits == 0


# ----------------------------------------------------------------------------- merge
def test_merge_matches_a_corrected_transcript_by_guid(demo_file, tmp_path):
    """Mine corrected GP01's text; sam's copy coded the old text: sam's coding lands on the
    same words in my text, and no second GP01 appears."""
    import shutil

    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.team.merge import merge_copy

    theirs = tmp_path / "theirs.qlite"
    shutil.copy(demo_file, theirs)
    phrase = "We need clearer criteria"
    with open_project(theirs, coder="sam") as p:
        sid = p.sources.by_name("GP01").id
        text = p.sources.text(sid)
        a = text.index(phrase)
        p.execute(ApplyCode(sid, p.codes.all()[0].id, a, a + len(phrase)))
    with open_project(demo_file, coder="alex") as p:
        sid = p.sources.by_name("GP01").id
        text = p.sources.text(sid)
        p.execute(ReplaceSourceText(sid, "[Corrected transcript]\n\n" + text.replace(phrase, "We need much clearer "
                                                                                           "criteria")))
        sources = len(p.sources.all())
        report = merge_copy(p, theirs).result
        assert "source_text_edited" in [c.kind for c in report.conflicts]
        assert len(p.sources.all()) == sources
        new_text = p.sources.text(sid)
        sams = [k for k in p.codings.for_source(sid) if k.coder == "sam"]
        got = sorted(new_text[k.start:k.end] for k in sams)
        assert "We need much clearer criteria" in got
    with open_project(theirs) as o:
        old_text = o.sources.text(o.sources.by_name("GP01").id)
        expected = sorted(old_text[k.start:k.end].replace(phrase, "We need much clearer criteria")
                          for k in o.codings.for_source(o.sources.by_name("GP01").id) if k.coder == "sam")
    assert got == expected  # every one of sam's codings of GP01 on the same words


def test_every_anchored_table_follows_an_edit_and_a_pseudonym_shift():
    """The two lists of anchored positions (the text edit's ``ANCHORS``, pseudonymisation's
    ``ANCHORED_SPANS``) name the same anchors: a table added to one and not the other would
    be left pointing at the wrong words by one of the two edits."""
    from qualcoder_lite.core.services.anchors.follow_text import ANCHORS
    from qualcoder_lite.core.store.schema import ANCHORED_SPANS

    edit = {(a.table, a.source_col, a.cols[-2], a.cols[-1]) for a in ANCHORS if a.table != "speaker_turns"}
    assert edit == set(ANCHORED_SPANS)


def test_merge_moves_the_colleagues_annotations_and_links_with_a_corrected_text(demo_file, tmp_path):
    """Sam annotated and linked passages of the old GP01; I corrected GP01 (text inserted
    before them): after the merge, sam's annotation and link sit on the same words in my text."""
    import shutil

    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.anchors.annotations import AddAnnotation, annotations
    from qualcoder_lite.core.services.anchors.links import AddLink, links
    from qualcoder_lite.core.services.team.merge import merge_copy

    theirs = tmp_path / "theirs.qlite"
    shutil.copy(demo_file, theirs)
    phrase = "We need clearer criteria"
    with open_project(theirs, coder="sam") as p:
        sid = p.sources.by_name("GP01").id
        other = p.sources.by_name("GP02").id
        a = p.sources.text(sid).index(phrase)
        p.execute(AddAnnotation(sid, a, a + len(phrase), "sam's note"))
        p.execute(AddLink(sid, a, a + len(phrase), other, None, None))
    with open_project(demo_file, coder="alex") as p:
        sid = p.sources.by_name("GP01").id
        p.execute(ReplaceSourceText(sid, "[Corrected transcript]\n\n" + p.sources.text(sid)))
        merge_copy(p, theirs)
        text = p.sources.text(sid)
        notes = [n for n in annotations(p) if n.text == "sam's note"]
        assert [text[n.start:n.end] for n in notes] == [phrase]
        mine = [ln for ln in links(p) if ln.source_id == sid]
        assert [text[ln.start:ln.end] for ln in mine] == [phrase]
