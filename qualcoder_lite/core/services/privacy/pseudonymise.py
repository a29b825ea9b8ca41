"""Pseudonymisation: replace real names by pseudonyms across the whole project.

The **key table** (real name -> pseudonym, e.g. ``"Dr Smith" -> "[GP_A]"``) lives in the project
settings under ``pseudonym_key`` until the principal investigator exports it (``export_key``)
and removes it for good (``remove_key``, irreversible: secure delete, VACUUM, backups purged).

``Pseudonymise(mapping)`` is one undoable command. It merges ``mapping`` into the key and
applies the whole key to:

* every source's text, shifting every coding and speaker turn (see below);
* source names, memos and original paths; case names and memos; speaker labels and speaker
  roles; text attribute values and attribute names; code names, descriptions and memos;
  coding memos and edited quotes; memos (title and body); matrix summaries and their linked
  phrases; annotations; set names and memos; string values inside other project settings.
  Annotations, see-also links and summary links move with the text like codings.

Coder names (the researchers) and each source's ``text_hash`` (the SHA-256 of the text as
imported, used to recognise re-imports and colleagues' copies) are left as they are.

**Matching** is whole-word and case-sensitive; the longest key wins and matches never overlap:
one regular expression alternation of the escaped keys, sorted longest first. A "word"
character, for the boundary test, is anything ``\\w`` matches plus combining marks and the
zero-width (non-)joiners, so ``Jose`` does not match inside ``José`` written with a
combining accent.

**Offsets** are code points. A position outside every replaced name moves by how much the
names before it grew or shrank. A position strictly inside a replaced name snaps outwards:
a start to the start of the pseudonym, an end to its end. So a coding that began or ended
inside a name now covers the whole pseudonym, and a coding that lay entirely inside one
name covers exactly its pseudonym; a coding never becomes empty. Two codings of the same
code by the same coder that become identical are merged (their memos joined), because the
schema allows only one. Speaker turns map the same way (label and body starts snap left,
ends right, kept in order). Codings that would take the current place of another moving
coding are first parked beyond any real offset, so the unique index never trips mid-way.
Every write goes through the ``Recorder``, so undo restores every row byte for byte (the
full-text index follows through the ``sources`` triggers).

Applying always applies the whole stored key, so sources imported later are caught by
applying again (``suggest`` lists stored names that still occur, kind ``key``).
"""

from __future__ import annotations

import bisect
import csv
import functools
import glob
import importlib
import importlib.util
import json
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ...commands import Command
from ...errors import InputError, ProjectError, QualCoderError, UsageError
from ...store.database import now_iso
from ...store.recorder import Recorder
from ..anchors.spans import shift_anchors
from ..sources.importing import count_words
from ..search.search import build_word_index

KEY_SETTING = "pseudonym_key"
REMOVED_SETTING = "pseudonym_key_removed"
_OWN_SETTINGS = (KEY_SETTING, REMOVED_SETTING)


class KeyTableError(QualCoderError):
    """The key table is malformed: empty or duplicate names, a pseudonym that is (or
    contains) a real name ... ``problems`` lists every one, each naming its row."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# ----------------------------------------------------------------------------- matching
@functools.lru_cache(maxsize=1)
def _word_class() -> str:
    """Body of a regex character class: ``\\w`` plus every combining mark (categories Mn,
    Mc, Me) and ZWNJ/ZWJ. Marks above U+1FFFF exist only in U+E0100..U+E01EF."""
    spans: list[tuple[int, int]] = []
    start = None
    for cp in list(range(0x300, 0x20000)) + list(range(0xE0100, 0xE01F0)) + [0x110000]:
        is_mark = cp < 0x110000 and unicodedata.category(chr(cp))[0] == "M"
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            spans.append((start, prev))
            start = None
        prev = cp
    parts = [r"\w", "\u200c\u200d"]
    for a, b in spans:
        parts.append(chr(a) if a == b else f"{chr(a)}-{chr(b)}")
    return "".join(parts)


def compile_key(keys: Iterable[str]) -> re.Pattern | None:
    """One alternation of the escaped keys, longest first, whole words only; None when empty."""
    keys = sorted(set(keys), key=lambda k: (-len(k), k))
    if not keys:
        return None
    cls = _word_class()
    alternation = "|".join(re.escape(k) for k in keys)
    return re.compile(f"(?<![{cls}])(?:{alternation})(?![{cls}])")


class OffsetMap:
    """Maps code-point offsets of a text to offsets in its pseudonymised form.

    ``spans`` are the replaced names as (old_start, old_end, new_length), sorted and disjoint.
    ``start(p)`` and ``end(p)`` agree outside the names; inside one, ``start`` snaps to the
    pseudonym's start and ``end`` to its end."""

    def __init__(self, spans: list[tuple[int, int, int]]):
        self.old_starts = [a for a, _, _ in spans]
        self.old_ends = [b for _, b, _ in spans]
        self.new_starts: list[int] = []
        self.new_ends: list[int] = []
        self.shift_after: list[int] = []
        shift = 0
        for a, b, n in spans:
            self.new_starts.append(a + shift)
            self.new_ends.append(a + shift + n)
            shift += n - (b - a)
            self.shift_after.append(shift)

    def __bool__(self) -> bool:
        return bool(self.old_starts)

    def _map(self, p: int, snap_end: bool) -> int:
        i = bisect.bisect_right(self.old_starts, p) - 1
        if i < 0:
            return p
        if p == self.old_starts[i]:
            return self.new_starts[i]
        if p < self.old_ends[i]:  # strictly inside a replaced name: snap outwards
            return self.new_ends[i] if snap_end else self.new_starts[i]
        return p + self.shift_after[i]

    def start(self, p: int) -> int:
        return self._map(p, snap_end=False)

    def end(self, p: int) -> int:
        return self._map(p, snap_end=True)


def replace_text(text: str, pattern: re.Pattern | None, mapping: dict[str, str],
                 counts: Counter | None = None) -> tuple[str, OffsetMap]:
    """``text`` with every key replaced, and the map of its offsets."""
    if pattern is None:
        return text, OffsetMap([])
    pieces: list[str] = []
    spans: list[tuple[int, int, int]] = []
    last = 0
    for m in pattern.finditer(text):
        rep = mapping[m.group()]
        pieces.append(text[last:m.start()])
        pieces.append(rep)
        spans.append((m.start(), m.end(), len(rep)))
        last = m.end()
        if counts is not None:
            counts[m.group()] += 1
    if not spans:
        return text, OffsetMap([])
    pieces.append(text[last:])
    return "".join(pieces), OffsetMap(spans)


# ----------------------------------------------------------------------------- the key table
@dataclass(frozen=True)
class KeyEntry:
    real: str
    pseudonym: str

    def as_dict(self) -> dict:
        return {"real": self.real, "pseudonym": self.pseudonym}


def load_key(project) -> list[KeyEntry]:
    """The project's key table (empty when none, or after it was removed)."""
    raw = project.settings.get(KEY_SETTING, []) or []
    return [KeyEntry(e["real"], e["pseudonym"]) for e in raw]


def key_removed(project) -> dict | None:
    """When the key was removed (``{"removed": iso, "entries": n}``), else None."""
    return project.settings.get(REMOVED_SETTING)


def check_mapping(rows: Iterable[tuple[str, str, str]], stored: Iterable[KeyEntry] = ()) -> dict[str, str]:
    """Validate ``(label, real, pseudonym)`` rows (``label`` names the row in messages, e.g.
    ``"row 3"``) against each other and the stored key; returns the new entries, stripped.

    Refused: an empty real name or pseudonym; a real name without letters, or with a line
    break; a real name given twice; a real name already in the key with another pseudonym;
    a pseudonym equal to, or containing as a whole word, any real name (it would bring the
    name back or make the result depend on the order)."""
    problems: list[str] = []
    stored_map = {e.real: e.pseudonym for e in stored}
    new: dict[str, str] = {}
    where: dict[str, str] = {}
    for label, real, pseudonym in rows:
        real, pseudonym = (real or "").strip(), (pseudonym or "").strip()
        if not real:
            problems.append(f"{label}: the real name is empty")
            continue
        if not pseudonym:
            problems.append(f"{label}: the pseudonym for {real!r} is empty")
            continue
        if any(c in real or c in pseudonym for c in "\r\n\u2028\u2029"):
            problems.append(f"{label}: {real!r} contains a line break (one line per name)")
            continue
        if not any(ch.isalpha() for ch in real):
            problems.append(f"{label}: {real!r} has no letters; only names can be replaced")
            continue
        if real == pseudonym:
            problems.append(f"{label}: the pseudonym for {real!r} is the name itself")
            continue
        if real in where:
            problems.append(f"{label}: {real!r} repeats {where[real]}")
            continue
        if real in stored_map and stored_map[real] != pseudonym:
            problems.append(f"{label}: {real!r} is already in the key as {stored_map[real]!r}")
            continue
        where[real] = label
        new[real] = pseudonym
    union = dict(stored_map)
    union.update(new)
    pattern = compile_key(union)
    if pattern is not None:
        for real, pseudonym in new.items():
            hit = pattern.search(pseudonym)
            if hit is None:
                continue
            other = where.get(hit.group(), "the stored key")
            if hit.group() == pseudonym:
                problems.append(f"{where[real]}: the pseudonym {pseudonym!r} is also a real name ({other})")
            else:
                problems.append(f"{where[real]}: the pseudonym {pseudonym!r} contains the real name "
                                f"{hit.group()!r} ({other})")
        for real, pseudonym in stored_map.items():  # a new name found inside an old pseudonym
            hit = pattern.search(pseudonym)
            if hit is not None and hit.group() in new:
                problems.append(f"{where[hit.group()]}: {hit.group()!r} occurs in the pseudonym "
                                f"{pseudonym!r} already in the key")
    if problems:
        raise KeyTableError(problems)
    return new


def read_key_csv(path: str | Path) -> list[tuple[str, str, str]]:
    """Rows ``(label, real, pseudonym)`` of a key CSV (``real,pseudonym``; a header row with
    those words is skipped; UTF-8 with or without BOM). Raises InputError naming the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a CSV file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text; save the key as 'CSV UTF-8'") from None
    rows: list[tuple[str, str, str]] = []
    problems: list[str] = []
    reader = csv.reader(text.splitlines(keepends=True))
    first = True
    try:
        for cells in reader:
            line = reader.line_num
            while cells and not cells[-1].strip():
                cells = cells[:-1]
            if not cells:
                continue
            if first:
                first = False
                if [c.strip().casefold() for c in cells] in (["real", "pseudonym"], ["real name", "pseudonym"]):
                    continue
            if len(cells) != 2:
                hint = " (separate them with a comma)" if len(cells) == 1 and ";" in cells[0] else ""
                problems.append(f"row {line}: expected 2 columns (real,pseudonym), found {len(cells)}{hint}")
                continue
            from ...formats.cells import unguard

            rows.append((f"row {line}", unguard(cells[0]), unguard(cells[1])))
    except csv.Error as exc:
        raise InputError(path, f"row {reader.line_num}: not valid CSV ({exc})") from None
    if problems:
        raise InputError(path, "; ".join(problems))
    if not rows:
        raise InputError(path, "has no names (expected rows of real,pseudonym)")
    return rows


def export_key(project, path) -> int:
    """Write the key table as CSV (``real,pseudonym``, UTF-8 with BOM so spreadsheet programs
    read accents) for the PI to keep apart from the project. Returns the number of names;
    writes nothing and raises when there is no key."""
    entries = load_key(project)
    if not entries:
        removed = key_removed(project)
        why = " (it was removed)" if removed else ""
        raise QualCoderError(f"nothing to export: this project has no pseudonym key{why}; no file written")
    from ... import outfile

    write_key_csv([(e.real, e.pseudonym) for e in entries], outfile.for_project(path, project))
    return len(entries)


def write_key_csv(pairs: list[tuple[str, str]], target) -> Path:
    """A key table ``real,pseudonym`` (UTF-8 with BOM) through the one output guard;
    cells that a spreadsheet would read as formulas get the ``'`` guard, which
    ``read_key_csv`` takes off again."""
    from ... import outfile
    from ...formats.cells import csv_row

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["real", "pseudonym"])
            w.writerows(csv_row(p) for p in pairs)

    return outfile.write_file(target, write)


# ----------------------------------------------------------------------------- suggestions
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
    lower: set[str] = set()
    used = {e.pseudonym for e in stored}
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

    out: list[Suggestion] = []
    taken: set[str] = set(stored_map)
    # names of the key that still occur (new sources, or a key given before they were imported)
    key_pattern = compile_key(stored_map)
    if key_pattern is not None:
        still: Counter = Counter()
        still_where: dict[str, set] = defaultdict(set)
        for sid, t in texts:
            for m in key_pattern.finditer(t):
                still[m.group()] += 1
                still_where[m.group()].add(sid)
        for real, n in still.items():
            out.append(Suggestion(real, stored_map[real], "key", n, len(still_where[real] - {None})))
    # speaker labels that are names
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
    offs = []
    i = start
    for w in words:
        i = t.index(w, i)
        offs.append(i)
        i += len(w)
    n = len(words)

    def bare(j: int) -> str:
        return _bare(words[j])

    def stops(j: int) -> bool:  # the word ends a sentence
        return words[j].endswith(".") and bare(j) not in HONORIFICS

    def span(a: int, b: int) -> str:
        return t[offs[a]:offs[b] + len(bare(b))]

    k = 0
    while k < n:
        w = words[k]
        if w == "of" or (not _is_cap_word(w) and bare(k) not in HONORIFICS):
            k += 1
            continue
        # Dr Fraser, Mrs Anne McLeod
        if bare(k) in HONORIFICS and k + 1 < n and _is_cap_word(words[k + 1]):
            j = k + 1
            while (j + 1 < n and j - k < 3 and not stops(j) and _is_cap_word(words[j + 1])
                   and not common(words[j + 1]) and bare(j + 1) not in ORG_WORDS):
                j += 1
            found.add(span(k, j), "person", sid, True)
            k = j + 1
            continue
        # University of Glasgow, Council of Elders
        if bare(k) in ORG_WORDS and k + 2 < n and words[k + 1] == "of" and not stops(k) \
                and _is_cap_word(words[k + 2]) and bare(k + 2) not in GENERIC_ORG:
            j = k + 2
            while j + 1 < n and not stops(j) and _is_cap_word(words[j + 1]) and bare(j + 1) not in GENERIC_ORG:
                j += 1
            found.add(span(k, j), "organisation", sid, True)
            k = j + 1
            continue
        # Glenmorie Health Centre: the run up to an organisation word, with one word that is
        # not generic in it
        end_org = None
        for j in range(k + 1, n if not stops(k) else k + 1):
            if words[j] != "of" and not _is_cap_word(words[j]):
                break
            if bare(j) in ORG_WORDS:
                end_org = j
            if stops(j):
                break
        if end_org is not None:
            a = k
            while a < end_org and (bare(a) in ("The", "A", "An") or (common(words[a]) and bare(a) not in GENERIC_ORG)):
                a += 1
            run = [bare(x) for x in range(a, end_org + 1) if words[x] != "of"]
            if len(run) >= 2 and any(x not in GENERIC_ORG for x in run) and words[a] != "of":
                found.add(span(a, end_org), "organisation", sid, True)
                k = end_org + 1
                continue
        # Siobhán, Carrick Street: consecutive title-case words never seen in lower case
        if common(w) or bare(k) in ORG_WORDS or bare(k) in HONORIFICS:
            k += 1
            continue
        j = k
        while (j + 1 < n and not stops(j) and _is_cap_word(words[j + 1]) and not common(words[j + 1])
               and bare(j + 1) not in HONORIFICS):
            j += 1
        if j > k and opener(w) and not _mid_sentence(t, offs[k]):
            k += 1  # "Later Fraser phoned": the sentence's first word is not part of the name
            continue
        found.add(span(k, j), "name", sid, _mid_sentence(t, offs[k]))
        k = j + 1


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


# ----------------------------------------------------------------------------- applying
# Text columns replaced in place: (table, columns, unique key columns or None)
FIELDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    ("sources", ("name", "memo", "original_path"), ("name",)),
    ("speaker_turns", ("speaker",), None),
    ("cases", ("name", "memo"), ("name",)),
    ("attributes", ("name",), ("name", "applies_to")),
    ("attribute_values", ("value",), None),
    ("codes", ("name", "description", "memo"), ("parent_id", "name")),
    ("codings", ("memo", "quote_edit"), None),
    ("memos", ("title", "body"), None),
    ("matrix_cells", ("summary",), None),
    ("annotations", ("text",), None),
    ("summary_links", ("phrase",), ("cell_id", "phrase")),
    ("sets", ("name", "memo"), ("kind", "name")),
    ("speaker_roles", ("speaker",), ("speaker",)),
)
_LABEL = {"sources": "source names", "cases": "case names", "attributes": "attribute names",
          "codes": "code names", "sets": "set names", "speaker_roles": "speakers",
          "summary_links": "linked phrases of one matrix summary"}
_TEMP_SHIFT = 1 << 40  # parks codings beyond any real offset while they move


@dataclass
class PseudonymiseResult:
    replacements: dict[str, int] = field(default_factory=dict)  # real name -> occurrences in texts
    sources_changed: int = 0
    codings_moved: int = 0
    codings_merged: int = 0
    turns_moved: int = 0
    fields_changed: dict[str, int] = field(default_factory=dict)  # table -> rows changed
    names_added: int = 0
    key_size: int = 0
    new_names: list[str] = field(default_factory=list)  # names this step added to the key

    @property
    def unused(self) -> list[str]:
        """New names that occur in no source text (typos? other spellings?)."""
        return sorted(n for n in self.new_names if not self.replacements.get(n))

    @property
    def occurrences(self) -> int:
        return sum(self.replacements.values())

    def as_dict(self) -> dict:
        return {
            "names_added": self.names_added, "key_size": self.key_size,
            "occurrences": self.occurrences, "not_found": self.unused,
            "replacements": dict(sorted(self.replacements.items())),
            "sources_changed": self.sources_changed, "codings_moved": self.codings_moved,
            "codings_merged": self.codings_merged, "turns_moved": self.turns_moved,
            "fields_changed": dict(sorted(self.fields_changed.items())),
        }

    def summary(self) -> str:
        s = "" if self.sources_changed == 1 else "s"
        line = (f"replaced {self.occurrences:,} occurrence{'' if self.occurrences == 1 else 's'} of "
                f"{sum(1 for v in self.replacements.values() if v)} name(s) in {self.sources_changed} source{s}; "
                f"{self.codings_moved:,} codings and {self.turns_moved:,} speaker turns shifted")
        if self.codings_merged:
            line += f"; {self.codings_merged} codings merged (they became identical)"
        other = sum(self.fields_changed.values())
        if other:
            line += f"; {other} names, labels, memos or values changed"
        return line + f"; key: {self.key_size} name{'' if self.key_size == 1 else 's'}"


class Pseudonymise(Command):
    """Add ``mapping`` (real name -> pseudonym, or ``(label, real, pseudonym)`` rows) to the
    key and apply the whole key to the project, as one undoable step."""

    def __init__(self, mapping: dict[str, str] | Iterable[tuple[str, str, str]]):
        super().__init__()
        if isinstance(mapping, dict):
            self.rows = [(f"name {real!r}", real, pseudo) for real, pseudo in mapping.items()]
        else:
            self.rows = [tuple(r) for r in mapping]
        self.name = "Pseudonymise" if len(self.rows) != 1 else f"Pseudonymise {self.rows[0][1]}"

    def apply(self, project, rec: Recorder) -> PseudonymiseResult:
        stored = load_key(project)
        new = check_mapping(self.rows, stored)
        if not new and not stored:
            raise UsageError("no names to pseudonymise: the key table is empty")
        entries = stored + [KeyEntry(r, p) for r, p in new.items() if r not in {e.real for e in stored}]
        mapping = {e.real: e.pseudonym for e in entries}
        pattern = compile_key(mapping)
        added = [e.real for e in entries[len(stored):]]
        result = PseudonymiseResult(replacements={k: 0 for k in mapping}, key_size=len(entries),
                                    names_added=len(added), new_names=added)
        self.name = f"Pseudonymise {len(mapping)} name{'' if len(mapping) == 1 else 's'}"
        _Applier(project, rec, pattern, mapping, result).run()
        project.settings.set(rec, KEY_SETTING, [e.as_dict() for e in entries])
        return result


class _Applier:
    def __init__(self, project, rec: Recorder, pattern: re.Pattern, mapping: dict[str, str],
                 result: PseudonymiseResult):
        self.p, self.conn, self.rec = project, project.conn, rec
        self.pattern, self.mapping, self.result = pattern, mapping, result
        self.counts: Counter = Counter()

    def run(self) -> None:
        self.fields()
        self.settings()
        self.texts()
        for real, n in self.counts.items():
            self.result.replacements[real] = n

    def replace(self, value: str, where: str, counts: Counter | None = None) -> tuple[str, OffsetMap]:
        new, omap = replace_text(value, self.pattern, self.mapping, counts)
        if omap:
            left = self.pattern.search(new)
            if left is not None:
                raise KeyTableError([f"after replacing, {where} still contains {left.group()!r}: a pseudonym "
                                     "next to another builds a real name; change the pseudonyms"])
        return new, omap

    def sub(self, value: str | None, where: str) -> str | None:
        return value if not value else self.replace(value, where)[0]

    # -- names, labels, memos, values -----------------------------------------------
    def fields(self) -> None:
        text_attrs = {r[0] for r in self.conn.execute("SELECT id FROM attributes WHERE type = 'text'")}
        for table, cols, unique in FIELDS:
            extra = tuple(c for c in (unique or ()) if c not in cols)
            select = ", ".join(f'"{c}"' for c in ("id",) + cols + extra + (
                ("attribute_id",) if table == "attribute_values" else ()))
            rows = self.conn.execute(f'SELECT {select} FROM "{table}" ORDER BY id').fetchall()
            finals: dict[tuple, int] = {}
            changes: list[tuple[int, dict]] = []
            for r in rows:
                if table == "attribute_values" and r["attribute_id"] not in text_attrs:
                    continue
                values = {}
                for c in cols:
                    new = self.sub(r[c], f"{table}.{c}")
                    if new != r[c]:
                        values[c] = new
                if unique:
                    key = tuple(values.get(c, r[c]) for c in unique)
                    clash = finals.get(key)
                    if clash is not None:
                        if table == "speaker_roles" and self._same_role(clash, r["id"]):
                            self.rec.delete("speaker_roles", r["id"])
                            self.result.fields_changed[table] = self.result.fields_changed.get(table, 0) + 1
                            continue
                        raise KeyTableError([
                            f"cannot pseudonymise: two {_LABEL[table]} would both become {key[-1]!r}; "
                            "rename one first or choose another pseudonym"])
                    finals[key] = r["id"]
                if values:
                    changes.append((r["id"], values))
            # a changed row's new value never holds a key, an old one always does: updating in
            # order cannot collide with a row not yet updated
            for row_id, values in changes:
                self.rec.update(table, row_id, values)
            if changes:
                self.result.fields_changed[table] = self.result.fields_changed.get(table, 0) + len(changes)

    def _same_role(self, a: int, b: int) -> bool:
        ra = self.conn.execute("SELECT role FROM speaker_roles WHERE id = ?", (a,)).fetchone()
        rb = self.conn.execute("SELECT role FROM speaker_roles WHERE id = ?", (b,)).fetchone()
        return ra is not None and rb is not None and ra[0] == rb[0]

    def settings(self) -> None:
        """String values inside other settings and preferences (report titles, remembered
        filters ...)."""
        for table in ("settings", "preferences"):
            for r in self.conn.execute(f"SELECT id, key, value FROM {table} ORDER BY id").fetchall():
                if r["key"] in _OWN_SETTINGS or not r["value"]:
                    continue
                try:
                    value = json.loads(r["value"])
                except ValueError:  # not JSON (written by hand): replace in the raw text
                    new_raw = self.sub(r["value"], f"setting {r['key']}")
                    if new_raw != r["value"]:
                        self.rec.update(table, r["id"], {"value": new_raw})
                    continue
                new = self._walk(value, f"setting {r['key']}")
                if new != value:
                    self.rec.update(table, r["id"], {"value": json.dumps(new, ensure_ascii=False, sort_keys=True)})

    def _walk(self, v: Any, where: str) -> Any:
        if isinstance(v, str):
            return self.sub(v, where)
        if isinstance(v, list):
            return [self._walk(x, where) for x in v]
        if isinstance(v, dict):
            return {(self.sub(k, where) if isinstance(k, str) else k): self._walk(x, where) for k, x in v.items()}
        return v

    # -- source texts, codings, turns -------------------------------------------------
    def texts(self) -> None:
        for sid, text in self.conn.execute("SELECT id, text FROM sources ORDER BY id").fetchall():
            new_text, omap = self.replace(text, f"the text of source {sid}", self.counts)
            if not omap:
                continue
            self.rec.update("sources", sid, {"text": new_text, "words": count_words(new_text),
                                             "word_index": build_word_index(new_text)})
            self.result.sources_changed += 1
            self.shift_turns(sid, omap)
            self.shift_codings(sid, omap)
            shift_anchors(self.rec, self.conn, sid, omap.start, omap.end)  # annotations, links, summary links

    def shift_turns(self, sid: int, omap: OffsetMap) -> None:
        rows = self.conn.execute(
            'SELECT id, label_start, label_end, start, "end" FROM speaker_turns WHERE source_id = ? ORDER BY id',
            (sid,)).fetchall()
        for r in rows:
            ls = omap.start(r["label_start"])
            le = max(ls, omap.end(r["label_end"]))
            st = max(le, omap.start(r["start"]))
            en = max(st, omap.end(r["end"]))
            if self.rec.update("speaker_turns", r["id"], {"label_start": ls, "label_end": le, "start": st, "end": en}):
                self.result.turns_moved += 1

    def shift_codings(self, sid: int, omap: OffsetMap) -> None:
        rows = self.conn.execute(
            'SELECT id, code_id, coder_id, start, "end", memo, quote_edit FROM codings WHERE source_id = ? ORDER BY id',
            (sid,)).fetchall()
        survivors: dict[tuple, sqlite3.Row] = {}
        moves: list[tuple[sqlite3.Row, int, int]] = []
        merged: dict[int, list[sqlite3.Row]] = defaultdict(list)
        for r in rows:
            s, e = omap.start(r["start"]), omap.end(r["end"])
            key = (r["code_id"], r["coder_id"], s, e)
            if key in survivors:
                merged[survivors[key]["id"]].append(r)
                continue
            survivors[key] = r
            if (s, e) != (r["start"], r["end"]):
                moves.append((r, s, e))
        for keep_id, gone in merged.items():
            keep = next(r for r in survivors.values() if r["id"] == keep_id)
            memos = [m for m in [keep["memo"]] + [g["memo"] for g in gone] if m]
            memo = "\n\n".join(dict.fromkeys(memos))
            quote = keep["quote_edit"] or next((g["quote_edit"] for g in gone if g["quote_edit"]), None)
            for g in gone:
                self.rec.delete("codings", g["id"])
            self.rec.update("codings", keep_id, {"memo": memo, "quote_edit": quote})
            self.result.codings_merged += len(gone)
        # Moving one coding onto the current place of another one that moves later would break
        # the unique index for a moment; then every mover is parked out of range first.
        current = {(r["code_id"], r["coder_id"], r["start"], r["end"]) for r, _s, _e in moves}
        park = any((r["code_id"], r["coder_id"], s, e) in current for r, s, e in moves)
        if park:
            for r, _s, _e in moves:
                self.rec.update("codings", r["id"], {"start": r["start"] + _TEMP_SHIFT, "end": r["end"] + _TEMP_SHIFT})
        for r, s, e in moves:
            self.rec.update("codings", r["id"], {"start": s, "end": e})
        self.result.codings_moved += len(moves)


# ----------------------------------------------------------------------------- occurrences
def occurrences(project, entries: list[KeyEntry] | None = None) -> dict[str, int]:
    """How often each key name still occurs anywhere the pseudonymisation reaches."""
    entries = load_key(project) if entries is None else entries
    pattern = compile_key(e.real for e in entries)
    found: Counter = Counter()
    if pattern is None:
        return {}
    conn = project.conn
    for r in conn.execute("SELECT text FROM sources"):
        found.update(m.group() for m in pattern.finditer(r[0]))
    for table, cols, _unique in FIELDS:
        quoted = ", ".join(f'"{c}"' for c in cols)
        for r in conn.execute(f'SELECT {quoted} FROM "{table}"'):
            for v in r:
                if v:
                    found.update(m.group() for m in pattern.finditer(v))
    return dict(found)


# ----------------------------------------------------------------------------- removing the key
@dataclass
class RemoveKeyReport:
    names: int
    secure_delete: bool
    fts_rebuilt: bool
    vacuumed: bool
    wal_truncated: bool
    backups_purged: int | None  # None: this version has no backups module
    still_present: dict[str, int] = field(default_factory=dict)
    other_copies: list[str] = field(default_factory=list)  # e.g. NAME.before-restore.qlite beside the project

    def as_dict(self) -> dict:
        return {"names": self.names, "secure_delete": self.secure_delete, "fts_rebuilt": self.fts_rebuilt,
                "vacuumed": self.vacuumed, "wal_truncated": self.wal_truncated,
                "backups_purged": self.backups_purged, "still_present": self.still_present,
                "other_copies": self.other_copies, "irreversible": True}

    def lines(self) -> list[str]:
        out = [f"removed the pseudonym key ({self.names} name{'' if self.names == 1 else 's'}); "
               "this cannot be undone"]
        done = ["secure delete on", "full-text index rebuilt", "file compacted (VACUUM)"]
        if self.wal_truncated:
            done.append("write-ahead log emptied")
        out.append("; ".join(done))
        if not self.wal_truncated:
            out.append("the write-ahead log is emptied when the project is closed (another reader has it open)")
        if self.backups_purged is None:
            out.append("automatic backups: not available in this version, none to delete")
        else:
            out.append(f"deleted {self.backups_purged} automatic backup{'' if self.backups_purged == 1 else 's'} "
                       "(they held the real names)")
        if self.still_present:
            names = ", ".join(f"{k!r} ({v})" for k, v in sorted(self.still_present.items()))
            out.append(f"warning: these names were still in the project and stay there: {names}")
        for path in self.other_copies:
            out.append(f"warning: an older copy of the project is still beside it and may hold real names: {path}")
        return out


IRREVERSIBLE_WARNING = (
    "Removing the pseudonym key is irreversible: the table of real names is deleted from this "
    "project, the file is compacted with secure delete so the names cannot be recovered from it, "
    "every automatic backup of the project is deleted, and the pseudonymisation can no longer be "
    "undone. Export the key first if it must be kept (separately, e.g. by the PI)."
)


def _purge_backups(project) -> int | None:
    """``store.backups.purge_backups(project)`` when that module provides it (it is the
    backups feature's; older builds have none), else None."""
    name = "qualcoder_lite.core.store.backups"
    if importlib.util.find_spec(name) is None:
        return None
    purge = getattr(importlib.import_module(name), "purge_backups", None)
    if purge is None:
        return None
    return int(purge(project))


class RemoveKey:
    """Delete the key table for good. Not an undoable command: it sets ``PRAGMA
    secure_delete=ON``, deletes the key, rebuilds the full-text index (its old segments held
    the original words), runs ``VACUUM`` (no free page keeps old text), truncates the
    write-ahead log; the automatic backups (``store.backups.purge_backups``, when present)
    are purged first, before the key is touched. Refuses while key names still occur in the project unless ``force``."""

    def __init__(self, force: bool = False):
        self.force = force

    def run(self, project) -> RemoveKeyReport:
        if getattr(project, "read_only", False):
            raise ProjectError(project.path, "is open read-only; the pseudonym key was not removed")
        entries = load_key(project)
        if not entries:
            removed = key_removed(project)
            if removed and self.force:  # finish a removal whose compaction failed
                return self._clean(project, [], {})
            if removed:
                raise QualCoderError(f"the pseudonym key was already removed ({removed.get('removed', '?')})")
            raise QualCoderError("this project has no pseudonym key to remove")
        still = occurrences(project, entries)
        if still and not self.force:
            top = ", ".join(f"{k!r} ({v})" for k, v in sorted(still.items(), key=lambda kv: -kv[1])[:3])
            raise QualCoderError(
                f"{sum(still.values())} occurrence(s) of key names are still in the project ({top}); "
                "apply the key first (Apply, or 'pseudonymise PROJECT apply'), or force the removal")
        return self._clean(project, entries, still)

    @staticmethod
    def _clean(project, entries: list[KeyEntry], still: dict[str, int]) -> RemoveKeyReport:
        conn = project.conn
        if conn.in_transaction:
            raise QualCoderError("cannot remove the key inside another change")
        # the backups hold the real names: they go first, so that a removal killed at any
        # point never leaves the key gone and the names still in a backup
        purged = _purge_backups(project)
        conn.execute("PRAGMA secure_delete = ON")
        secure = bool(conn.execute("PRAGMA secure_delete").fetchone()[0])
        with project.transaction():
            if entries:
                conn.execute("DELETE FROM settings WHERE key = ?", (KEY_SETTING,))
                marker = json.dumps({"removed": now_iso(), "entries": len(entries)}, sort_keys=True)
                conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (REMOVED_SETTING, marker))
            conn.execute("INSERT INTO source_fts(source_fts) VALUES ('rebuild')")
        try:
            conn.execute("VACUUM")
        except sqlite3.OperationalError as exc:
            raise QualCoderError(
                f"the key was deleted, but the file could not be compacted ({exc}); close every other program "
                "using the project, then run 'pseudonymise PROJECT remove-key --yes --force' to finish") from None
        truncated = project.path is None  # an in-memory project has no write-ahead log
        if project.path is not None:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            truncated = busy is not None and busy[0] == 0
        copies = []
        if project.path is not None:  # File ▸ Restore backup keeps the replaced file as NAME.before-restore.*
            p = Path(project.path)
            copies = sorted(str(c) for c in p.parent.glob(f"{glob.escape(p.stem)}.before-restore*"))
        return RemoveKeyReport(len(entries), secure, True, True, truncated, purged, still, copies)


def remove_key(project, force: bool = False) -> RemoveKeyReport:
    return RemoveKey(force).run(project)


__all__ = [
    "KEY_SETTING", "KeyEntry", "KeyTableError", "OffsetMap", "Pseudonymise", "PseudonymiseResult",
    "RemoveKey", "RemoveKeyReport", "Suggestion", "IRREVERSIBLE_WARNING", "check_mapping", "compile_key",
    "export_key", "load_key", "occurrences", "read_key_csv", "remove_key", "replace_text",
    "suggest",
]
