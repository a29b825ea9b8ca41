"""Code paths: levels joined by ``/``; a ``/`` or ``\\`` inside a name is escaped.

``join(["A/B", "C"]) == "A\\/B/C"`` and ``split`` reverses it exactly. That escaped form is
for the command line, JSON and the codebook CSV's path column (read back by import-qdc);
everywhere a person reads a path (the app, Word, Excel and CSV documents) it is ``display``ed:
the names as they are, levels joined with `` › `` (``display(["A/B", "C"]) == "A/B › C"``).
"""

from __future__ import annotations

from .errors import UsageError


#: between the levels of a code path shown to a person
SEPARATOR = " › "


def display(levels: list[str] | tuple[str, ...]) -> str:
    """A code path as a person reads it: ``Funding › Money / funding`` (never escaped)."""
    return SEPARATOR.join(levels)


def display_escaped(path: str) -> str:
    """``display`` of an escaped path string (``"Funding/Money \\/ funding"``)."""
    return display(split(path))


def escape(name: str) -> str:
    return name.replace("\\", "\\\\").replace("/", "\\/")


def join(levels: list[str] | tuple[str, ...]) -> str:
    return "/".join(escape(n) for n in levels)


def split(path: str) -> list[str]:
    """Split a path into level names; raises UsageError on empty levels or a dangling escape."""
    levels: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\":
            if i + 1 >= len(path) or path[i + 1] not in "/\\":
                raise UsageError(f"code path {path!r}: a backslash must escape '/' or '\\'")
            buf.append(path[i + 1])
            i += 2
            continue
        if ch == "/":
            levels.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    levels.append("".join(buf))
    cleaned = [lvl.strip() for lvl in levels]
    if any(not lvl for lvl in cleaned):
        raise UsageError(f"code path {path!r} has an empty level")
    return cleaned
