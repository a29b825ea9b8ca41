"""Suggestions: candidate names to pseudonymise found in the project's texts, each with a
proposed pseudonym (``[P_A]`` for people and places, ``[ORG_1]`` for organisations)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from .pseudonym_key import compile_key, load_key

HONORIFICS = ("Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Prof", "Professor", "Sir", "Dame", "Rev", "Cllr")
ORG_WORDS = {
    "Practice", "Surgery", "Board", "Council", "Trust", "Hospital", "Centre", "Center", "Clinic",
    "Group", "Partnership", "University", "College", "School", "Academy", "Foundation", "Charity",
    "Association", "Society", "Service", "Services", "Agency", "Authority", "Department", "Unit",
    "Ward", "Pharmacy", "Hospice", "Institute", "Ltd", "Limited", "Company", "Cluster", "Network",
    "Team", "Project", "Office", "Church", "Club", "Housing",
}
# words that do not make an organisation name identifying on their own
GENERIC_ORG = ORG_WORDS | {
    "Medical", "Health", "Healthcare", "General", "Primary", "Care", "Community", "Mental", "Social",
    "National", "Royal", "Regional", "Local", "District", "City", "County", "Street", "Road", "The",
    "Family", "Public", "Scottish", "English", "Welsh", "British", "Advice", "Citizens", "Work",
    "Support", "Welfare", "Integrated", "Joint", "Child", "Children", "Adult", "Older", "People",
}
NOT_NAMES = {
    "I", "I'm", "I've", "I'd", "I'll", "OK", "Okay", "Ok", "Yeah", "Yes", "No", "Hmm", "Um", "Er",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Christmas", "Easter", "God", "Mum", "Dad",
    "English", "Scottish", "Welsh", "Irish", "British", "Gaelic", "European", "Polish", "French",
    "German", "Spanish", "Italian", "Chinese", "Indian", "Pakistani", "African", "American", "Asian",
    "Muslim", "Christian", "Catholic", "Protestant", "Jewish", "Hindu", "Sikh", "Internet", "Zoom", "Teams",
}
GENERIC_SPEAKERS = {
    "interviewer", "interviewee", "participant", "respondent", "moderator", "facilitator",
    "researcher", "speaker", "unknown", "unidentified", "all", "both", "group", "everyone",
    "q", "a", "i", "r", "p", "int", "resp", "man", "woman", "male", "female",
}
_ID_LIKE = re.compile(r"^[A-Za-z]{0,6}[ _-]?\d+[A-Za-z]?$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# capitalised words separated by one space; honorifics may carry a full stop
_CAP = r"[^\W\d_a-z][\w'’-]*\.?"
_SEQ = re.compile(rf"(?<![\w'’-]){_CAP}(?:[ \t](?:of[ \t])?{_CAP})*")
_NHS = re.compile(r"(?<!\w)NHS[ \t][A-Z][^\W\d_]+(?:[ \t][A-Z][^\W\d_]+)?(?![\w])")
_SENTENCE_END = set(".!?…:;\"“”‘'([{—–-•*#>")


@dataclass
class Suggestion:
    real: str
    pseudonym: str
    kind: str  # 'key' (in the key, still occurs) | 'speaker' | 'person' | 'organisation' | 'name'
    count: int
    sources: int

    def as_dict(self) -> dict:
        return {"real": self.real, "pseudonym": self.pseudonym, "kind": self.kind,
                "count": self.count, "sources": self.sources}


def _is_cap_word(w: str) -> bool:
    """Title-case word: upper-case first letter, lower-case second (``O'Neill`` allowed);
    rejects acronyms (GP, NHS, GPs)."""
    w = w.rstrip(".")
    if len(w) < 2 or not w[0].isupper() or w[1].isupper():
        return False
    return any(ch.islower() for ch in w[1:])


def _mid_sentence(text: str, i: int) -> bool:
    """True when ``text[i]`` follows other words of the same sentence on its line."""
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j < 0 or text[j] == "\n":
        return False
    return text[j] not in _SENTENCE_END


def _texts_for_suggestions(project) -> list[tuple[int | None, str]]:
    conn = project.conn
    out: list[tuple[int | None, str]] = [(r[0], r[1]) for r in conn.execute("SELECT id, text FROM sources ORDER BY id")]
    for sql in ("SELECT body FROM memos", "SELECT title FROM memos", "SELECT summary FROM matrix_cells",
                "SELECT memo FROM codings WHERE memo != ''", "SELECT memo FROM sources WHERE memo != ''",
                "SELECT memo FROM cases WHERE memo != ''"):
        out.extend((None, r[0]) for r in conn.execute(sql) if r[0])
    return out


def _labels(prefix: str, used: set[str], numeric: bool):
    n = 0
    while True:
        n += 1
        if numeric:
            tag = str(n)
        else:
            tag, k = "", n
            while k:
                k, rem = divmod(k - 1, 26)
                tag = chr(65 + rem) + tag
        label = f"[{prefix}_{tag}]"
        if label not in used:
            yield label


def suggest(project, limit: int | None = None) -> list[Suggestion]:
    """Candidate names to pseudonymise, most frequent first: names from the key that still
    occur (kind ``key``), speaker labels that are not roles or ids, honorific names (``Dr
    Fraser``), organisations (title-case words ending in Practice, Surgery, Board ...; ``NHS
    Lothian``; ``University of X``), and other title-case names that never occur in lower
    case and occur at least once inside a sentence. Each has a proposed pseudonym:
    ``[P_A]``... for people and places, ``[ORG_1]``... for organisations; variants of one
    person (``Dr Fraser``, ``Dr. Fraser``, ``Fraser``) share one."""
    texts = _texts_for_suggestions(project)
    stored = load_key(project)
    stored_map = {e.real: e.pseudonym for e in stored}
    used = {e.pseudonym for e in stored}
    found = _find_candidates(texts, used)
    out: list[Suggestion] = []
    taken: set[str] = set(stored_map)
    # names of the key that still occur (new sources, or a key given before they were imported)
    out.extend(_key_names_still_there(texts, stored_map))
    # speaker labels that are names
    out.extend(_speaker_suggestions(project, taken, found))
    for real, n in found.counts.items():
        kind = found.kinds[real]
        if real in taken or (kind == "name" and real not in found.mid):
            continue
        out.append(Suggestion(real, "", kind, n, len(found.where[real] - {None})))
        taken.add(real)
    order = {"key": 0, "speaker": 1, "person": 1, "organisation": 1, "name": 2}
    out.sort(key=lambda s: (order[s.kind], -s.count, s.real))
    _propose(out, used)
    return out if limit is None else out[:limit]


def _find_candidates(texts: list[tuple[int | None, str]], used: set[str]) -> "_Found":
    """Scan every text for honorific names, organisations and names; adds the pseudonyms
    already written in the texts to ``used``."""
    lower: set[str] = set()
    mid_caps: set[str] = set()  # title-case words seen inside a sentence somewhere
    for _sid, t in texts:
        used.update(_PSEUDONYM_LIKE.findall(t))
        for m in _WORD.finditer(t):
            w = m.group()
            if w[0].islower():
                lower.add(w)
            elif _is_cap_word(w) and _mid_sentence(t, m.start()):
                mid_caps.add(_bare(w))

    def common(w: str) -> bool:
        w = _bare(w)
        return w in NOT_NAMES or (w[:1].lower() + w[1:]) in lower

    def opener(w: str) -> bool:
        """A capitalised word only ever seen opening a sentence ("Later", "Anecdotally")."""
        return _bare(w) not in mid_caps

    found = _Found()
    for sid, t in texts:
        for m in _NHS.finditer(t):
            found.add(m.group(), "organisation", sid, True)
        for m in _SEQ.finditer(t):
            _scan_sequence(t, re.split(r"[ \t]+", m.group()), m.start(), sid, common, opener, found)
    return found


def _key_names_still_there(texts: list[tuple[int | None, str]], stored_map: dict[str, str]) -> list[Suggestion]:
    key_pattern = compile_key(stored_map)
    if key_pattern is None:
        return []
    still: Counter = Counter()
    still_where: dict[str, set] = defaultdict(set)
    for sid, t in texts:
        for m in key_pattern.finditer(t):
            still[m.group()] += 1
            still_where[m.group()].add(sid)
    return [Suggestion(real, stored_map[real], "key", n, len(still_where[real] - {None}))
            for real, n in still.items()]


def _speaker_suggestions(project, taken: set[str], found: "_Found") -> list[Suggestion]:
    """Speaker labels that are names (not roles, ids or case names); adds them to ``taken``."""
    out: list[Suggestion] = []
    case_names = {r[0] for r in project.conn.execute("SELECT name FROM cases")}
    for speaker, n, n_sources in project.conn.execute(
            "SELECT speaker, count(*), count(DISTINCT source_id) FROM speaker_turns WHERE speaker IS NOT NULL "
            "GROUP BY speaker ORDER BY speaker"):
        s = speaker.strip()
        base = re.sub(r"[\s_-]*\d+$", "", s).casefold()
        if (not s or s in taken or s in case_names or base in GENERIC_SPEAKERS or _ID_LIKE.match(s)
                or not any(ch.isalpha() for ch in s) or s.startswith("[")):
            continue
        out.append(Suggestion(s, "", "speaker", max(n, found.counts.get(s, 0)), n_sources))
        taken.add(s)
    return out


_PSEUDONYM_LIKE = re.compile(r"\[(?:P|ORG)_[A-Z0-9]+\]")


class _Found:
    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.where: dict[str, set] = defaultdict(set)
        self.mid: set[str] = set()
        self.kinds: dict[str, str] = {}

    def add(self, real: str, kind: str, sid, is_mid: bool) -> None:
        self.counts[real] += 1
        self.where[real].add(sid)
        if is_mid:
            self.mid.add(real)
        if self.kinds.get(real, "name") == "name":  # person and organisation win over name
            self.kinds[real] = kind


def _scan_sequence(t: str, words: list[str], start: int, sid, common, opener, found: _Found) -> None:
    """Find honorific names, organisations and names in one run of capitalised words
    (``words``, found at ``t[start:]``). A word ending in a full stop (other than an
    honorific) ends a name: it ends a sentence."""
    seq = _Sequence(t, words, start, sid, common, opener, found)
    k = 0
    while k < seq.n:
        w = words[k]
        if w == "of" or (not _is_cap_word(w) and seq.bare(k) not in HONORIFICS):
            k += 1
            continue
        nxt = seq.honorific_name(k)
        if nxt is None:
            nxt = seq.org_of(k)
        if nxt is None:
            nxt = seq.org_run(k)
        if nxt is None:
            nxt = seq.plain_name(k)
        k = nxt


class _Sequence:
    """One run of capitalised words being scanned by ``_scan_sequence``; each ``*name``/``org*``
    method tries one pattern at word ``k`` and returns the next word to look at, or None."""

    def __init__(self, t: str, words: list[str], start: int, sid, common, opener, found: _Found):
        self.t, self.words, self.sid, self.found = t, words, sid, found
        self.common, self.opener = common, opener
        offs = []
        i = start
        for w in words:
            i = t.index(w, i)
            offs.append(i)
            i += len(w)
        self.offs = offs
        self.n = len(words)

    def bare(self, j: int) -> str:
        return _bare(self.words[j])

    def stops(self, j: int) -> bool:  # the word ends a sentence
        return self.words[j].endswith(".") and self.bare(j) not in HONORIFICS

    def span(self, a: int, b: int) -> str:
        return self.t[self.offs[a]:self.offs[b] + len(self.bare(b))]

    def honorific_name(self, k: int) -> int | None:
        """Dr Fraser, Mrs Anne McLeod"""
        words, n, bare, stops, common = self.words, self.n, self.bare, self.stops, self.common
        if not (bare(k) in HONORIFICS and k + 1 < n and _is_cap_word(words[k + 1])):
            return None
        j = k + 1
        while (j + 1 < n and j - k < 3 and not stops(j) and _is_cap_word(words[j + 1])
               and not common(words[j + 1]) and bare(j + 1) not in ORG_WORDS):
            j += 1
        self.found.add(self.span(k, j), "person", self.sid, True)
        return j + 1

    def org_of(self, k: int) -> int | None:
        """University of Glasgow, Council of Elders"""
        words, n, bare, stops = self.words, self.n, self.bare, self.stops
        if not (bare(k) in ORG_WORDS and k + 2 < n and words[k + 1] == "of" and not stops(k)
                and _is_cap_word(words[k + 2]) and bare(k + 2) not in GENERIC_ORG):
            return None
        j = k + 2
        while j + 1 < n and not stops(j) and _is_cap_word(words[j + 1]) and bare(j + 1) not in GENERIC_ORG:
            j += 1
        self.found.add(self.span(k, j), "organisation", self.sid, True)
        return j + 1

    def org_run(self, k: int) -> int | None:
        """Glenmorie Health Centre: the run up to an organisation word, with one word that is
        not generic in it"""
        words, n, bare, stops, common = self.words, self.n, self.bare, self.stops, self.common
        end_org = None
        for j in range(k + 1, n if not stops(k) else k + 1):
            if words[j] != "of" and not _is_cap_word(words[j]):
                break
            if bare(j) in ORG_WORDS:
                end_org = j
            if stops(j):
                break
        if end_org is None:
            return None
        a = k
        while a < end_org and (bare(a) in ("The", "A", "An") or (common(words[a]) and bare(a) not in GENERIC_ORG)):
            a += 1
        run = [bare(x) for x in range(a, end_org + 1) if words[x] != "of"]
        if len(run) >= 2 and any(x not in GENERIC_ORG for x in run) and words[a] != "of":
            self.found.add(self.span(a, end_org), "organisation", self.sid, True)
            return end_org + 1
        return None

    def plain_name(self, k: int) -> int:
        """Siobhán, Carrick Street: consecutive title-case words never seen in lower case"""
        words, n, bare, stops, common = self.words, self.n, self.bare, self.stops, self.common
        w = words[k]
        if common(w) or bare(k) in ORG_WORDS or bare(k) in HONORIFICS:
            return k + 1
        j = k
        while (j + 1 < n and not stops(j) and _is_cap_word(words[j + 1]) and not common(words[j + 1])
               and bare(j + 1) not in HONORIFICS):
            j += 1
        if j > k and self.opener(w) and not _mid_sentence(self.t, self.offs[k]):
            return k + 1  # "Later Fraser phoned": the sentence's first word is not part of the name
        self.found.add(self.span(k, j), "name", self.sid, _mid_sentence(self.t, self.offs[k]))
        return j + 1


_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def _bare(word: str) -> str:
    """A word without a sentence's full stop or a possessive ("Callum's" -> "Callum")."""
    return _POSSESSIVE.sub("", word.rstrip("."))


def _name_words(real: str) -> tuple[str, ...]:
    return tuple(w.rstrip(".") for w in real.split() if w.rstrip(".") not in HONORIFICS)


def _propose(out: list[Suggestion], used: set[str]) -> None:
    """Fill in pseudonyms: one per organisation; one per person, shared by variants with the
    same name words (``Dr Fraser``, ``Fraser``) and by a single name word that belongs to
    only one longer name (``Siobhán`` and ``Siobhán Kelly``)."""
    people = _labels("P", used, numeric=False)
    orgs = _labels("ORG", used, numeric=True)
    person_kinds = ("key", "speaker", "person", "name")
    by_words: dict[tuple[str, ...], str] = {}
    for s in out:
        if s.pseudonym and s.kind in person_kinds:
            by_words.setdefault(_name_words(s.real), s.pseudonym)
    singles = []
    for s in out:
        if s.pseudonym:
            continue
        if s.kind == "organisation":
            s.pseudonym = next(orgs)
            continue
        words = _name_words(s.real)
        if len(words) == 1 and words == tuple(s.real.split()):
            singles.append(s)
            continue
        if words not in by_words:
            by_words[words] = next(people)
        s.pseudonym = by_words[words]
    for s in singles:
        words = _name_words(s.real)
        if words not in by_words:
            owners = {p for ws, p in by_words.items() if len(ws) > 1 and words[0] in ws}
            by_words[words] = owners.pop() if len(owners) == 1 else next(people)
        s.pseudonym = by_words[words]

