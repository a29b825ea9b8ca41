"""Citation templates: a missing field goes with its own words and its separator."""

from __future__ import annotations

import pytest

from qualcoder_lite.core.services.quotes.citations import CitationTemplate

FIELDS = ["case", "years_in_post", "wave", "board", "age", "role"]


@pytest.mark.parametrize("template, values, expected", [
    # the example: the field's own words ("years") go with it
    ("({case}, {years_in_post} years)", {"case": "LW04"}, "(LW04)"),
    ("({case}, {years_in_post} years)", {"case": "LW04", "years_in_post": "12"}, "(LW04, 12 years)"),
    ("({case}, {years_in_post} years)", {"years_in_post": "12"}, "(12 years)"),
    # words before a field belong to it too
    ("({case}, aged {age})", {"case": "P1"}, "(P1)"),
    ("({case}, aged {age}, {years_in_post} years in post)", {"case": "P1", "years_in_post": "3"},
     "(P1, 3 years in post)"),
    ("({case}, aged {age}, {years_in_post} years in post)", {"age": "40", "years_in_post": "3"},
     "(aged 40, 3 years in post)"),
    # the separator before the later present field is the one printed
    ("({case}, {wave}; {board})", {"case": "P1", "board": "urban"}, "(P1; urban)"),
    ("({case}, {wave}; {board})", {"wave": "2016", "board": "urban"}, "(2016; urban)"),
    ("({case}, {wave}; {board})", {"case": "P1", "wave": " ", "board": ""}, "(P1)"),
    ("({case} – {role})", {"case": "P1", "role": "GP"}, "(P1 – GP)"),
    ("({case} – {role})", {"case": "P1"}, "(P1)"),
    ("({case} {role})", {"role": "GP"}, "(GP)"),
    # opening and closing text is the template's
    ("Participant {case}.", {"case": "P3"}, "Participant P3."),
    ("[{case}, {wave} wave]", {"case": "P3"}, "[P3]"),
    # nothing present: no citation at all; no fields: the literal
    ("({case}, {wave})", {}, ""),
    ("(anonymous)", {}, "(anonymous)"),
    ("({{{case}}})", {"case": "P1"}, "({P1})"),
])
def test_missing_fields_take_their_words_and_separator(template, values, expected):
    assert CitationTemplate(template, FIELDS).render(values) == expected
