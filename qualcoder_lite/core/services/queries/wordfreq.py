"""Word frequency: the most frequent words over all sources, a code's passages or a group of
cases. Words are case-folded runs of letters (an inner apostrophe kept: ``don't``), English
stop words and a user list left out, words shorter than ``min_length`` left out; interviewer
turns are left out unless asked (in a source with speaker turns only the turns are read, so
speaker labels are never counted). Optional light stemming (off by default) groups
``referral``/``referrals``, ``wait``/``waited``/``waiting``… under the group's most frequent form."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..sources.filters import Where

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each even few for from further get got had hadn't has hasn't have haven't having he he'd he'll
he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it
it's its itself just know let's like me more most much mustn't my myself no nor not now of off oh ok
okay on once one only or other ought our ours ourselves out over own really right said same say says
shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them
themselves then there there's these they they'd they'll they're they've think this those though
through to too um uh under until up very was wasn't we we'd we'll we're we've well were weren't what
what's when when's where where's which while who who's whom why why's will with won't would wouldn't
yeah yes you you'd you'll you're you've your yours yourself yourselves
""".split())


@dataclass(frozen=True)
class WordCount:
    word: str
    count: int
    sources: int

    def as_dict(self) -> dict:
        return {"word": self.word, "count": self.count, "sources": self.sources}


def stem(word: str) -> str:
    """A light English suffix stripper (plural, -ing, -ed, 's): enough to group inflections."""
    w = word
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, repl, keep in (("ies", "y", 4), ("sses", "ss", 5), ("ing", "", 6), ("ed", "", 5),
                               ("es", "", 5), ("s", "", 4)):
        if w.endswith(suffix) and len(w) >= keep and not (suffix == "s" and w.endswith(("ss", "us", "is"))):
            w = w[: len(w) - len(suffix)] + repl
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":  # referred -> referr -> refer
        w = w[:-1]
    return w


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _intersect(a, b):
    """Intersection of two sorted, disjoint interval lists."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def read_regions(project, source_id: int, text: str, include_interviewer: bool, roles: dict[str, str]):
    """The parts of a source that are read: its turns (interviewer turns left out unless asked),
    or the whole text when it has no turns."""
    turns = project.sources.turns(source_id)
    if not turns:
        return [(0, len(text))]
    return _merge((t.start, t.end) for t in turns
                  if include_interviewer or roles.get(t.speaker or "") != "interviewer")


def word_frequency(project, top: int | None = 100, code_ids: list[int] | None = None, where: Where | None = None,
                   include_interviewer: bool = False, stop_words: set[str] | None = None,
                   extra_stop_words: list[str] | None = None, stemming: bool = False,
                   min_length: int = 3) -> list[WordCount]:
    """Sorted by count (most first), then word; ``top`` None for every word."""
    stops = set(STOP_WORDS if stop_words is None else stop_words)
    stops |= {w.casefold().replace("’", "'") for w in extra_stop_words or ()}
    allowed = where.source_ids(project) if where else None
    coded: dict[int, list[tuple[int, int]]] | None = None
    if code_ids is not None:
        coded = {}
        if code_ids:
            marks = ",".join("?" for _ in code_ids)
            for sid, s, e in project.conn.execute(
                f'SELECT source_id, start, "end" FROM codings WHERE code_id IN ({marks})', list(code_ids)
            ):
                coded.setdefault(sid, []).append((s, e))
    roles = project.sources.speaker_roles()
    counts: dict[str, int] = {}
    in_sources: dict[str, set[int]] = {}
    forms: dict[str, dict[str, int]] = {}
    for (sid,) in project.conn.execute("SELECT id FROM sources ORDER BY id").fetchall():
        if allowed is not None and sid not in allowed:
            continue
        if coded is not None and sid not in coded:
            continue
        text = project.sources.text(sid)
        regions = read_regions(project, sid, text, include_interviewer, roles)
        if coded is not None:
            regions = _intersect(regions, _merge(coded[sid]))
        for s, e in regions:
            for m in WORD.finditer(text, s, e):
                w = m.group().casefold().replace("’", "'")
                if len(w) < min_length or w in stops:
                    continue
                key = stem(w) if stemming else w
                counts[key] = counts.get(key, 0) + 1
                in_sources.setdefault(key, set()).add(sid)
                if stemming:
                    f = forms.setdefault(key, {})
                    f[w] = f.get(w, 0) + 1
    rows = []
    for key, n in counts.items():
        word = min(forms[key].items(), key=lambda kv: (-kv[1], kv[0]))[0] if stemming else key
        rows.append(WordCount(word, n, len(in_sources[key])))
    rows.sort(key=lambda r: (-r.count, r.word))
    return rows if top is None else rows[:top]
