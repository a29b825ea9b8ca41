"""The pseudonym key: the table of real names and their pseudonyms (validated, read from and
written to CSV), and the one whole-word pattern that finds its names in a text."""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ...errors import InputError, QualCoderError

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
    start: int | None = None
    prev = 0  # the code point before cp (set before a span can close)
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
        for pseudonym in stored_map.values():  # a new name found inside an old pseudonym
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

