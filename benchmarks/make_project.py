"""Build a large, realistic synthetic QualCoder Lite project, reproducibly from a seed.

    python benchmarks/make_project.py [N_SOURCES CHARS CODES CODINGS] [--seed S] [--out PATH] [--force]

Defaults: 200 sources x 50,000 characters, 60 codes, 20,000 codings, seed 1, written to
``benchmarks/out/bench-<params>.qlite``.

What the project holds
----------------------
* **Sources**: interview transcripts of English-like sentences (a weighted word list with
  collocations such as "quality improvement", varying sentence length, commas, dashes,
  ``Dr.``/``e.g.`` abbreviations, curly apostrophes, a few accented words and an occasional
  emoji) in speaker turns (``Interviewer:`` then ``P012:``) with paragraphs. Each source is
  at most CHARS code points long and within one sentence of it.
* **Cases**: one per source (``P012``) with 4 attributes: ``wave`` (number, 2016/2021),
  ``role`` (text), ``board_type`` (text) and ``years_qualified`` (number). ``Interviewer``
  is marked as the interviewer speaker role.
* **Codes**: a 3-level tree, themes > sub-themes > codes (CODES counts every level: 60 =
  5 themes, 15 sub-themes, 40 codes), each with a colour and a description, themes with a
  memo (code summary).
* **Codings** by two coders, ``alex`` and ``sam``: mostly whole sentences (85 %, one to three
  sentences within a turn), the rest phrases on word boundaries; most are in participant
  turns. About half of sam's codings shadow one of alex's (same code, same passage or a
  neighbouring boundary), so the coders overlap and agree in part; other codings overlap
  where codes share sentences. 2 % carry a memo.
* A few framework-matrix summaries (5 % of case x theme/sub-theme cells, at least 3), journal
  entries and case memos.

Guarantees (checked at the end of every build, asserted in tests)
----------------------------------------------------------------
The busiest code has at least ``ceil(CODINGS / 4)`` codings and the busiest source at least
``min(CODINGS, ceil(5 * CODINGS / N_SOURCES))`` codings - five times the average source.
At the default size that is the DESIGN.md promise: one code with >= 5,000 segments and one
source with >= 500 codings. At 4x (800 sources, 80,000 codings) it is >= 20,000 and >= 500.
Every (source, code, coder, start, end) is distinct, so the project holds exactly CODINGS
codings.

Reproducibility
---------------
The same parameters and seed give the same texts, code tree, attributes and codings
(offsets, codes, coders) on every machine and Python >= 3.11 (``random.Random`` with
string seeds is stable). Row GUIDs and timestamps are made by the core and differ.

How it writes
-------------
Through the core's commands and its ``Recorder`` - ``ImportSources`` for all sources, then
one command that adds the code tree (``AddCode``), the attributes (``ImportAttributes``),
the speaker role, every coding (``core.services.coding.add_coding``), matrix summaries and
memos - all run as one ``Macro``: one transaction, no hand-written SQL.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import itertools
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULTS = {"n_sources": 200, "chars": 50_000, "codes": 60, "codings": 20_000, "seed": 1}
GENERATOR_VERSION = 4  # (4: schema 8) bump when the generated content or the schema changes (invalidates cached projects)
OUT_DIR = HERE / "out"
CODERS = ("alex", "sam")

# --------------------------------------------------------------------------- vocabulary
# Roughly in order of frequency; weights fall off as 1/(rank + 2) (Zipf).
_FUNCTION = """the and to I of a that it we you in is was they but so for on have be just not
with what there this at are like think as do about all know our would because if them they’re
were can one or some really had more get when been which people don’t it’s we’re yeah their
then very how much also other time from out up there’s go who us an by no well into only
could make see now my those things thing going lot bit actually probably quite different""".split()
_CONTENT = """practice practices patients cluster GP GPs nurse nurses board health care data
work working meeting meetings team teams quality improvement role roles support time
colleagues pressure workload funding services service community hospital referral referrals
waiting list appointments appointment leadership lead leads primary secondary local national
contract training protected learning audit prescribing pharmacist pharmacists managers
manager staff clinical clinicians partners partner system systems information analysis
evidence change changes priorities priority engagement relationships trust capacity demand
access deprived rural urban island remote population needs outcomes measures indicators
reports report feedback discussion discussions agenda minutes governance accountability
resources resource money budget admin administrative reception receptionists phone calls
hours sessions session locum locums recruitment retention morale burnout stress wellbeing
conversation conversations example examples experience experiences challenge challenges
problem problems issue issues opportunity opportunities project projects pathway pathways
patient practice’s board’s area areas level levels year years months weeks days week
month start beginning end process processes network networks link links worker workers
chronic disease diabetes asthma frailty mental housing debt loneliness social prescribing
vaccination flu screening results review reviews plan plans planning strategy framework
transformation model models funding’s government policy policies guidance expectations
""".split()
_RARE = """café naïve façade déjà Zoë Müller rôle coördinated São Ñandú fiancée touché résumé""".split()
WORDS = _FUNCTION + _CONTENT + _RARE
_weights = [1.0 / (r + 2) for r in range(len(_FUNCTION) + len(_CONTENT))]
_weights += [0.15 / len(_RARE) * sum(_weights) / 100] * len(_RARE)  # ~0.15 % of words
CUM_WEIGHTS = list(itertools.accumulate(_weights))

PHRASES = (
    "quality improvement", "protected learning time", "waiting list", "health board",
    "out of hours", "data support", "cluster quality lead", "practice quality lead",
    "the new contract", "link worker", "social prescribing", "multidisciplinary team",
)
EMOJI = ("😀", "👍🏽", "🙂", "😬")
ABBREV_BITS = ("Dr. Brown", "e.g. the audit", "Mrs. Patel", "i.e. the cluster", "etc. and so on")

THEMES = (
    "Data support", "Leadership and roles", "Workload and capacity", "Relationships and trust",
    "Quality improvement", "Resources and funding", "Communication", "Training and development",
    "Patient needs", "Policy and contract", "Cluster working", "Wellbeing",
)
SUBTHEMES = (
    "Access", "Barriers", "Facilitators", "Expectations", "Experiences", "Change over time",
    "Local context", "Rôle clarity", "Cluster/practice links", "Time", "Skills", "Tools",
    "Meetings", "Outcomes", "Governance",
)
LEAVES = (
    "Timely data", "Data quality concerns", "Analyst help", "Protected time", "Lack of time",
    "Informal leadership", "Formal role", "Burnout", "Morale", "Trust between practices",
    "Conflict", "Shared goals", "Funding gaps", "Admin burden", "Recruitment", "Locum cover",
    "Feedback loops", "Email overload", "Peer learning", "Mentoring", "Deprivation",
    "Rurality", "Frailty", "Mental health", "Contract pressure", "National guidance",
    "Local priorities", "Meeting fatigue", "Good practice", "Quick wins", "Scepticism",
    "Enthusiasm", "Ownership", "Accountability", "Patient voice", "Health inequalities",
    "Digital tools", "Phone triage", "Waiting lists", "Social prescribing",
)
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
           "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295")
ROLES = ("PCS", "CQL", "GP partner", "Practice nurse", "Practice manager")
BOARD_TYPES = ("urban affluent/mixed area", "urban deprived", "rural", "remote and island")


# --------------------------------------------------------------------------- the plan
@dataclass
class SentenceSpan:
    start: int
    end: int
    turn: int  # index of the turn in the source
    interviewer: bool


@dataclass
class SourcePlan:
    name: str
    case: str
    text: str
    sentences: list[SentenceSpan]


@dataclass
class CodePlan:
    levels: tuple[str, ...]
    color: str
    description: str
    memo: str = ""


@dataclass(frozen=True)
class CodingPlan:
    source: str  # source name
    code: tuple[str, ...]  # code path levels
    coder: str
    start: int
    end: int
    memo: str = ""


@dataclass
class Plan:
    params: dict
    sources: list[SourcePlan]
    codes: list[CodePlan]
    attributes: dict[str, dict[str, str]]  # case -> attribute -> value
    codings: list[CodingPlan]
    summaries: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)  # case, code, text
    memos: list[tuple[str, str | None, str, str]] = field(default_factory=list)  # kind, target, title, body
    busiest_code: tuple[str, ...] = ()
    busiest_source: str = ""

    def prepared(self):
        """The sources as the importer's ``PreparedSource`` (speaker turns detected by the core)."""
        from qualcoder_lite.core.services.sources.importing import PreparedSource
        from qualcoder_lite.core.units import detect_turns

        return [PreparedSource(Path(s.name + ".txt"), s.name, s.text, "txt", detect_turns(s.text), s.case)
                for s in self.sources]


def guarantees(n_sources: int, codings: int) -> tuple[int, int]:
    """(minimum codings of the busiest code, minimum codings of the busiest source)."""
    if codings <= 0:
        return 0, 0
    return math.ceil(codings / 4), min(codings, math.ceil(5 * codings / max(1, n_sources)))


def default_path(n_sources: int, chars: int, codes: int, codings: int, seed: int) -> Path:
    return OUT_DIR / f"bench-{n_sources}x{chars}-{codes}c-{codings}k-s{seed}-v{GENERATOR_VERSION}.qlite"


# --------------------------------------------------------------------------- text
def _sentence(rng: random.Random, question: bool) -> str:
    n = max(3, min(42, int(rng.gammavariate(3.0, 5.0))))
    words = rng.choices(WORDS, cum_weights=CUM_WEIGHTS, k=n)
    r = rng.random()
    if r < 0.18:
        words.insert(rng.randrange(len(words) + 1), rng.choice(PHRASES))
    elif r < 0.20:
        words.insert(rng.randrange(1, len(words) + 1), rng.choice(ABBREV_BITS))
    if len(words) > 8 and rng.random() < 0.5:
        i = rng.randrange(2, len(words) - 2)
        words[i] += ","
    if len(words) > 10 and rng.random() < 0.06:
        words.insert(rng.randrange(3, len(words) - 2), "—")
    if rng.random() < 0.004:
        words.insert(rng.randrange(1, len(words) + 1), rng.choice(EMOJI))
    first = words[0]
    words[0] = first[:1].upper() + first[1:]
    if question:
        end = "?"
    else:
        end = rng.choices((".", "!", "…"), weights=(94, 3, 3))[0]
    return " ".join(words).rstrip(",") + end


def make_text(rng: random.Random, pid: str, header: str, chars: int) -> tuple[str, list[SentenceSpan]]:
    """A transcript of at most ``chars`` code points with its sentence spans."""
    parts: list[str] = []
    spans: list[SentenceSpan] = []
    pos = 0

    def add(s: str) -> None:
        nonlocal pos
        parts.append(s)
        pos += len(s)

    add(header + "\n\n")
    turn = 0
    full = False
    while not full:
        for interviewer in (True, False):
            label = "Interviewer: " if interviewer else f"{pid}: "
            paragraphs = [rng.randint(1, 2)] if interviewer else [rng.randint(1, 7) for _ in range(rng.randint(1, 3))]
            if turn:
                add("\n\n")
            label_at = len(parts)
            add(label)
            wrote = False
            for p_i, n_sent in enumerate(paragraphs):
                for s_i in range(n_sent):
                    s = _sentence(rng, question=interviewer and s_i == n_sent - 1)
                    sep = "" if s_i == 0 else " "
                    if p_i and s_i == 0:
                        sep = "\n\n"
                    if pos + len(sep) + len(s) > chars:
                        full = True
                        break
                    add(sep)
                    spans.append(SentenceSpan(pos, pos + len(s), turn, interviewer))
                    add(s)
                    wrote = True
                if full:
                    break
            if not wrote:  # the label did not get any speech: drop it
                dropped = "".join(parts[label_at - (1 if turn else 0):])
                del parts[label_at - (1 if turn else 0):]
                pos -= len(dropped)
            turn += 1
            if full:
                break
    text = "".join(parts)
    assert len(text) == pos <= max(chars, len(header) + 2)
    return text, spans


# --------------------------------------------------------------------------- codes
def _shade(color: str, amount: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(c + (255 - c) * amount) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _name(pool: tuple[str, ...], i: int) -> str:
    base = pool[i % len(pool)]
    return base if i < len(pool) else f"{base} {i // len(pool) + 1}"


def make_codes(n_codes: int) -> list[CodePlan]:
    """A 3-level tree with ``n_codes`` codes in all (themes, sub-themes, codes)."""
    if n_codes <= 0:
        return []
    n_themes = max(1, round(n_codes / 12))
    n_subs = min(n_codes - n_themes, 3 * n_themes)
    n_leaves = n_codes - n_themes - n_subs
    out: list[CodePlan] = []
    themes = [(_name(THEMES, t),) for t in range(n_themes)]
    for t, levels in enumerate(themes):
        out.append(CodePlan(levels, PALETTE[t % len(PALETTE)], f"Theme: everything on {levels[0].lower()}.",
                            memo=f"Summary of {levels[0]}: participants in both waves talked about it; see sub-themes."))
    subs = []
    for s in range(n_subs):
        theme = themes[s % n_themes]
        levels = theme + (_name(SUBTHEMES, s),)
        subs.append(levels)
        out.append(CodePlan(levels, _shade(PALETTE[(s % n_themes) % len(PALETTE)], 0.25),
                            f"Sub-theme of {theme[0]}."))
    parents = subs or themes
    for k in range(n_leaves):
        parent = parents[k % len(parents)]
        levels = parent + (_name(LEAVES, k),)
        t = themes.index(parent[:1])
        out.append(CodePlan(levels, _shade(PALETTE[t % len(PALETTE)], 0.5), f"Code: passages about {levels[-1].lower()}."))
    return out


# --------------------------------------------------------------------------- codings
def _allocate(rng: random.Random, total: int, n: int, top: int, top_index: int, weights: list[float]) -> list[int]:
    """Split ``total`` into ``n`` counts: ``top`` for ``top_index``, the rest by weight."""
    counts = [0] * n
    if n == 0 or total == 0:
        return counts
    counts[top_index] = top
    rest = total - top
    others = [i for i in range(n) if i != top_index]
    if not others:
        counts[top_index] = total
        return counts
    cum = list(itertools.accumulate(weights[i] for i in others))
    for i in rng.choices(others, cum_weights=cum, k=rest):
        counts[i] += 1
    return counts


def _phrase(rng: random.Random, text: str, s: SentenceSpan) -> tuple[int, int]:
    """A run of whole words inside a sentence."""
    starts = [s.start] + [i + 1 for i in range(s.start, s.end) if text[i] == " "]
    if len(starts) < 4:
        return s.start, s.end
    a = rng.randrange(0, len(starts) - 2)
    b = min(len(starts) - 1, a + rng.randint(2, 12))
    start = starts[a]
    end = starts[b] - 1 if b < len(starts) - 1 else s.end
    while end > start and text[end - 1] in " ,—":
        end -= 1
    return start, end


def _span(rng: random.Random, src: SourcePlan, participant: list[int]) -> tuple[int, int]:
    sents = src.sentences
    pool = participant if participant and rng.random() < 0.92 else range(len(sents))
    i = rng.choice(pool)
    s = sents[i]
    r = rng.random()
    if r < 0.70:
        return s.start, s.end
    if r < 0.85:  # two or three sentences of the same turn
        j = i
        for _ in range(rng.randint(1, 2)):
            if j + 1 < len(sents) and sents[j + 1].turn == s.turn:
                j += 1
        return s.start, sents[j].end
    return _phrase(rng, src.text, s)


def _shadow(rng: random.Random, src: SourcePlan, starts: list[int], start: int, end: int) -> tuple[int, int]:
    """The other coder's version of a passage: the same, a sentence more, or less."""
    r = rng.random()
    if r < 0.45:
        return start, end
    sents = src.sentences
    i = bisect.bisect_right(starts, start) - 1
    if i < 0:
        return start, end
    if r < 0.70 and i + 1 < len(sents) and sents[i + 1].turn == sents[i].turn:
        j = bisect.bisect_left(starts, end) - 1
        j = max(j, i)
        if j + 1 < len(sents) and sents[j + 1].turn == sents[i].turn:
            return start, sents[j + 1].end
    if r < 0.85 and sents[i].start == start and sents[i].end < end:
        return start, sents[i].end  # only the first sentence
    return _phrase(rng, src.text, sents[i])


def make_codings(rng: random.Random, sources: list[SourcePlan], codes: list[CodePlan], total: int,
                 busiest_source: int, busiest_code: int) -> list[CodingPlan]:
    n_src, n_codes = len(sources), len(codes)
    if total <= 0 or n_src == 0 or n_codes == 0:
        return []
    code_min, source_min = guarantees(n_src, total)
    src_weights = [rng.uniform(0.5, 1.5) for _ in range(n_src)]
    depth_weight = {1: 0.1, 2: 0.35, 3: 1.0}
    code_weights = [depth_weight[len(c.levels)] / (1 + k) ** 0.6 for k, c in enumerate(codes)]
    per_source = _allocate(rng, total, n_src, source_min, busiest_source, src_weights)
    per_code = _allocate(rng, total, n_codes, code_min, busiest_code, code_weights)
    src_of = [i for i, n in enumerate(per_source) for _ in range(n)]
    code_of = [i for i, n in enumerate(per_code) for _ in range(n)]
    rng.shuffle(code_of)
    coder_of = ["alex" if rng.random() < 0.55 else "sam" for _ in range(total)]
    pairs = sorted(zip(coder_of, src_of, code_of))  # alex ('a') first, so sam can shadow
    participant = [[i for i, s in enumerate(src.sentences) if not s.interviewer] for src in sources]
    starts = [[s.start for s in src.sentences] for src in sources]
    seen: set[tuple[int, int, str, int, int]] = set()
    alex_by: dict[tuple[int, int], list[tuple[int, int]]] = {}
    out: list[CodingPlan] = []
    for coder, si, ci in pairs:
        src = sources[si]
        span = None
        if coder == "sam" and rng.random() < 0.5:
            mine = alex_by.get((si, ci))
            if mine:
                span = _shadow(rng, src, starts[si], *mine.pop(rng.randrange(len(mine))))
        for _ in range(200):
            if span is not None and (si, ci, coder) + span not in seen and span[0] < span[1]:
                break
            span = _span(rng, src, participant[si])
        else:  # pragma: no cover - only for absurdly small texts
            raise RuntimeError(f"source {src.name} is too short for {per_source[si]} codings")
        seen.add((si, ci, coder) + span)
        if coder == "alex":
            alex_by.setdefault((si, ci), []).append(span)
        memo = "Ambiguous: discuss with the other coder." if rng.random() < 0.02 else ""
        out.append(CodingPlan(src.name, codes[ci].levels, coder, span[0], span[1], memo))
    out.sort(key=lambda c: (c.source, c.start, c.end, c.code, c.coder))
    return out


# --------------------------------------------------------------------------- plan
def generate(n_sources: int = 200, chars: int = 50_000, codes: int = 60, codings: int = 20_000,
             seed: int = 1) -> Plan:
    """Everything the project will hold, as plain data (no database)."""
    if n_sources < 1 or chars < 200 or codes < 1 or codings < 0:
        raise ValueError("need at least 1 source of 200 characters and 1 code")
    rng = random.Random(f"qualcoder-lite-bench-{seed}")
    width = max(3, len(str(n_sources)))
    sources: list[SourcePlan] = []
    attributes: dict[str, dict[str, str]] = {}
    for i in range(n_sources):
        pid = f"P{i + 1:0{width}d}"
        wave = rng.choice(("2016", "2021"))
        role = rng.choices(ROLES, weights=(3, 3, 2, 1, 1))[0]
        attributes[pid] = {
            "wave": wave,
            "role": role,
            "board_type": rng.choices(BOARD_TYPES, weights=(3, 3, 2, 1))[0],
            "years_qualified": str(rng.randint(1, 35)),
        }
        srng = random.Random(f"qualcoder-lite-bench-{seed}-source-{i}")
        text, spans = make_text(srng, pid, f"Interview {pid} — {wave} wave, {role}", chars)
        sources.append(SourcePlan(f"{pid}_interview", pid, text, spans))
    code_plans = make_codes(codes)
    leaves = [k for k, c in enumerate(code_plans) if len(c.levels) == max(len(x.levels) for x in code_plans)]
    busiest_code = leaves[0]
    busiest_source = rng.randrange(n_sources)
    coding_plans = make_codings(rng, sources, code_plans, codings, busiest_source, busiest_code)
    columns = [c.levels for c in code_plans if len(c.levels) <= 2]
    summaries = []
    for pid in attributes:
        for col in columns:
            if rng.random() < 0.05:
                summaries.append((pid, col, f"{pid} on {col[-1].lower()}: mixed views; see quotes. Follow up in wave 2."))
    for pid, col in itertools.islice(itertools.product(attributes, columns), max(0, 3 - len(summaries))):
        if not any(x[:2] == (pid, col) for x in summaries):  # small projects get a few too
            summaries.append((pid, col, f"{pid} on {col[-1].lower()}: mixed views; see quotes."))
    memos = [
        ("journal", None, "Familiarisation", "Read all transcripts once; first impressions on data support."),
        ("journal", None, "Coding frame v1", "Built the frame from the 2016 interviews; applied deductively to 2021."),
        ("journal", None, "Coder meeting", "alex and sam compared coding of five transcripts; refined definitions."),
        ("project", None, "Method", "Framework analysis of GP cluster interviews (synthetic benchmark data)."),
    ]
    for pid in list(attributes)[:: max(1, n_sources // 5)]:
        memos.append(("case", pid, f"{pid} notes", f"Interview with {pid} ran long; very candid about workload."))
    params = {"n_sources": n_sources, "chars": chars, "codes": codes, "codings": codings, "seed": seed,
              "generator_version": GENERATOR_VERSION}
    return Plan(params, sources, code_plans, attributes, coding_plans, summaries, memos,
                code_plans[busiest_code].levels, sources[busiest_source].name)


# --------------------------------------------------------------------------- writing
def _populate_command(plan: Plan):
    """A core command adding everything but the sources (run inside the import's Macro)."""
    from qualcoder_lite.core.commands import Command
    from qualcoder_lite.core.services.sources.attributes import AttributeTable, ImportAttributes
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import add_coding
    from qualcoder_lite.core.services.coding.memos import AddMemo
    from qualcoder_lite.core.services.coding.speakers import SetSpeakerRole
    from qualcoder_lite.core.services.matrix.summaries import SetCellSummary

    class Populate(Command):
        name = "Populate the benchmark project"

        def apply(self, project, rec):
            code_ids = {c.levels: AddCode(list(c.levels), description=c.description, color=c.color,
                                          memo=c.memo).apply(project, rec) for c in plan.codes}
            names = ["wave", "role", "board_type", "years_qualified"]
            table = AttributeTable(Path("benchmark-attributes.csv"), names,
                                   {"wave": "number", "role": "text", "board_type": "text", "years_qualified": "number"},
                                   [(case, dict(values)) for case, values in plan.attributes.items()])
            ImportAttributes(table).apply(project, rec)
            SetSpeakerRole("Interviewer", "interviewer").apply(project, rec)
            coder_ids = {c: project.coders.ensure(rec, c) for c in CODERS}
            source_ids = {s.name: s.id for s in project.sources.all()}
            for c in plan.codings:
                add_coding(project, rec, source_ids[c.source], code_ids[c.code], c.start, c.end, coder_ids[c.coder], c.memo)
            case_ids = {c.name: c.id for c in project.cases.all()}
            for case, code, text in plan.summaries:
                SetCellSummary(case_ids[case], code_ids[code], text, coder="alex").apply(project, rec)
            for kind, target, title, body in plan.memos:
                tid = case_ids[target] if kind == "case" else None
                AddMemo(kind, body, title=title, target_id=tid, coder="alex").apply(project, rec)
            return len(plan.codings)

    return Populate()


def write(plan: Plan, path: str | Path, progress=None) -> dict:
    """Write ``plan`` as a new project file at ``path`` (one transaction); returns timings."""
    from qualcoder_lite.core.commands import Macro
    from qualcoder_lite.core.project import new_project
    from qualcoder_lite.core.services.sources.importing import ImportSources

    t0 = time.perf_counter()
    prepared = plan.prepared()
    t1 = time.perf_counter()
    project = new_project(path, coder="alex")
    try:
        project.execute(Macro("Build benchmark project", [ImportSources(prepared), _populate_command(plan)]))
        project.complete_postings()  # as the app does in the background after an import
        t2 = time.perf_counter()
        check(project, plan)
    finally:
        project.close()
    return {"detect_turns_s": t1 - t0, "write_s": t2 - t1}


def check(project, plan: Plan) -> dict:
    """Assert the guarantees on a written project; returns its busiest code/source counts."""
    p = plan.params
    code_min, source_min = guarantees(p["n_sources"], p["codings"])
    n = project.codings.count()
    assert n == p["codings"], f"expected {p['codings']} codings, found {n}"
    by_code = project.conn.execute("SELECT max(c) FROM (SELECT count(*) c FROM codings GROUP BY code_id)").fetchone()[0] or 0
    by_source = project.conn.execute("SELECT max(c) FROM (SELECT count(*) c FROM codings GROUP BY source_id)").fetchone()[0] or 0
    assert by_code >= code_min, f"busiest code has {by_code} codings, promised {code_min}"
    assert by_source >= source_min, f"busiest source has {by_source} codings, promised {source_min}"
    return {"busiest_code_codings": by_code, "busiest_source_codings": by_source}


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(str(path) + suffix)


def build(path: str | Path | None = None, n_sources: int = 200, chars: int = 50_000, codes: int = 60,
          codings: int = 20_000, seed: int = 1, force: bool = False) -> Path:
    """Generate and write the project; returns its path. Written to a temporary name and
    renamed at the end, so an interrupted build never leaves a half project behind."""
    path = Path(path) if path is not None else default_path(n_sources, chars, codes, codings, seed)
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists (use --force to replace it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    _remove(tmp)
    plan = generate(n_sources, chars, codes, codings, seed)
    try:
        write(plan, tmp)
    except BaseException:
        _remove(tmp)
        raise
    _remove(path)
    os.replace(tmp, path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n_sources", nargs="?", type=int, default=DEFAULTS["n_sources"])
    ap.add_argument("chars", nargs="?", type=int, default=DEFAULTS["chars"])
    ap.add_argument("codes", nargs="?", type=int, default=DEFAULTS["codes"])
    ap.add_argument("codings", nargs="?", type=int, default=DEFAULTS["codings"])
    ap.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--force", action="store_true", help="replace an existing output file")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        path = build(a.out, a.n_sources, a.chars, a.codes, a.codings, a.seed, force=a.force)
    except (FileExistsError, ValueError) as exc:
        print(f"make_project: {exc}", file=sys.stderr)
        return 1
    size = path.stat().st_size / 1e6
    print(f"wrote {path} ({a.n_sources} sources x {a.chars:,} chars, {a.codes} codes, {a.codings:,} codings, "
          f"seed {a.seed}; {size:.1f} MB) in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
