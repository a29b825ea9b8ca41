"""A hand-made project for the query tests (issue 18): two interviews with interviewer
turns, nested codes, a code name with a slash, overlapping codings and two coders.

Offsets are found with ``str.index`` on the text below, so a reader can check every
expected number by hand; the tests compare against independent computations from
``segments --json`` (per-character sets), never against the services' own helpers.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import add_text_source

P1 = (
    "Interviewer: How did the referrals go?\n"
    "P1: The referrals were slow. We waited weeks for a reply. The pharmacist helped a lot.\n"
    "\n"
    "The pharmacist knew the patients.\n"
    "Interviewer: And the practices?\n"
    "P1: Practices were busy. Nobody had time for referrals.\n"
)
P2 = (
    "Interviewer: Tell me about waiting.\n"
    "P2: Waiting was the worst part. The pharmacist called every patient. Waiting lists grew.\n"
    "Interviewer: Anything else?\n"
    "P2: Practices changed. The pharmacist stayed.\n"
)
# A source with no case, no turns: counted by sources, never by cases.
NOTES = "Field notes. The pharmacist was late. Waiting room full.\n"

CODES = ["Access", "Access/Referrals", "Access/Waiting", "Workload", "Roles \\/ tasks", "Roles \\/ tasks/Pharmacist"]


def span(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(phrase, i + 1)
    return i, i + len(phrase)


# (source, code, phrase, coder): the codings
CODINGS = [
    ("P1", "Access/Referrals", "The referrals were slow. We waited weeks for a reply.", "alice"),
    ("P1", "Access/Waiting", "We waited weeks for a reply.", "alice"),  # inside the one above
    ("P1", "Access/Referrals", "The referrals were slow.", "bob"),  # second coder
    ("P1", "Roles \\/ tasks/Pharmacist", "The pharmacist helped a lot.", "alice"),
    ("P1", "Roles \\/ tasks/Pharmacist", "The pharmacist knew the patients.", "alice"),
    ("P1", "Roles \\/ tasks", "We waited weeks for a reply. The pharmacist helped", "bob"),  # overlaps two
    ("P1", "Workload", "Practices were busy. Nobody had time for referrals.", "alice"),
    ("P1", "Access/Referrals", "Nobody had time for referrals.", "alice"),  # inside Workload
    ("P2", "Access/Waiting", "Waiting was the worst part.", "alice"),
    ("P2", "Access/Waiting", "Waiting lists grew.", "alice"),
    ("P2", "Access/Referrals", "Waiting lists grew.", "alice"),  # one passage at two sub-codes
    ("P2", "Access/Waiting", "Waiting was the worst part. The pharmacist", "bob"),  # overlaps own code
    ("P2", "Roles \\/ tasks/Pharmacist", "The pharmacist called every patient.", "alice"),
    ("P2", "Access", "Waiting was the worst part. The pharmacist called every patient.", "alice"),
    ("P2", "Workload", "Practices changed.", "bob"),
    ("P2", "Roles \\/ tasks/Pharmacist", "The pharmacist stayed.", "bob"),
    ("NOTES", "Roles \\/ tasks/Pharmacist", "The pharmacist was late.", "alice"),
    ("NOTES", "Access/Waiting", "Waiting room full.", "alice"),
]

TEXTS = {"P1": P1, "P2": P2, "NOTES": NOTES}
WAVE = {"P1": "2016", "P2": "2021"}


def build(path: Path) -> Path:
    from qualcoder_lite.core.project import new_project
    from qualcoder_lite.core.services.sources.attributes import AddAttribute, SetAttributeValue
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode
    from qualcoder_lite.core.services.coding.speakers import SetSpeakerRole

    p = new_project(path, coder="alice")
    try:
        ids = {}
        for name, text in TEXTS.items():
            ids[name] = add_text_source(p, name, text, case=None if name == "NOTES" else name)
        for c in CODES:
            p.execute(AddCode(c))
        p.execute(SetSpeakerRole("Interviewer", "interviewer"))
        attr = AddAttribute("wave")
        p.execute(attr)
        for case, wave in WAVE.items():
            p.execute(SetAttributeValue(attr.result, wave, case_id=p.cases.by_name(case).id))
        for src, code, phrase, coder in CODINGS:
            s, e = span(TEXTS[src], phrase)
            p.execute(ApplyCode(ids[src], p.codes.resolve(code).id, s, e, coder=coder))
    finally:
        p.close()
    return path


# The units of each text, listed by hand from the contract (DESIGN.md "Units"): turns are the
# text after a label; paragraphs never cross a turn; sentences never cross a paragraph.
UNIT_PHRASES = {
    "sentence": {
        "P1": ["How did the referrals go?", "The referrals were slow.", "We waited weeks for a reply.",
               "The pharmacist helped a lot.", "The pharmacist knew the patients.", "And the practices?",
               "Practices were busy.", "Nobody had time for referrals."],
        "P2": ["Tell me about waiting.", "Waiting was the worst part.", "The pharmacist called every patient.",
               "Waiting lists grew.", "Anything else?", "Practices changed.", "The pharmacist stayed."],
        "NOTES": ["Field notes.", "The pharmacist was late.", "Waiting room full."],
    },
    "paragraph": {
        "P1": ["How did the referrals go?",
               "The referrals were slow. We waited weeks for a reply. The pharmacist helped a lot.",
               "The pharmacist knew the patients.", "And the practices?",
               "Practices were busy. Nobody had time for referrals."],
        "P2": ["Tell me about waiting.",
               "Waiting was the worst part. The pharmacist called every patient. Waiting lists grew.",
               "Anything else?", "Practices changed. The pharmacist stayed."],
        "NOTES": ["Field notes. The pharmacist was late. Waiting room full."],
    },
    "turn": {
        "P1": ["How did the referrals go?",
               "The referrals were slow. We waited weeks for a reply. The pharmacist helped a lot.\n\n"
               "The pharmacist knew the patients.",
               "And the practices?", "Practices were busy. Nobody had time for referrals."],
        "P2": ["Tell me about waiting.",
               "Waiting was the worst part. The pharmacist called every patient. Waiting lists grew.",
               "Anything else?", "Practices changed. The pharmacist stayed."],
        "NOTES": [],  # no speaker labels: no turns
    },
}


def unit_spans(unit: str, source: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    text = TEXTS[source]
    for phrase in UNIT_PHRASES[unit][source]:
        s = text.index(phrase, pos)
        out.append((s, s + len(phrase)))
        pos = s + len(phrase)
    return out
