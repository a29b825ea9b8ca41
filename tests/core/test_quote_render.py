"""The one quote renderer: structure (interviewer turns, time markers, notes, edits) and the
quote styles, checked character by character; ``verbatim`` changes no character."""

from __future__ import annotations

import bisect

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qualcoder_lite.core.errors import UsageError
from qualcoder_lite.core.services.quotes.quote_render import (STYLES, collapse, edit_template, parse_edit,
    render_passage)
from qualcoder_lite.core.units import detect_turns

SRC = ("It's \"chaos\" - we're like 'no' -- and--honestly—well… so... [laughs] [12:21] the nurses' room, "
       "2016–2021 self-referral")
EXPECTED = {
    "apa": ("“", "It’s ‘chaos’ – we’re like ‘no’ – and – honestly – well… so... [laughs] the nurses’ room, "
                 "2016–2021 self-referral", "”"),
    "bjgp": ("‘", "It’s “chaos” — we’re like “no” — and — honestly — well… so... [laughs] the nurses’ room, "
                  "2016–2021 self-referral", "’"),
    "verbatim": ("“", "It's \"chaos\" - we're like 'no' -- and--honestly—well… so... [laughs] the nurses' room, "
                      "2016–2021 self-referral", "”"),
}


@pytest.mark.parametrize("style", STYLES)
def test_each_style_character_by_character(style):
    made = render_passage(SRC, 0, len(SRC), style=style)
    opening, body, closing = EXPECTED[style]
    assert list(made.text) == list(body)  # a list diff names the first character that differs
    assert made.quoted == f"{opening}{body}{closing}"
    assert made.style == style


@pytest.mark.parametrize("style", STYLES)
def test_rules_every_style_shares(style):
    made = render_passage(SRC, 0, len(SRC), style=style)
    # the speaker's own dots stay as transcribed; the ellipsis in brackets is the analyst's alone
    assert "so..." in made.text and "[…]" not in made.text
    # the time marker is left out; the note is a note (Word sets it in italics)
    assert "12:21" not in made.text
    assert [(p.kind, p.text) for p in made.pieces if p.kind != "text"] == [("note", "[laughs]")]
    assert ("[laughs]", True) in made.runs()
    assert {"note", "times_left_out", "speaker_dots"} <= made.conventions
    kept = render_passage(SRC, 0, len(SRC), style=style, keep_times=True)
    assert [(p.kind, p.text) for p in kept.pieces if p.kind != "text"] == [("note", "[laughs]"), ("time", "[12:21]")]
    assert "[laughs] [12:21] the nurses" in kept.text and "time" in kept.conventions


def test_unknown_style_is_a_usage_error_naming_the_styles():
    with pytest.raises(UsageError, match="unknown quote style 'harvard'.*apa, bjgp, verbatim"):
        render_passage("Yes.", 0, 4, style="harvard")


INTERVIEW = (
    "**Interviewer:** [00:01:02] How did the reforms land?\n\n"
    "**LW04:** [00:01:10] It was \"chaos\" at first. [00:01:15] We managed...\n\n"
    "**Interviewer:** Right. [laughs]\n\n"
    "**LW04:** And the GPs--they came round. [inaudible 00:12] We got there.\n"
)


@pytest.mark.parametrize("style, dash", [("apa", "–"), ("bjgp", "—"), ("verbatim", "--")])
def test_a_cut_interviewer_turn_is_an_omission_in_every_style(style, dash):
    turns = detect_turns(INTERVIEW)
    start = INTERVIEW.index("[00:01:10]")  # the turn's time belongs to its label, cut with it
    end = len(INTERVIEW.rstrip())
    made = render_passage(INTERVIEW, start, end, turns, {"Interviewer"}, style=style)
    inner = {"apa": "‘chaos’", "bjgp": "“chaos”", "verbatim": '"chaos"'}[style]
    sep = f" {dash} " if style != "verbatim" else dash
    assert made.text == (f"It was {inner} at first. We managed... […] And the GPs{sep}they came round. "
                         "[inaudible 00:12] We got there.")
    assert [p.kind for p in made.pieces if p.kind != "text"] == ["omission", "note"]
    assert made.shortened and not made.edited and made.speaker == "LW04"
    assert {"interviewer_cut", "omission", "note", "times_left_out", "speaker_dots"} <= made.conventions
    kept = render_passage(INTERVIEW, start, end, turns, set(), style=style)
    assert "Right. [laughs] And the GPs" in kept.text and "[…]" not in kept.text


def test_a_coding_inside_an_interviewer_turn_gives_no_quote():
    turns = detect_turns(INTERVIEW)
    a = INTERVIEW.index("How did")
    assert render_passage(INTERVIEW, a, a + 10, turns, {"Interviewer"}) is None
    only_time = INTERVIEW.index("[00:01:10]")
    assert render_passage(INTERVIEW, only_time, only_time + 10, turns, set()) is None


def test_edited_form_omissions_insertions_and_notes():
    text = "It was the reforms, honestly, that did it [laughs] in the end."
    edit = "It was [the 2018 reforms] […] that did it [laughs] [...] in the end."
    made = render_passage(text, 0, len(text), edited=edit)
    assert made.text == "It was [the 2018 reforms] […] that did it [laughs] […] in the end."
    assert [(p.kind, p.text) for p in made.pieces if p.kind != "text"] == [
        ("insertion", "[the 2018 reforms]"), ("omission", "[…]"), ("note", "[laughs]"), ("omission", "[…]")]
    assert made.edited and made.shortened and made.original == text
    # Word: the note italic, the insertion roman
    assert ("[laughs]", True) in made.runs() and not any(i for t, i in made.runs() if "reforms" in t)
    # an insertion is styled like the words around it: its apostrophe is typographic
    assert render_passage(text, 0, len(text), edited="[the GP's] reforms", style="bjgp").text == "[the GP’s] reforms"


def test_a_lone_ellipsis_in_an_older_edit_is_an_omission_unless_the_speaker_said_it():
    assert [k for k, _ in parse_edit("Two things … [for] the patients.")] == [
        "text", "omission", "text", "insertion", "text"]
    said = "I was … thinking"
    assert [k for k, _ in parse_edit(said, original=said)] == ["text"]


def test_edit_template_applies_the_structure_but_no_style():
    turns = detect_turns(INTERVIEW)
    start = INTERVIEW.index("[00:01:10]")
    template = edit_template(INTERVIEW, start, len(INTERVIEW.rstrip()), turns, {"Interviewer"})
    assert template == ("It was \"chaos\" at first. We managed... […] And the GPs--they came round. "
                        "[inaudible 00:12] We got there.")


# ----------------------------------------------------------------------------- verbatim property
_WORD = st.text(alphabet="abcXYZ019'\".,;!?-–—…’“”", min_size=1, max_size=8)
_GAP = st.sampled_from([" ", "  ", "\n", " \n\n ", "\t"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_WORD, _GAP), min_size=1, max_size=25), st.data())
def test_verbatim_is_the_coded_text_with_white_space_collapsed(words, data):
    text = "".join(w + g for w, g in words)
    starts, pos = [], 0
    for w, g in words:
        starts.append((pos, pos + len(w)))
        pos += len(w) + len(g)
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i, len(words) - 1))
    s, e = starts[i][0], starts[j][1]
    made = render_passage(text, s, e, style="verbatim")
    assert made.text == collapse(text[s:e])
    assert made.quoted == f"“{collapse(text[s:e])}”"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_WORD, _GAP), min_size=1, max_size=25))
@example([("...", " "), ("0", " ")])  # the speaker's dots opening the passage (found by Hypothesis)
def test_styled_quotes_have_no_straight_quotation_marks_and_keep_the_dots(words):
    text = "".join(w + g for w, g in words)
    for style in ("apa", "bjgp"):
        made = render_passage(text, 0, len(text), style=style)
        if made is None:
            continue
        assert '"' not in made.text and "'" not in made.text
        assert made.text.count("...") == collapse(text).count("...") or "..." not in text


def test_participant_spans_shortcut_for_a_passage_inside_one_turn_agrees_with_walking_the_turns():
    """A passage inside one participant's turn is answered without walking the turns: for
    every span of an interview (labels, blank lines, interviewer turns, edges) the answer is
    the walk's."""
    from qualcoder_lite.core.services.quotes import quote_render as qr

    text = INTERVIEW + "LW04:   \n\nLW04: Last words"
    turns = detect_turns(text)
    starts = [t.label_start for t in turns]
    for interviewers in (set(), {"Interviewer"}, {"LW04"}):
        for start in range(0, len(text), 3):
            for end in range(start + 1, min(len(text), start + 90) + 1, 2):
                walked = qr._walk_turns(text, start, end, turns, interviewers, starts,
                                        max(0, bisect.bisect_right(starts, start) - 1))
                assert qr.participant_spans(text, start, end, turns, interviewers, starts) == walked, (start, end)


@pytest.mark.parametrize("style", ("apa", "bjgp"))
def test_the_speakers_dots_opening_a_passage_are_kept_and_stray_stops_dropped(style):
    # "..." (or "….") is how the speaker began, so it stays, like "so..." at the end;
    # a full stop or comma left over from the sentence before is stray punctuation
    for text, expected in [("... 0 ", "... 0"), ("...and then it stopped", "...and then it stopped"),
                           ("....so it went", "....so it went"), (", ... so it went", "... so it went"),
                           (". and so", "and so"), (".. so", "so"), ("…so", "…so")]:
        assert render_passage(text, 0, len(text), style=style).text == expected, text
