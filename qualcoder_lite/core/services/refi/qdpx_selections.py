"""The ``PlainTextSelection`` elements of a source's ``TextSource``, written as
``XmlWriter.start``/``empty``/``end`` would write them but as one string per source: an
export writes one selection for each coded span (200,000 at ten times the data), so the
attributes that repeat (users, codes, time stamps) are escaped once and kept as finished
``name="value"`` pieces."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from . import model as refi

_CACHE_LIMIT = 10_000  # distinct values kept escaped (users, codes and time stamps: a few hundred)
_GUID_CHARS = "0123456789abcdef-"
_UNSEEN: Any = object()


class SelectionWriter:
    """Writes the selections of each source into ``w`` (``write``); the escaped values are
    kept across sources. A value with a character XML cannot carry is escaped (and counted in
    ``w.replaced``) at each use, as ``w.attr`` would."""

    def __init__(self, w: refi.XmlWriter) -> None:
        self.w = w
        self._users: dict[str, str] = {}  # user -> ' creatingUser="…"'
        self._codes: dict[str, str] = {}  # code -> ' targetGUID="…"'
        self._stamps: dict[str | None, str] = {}  # as written -> ' creationDateTime="…"' or ""

    def _attr(self, name: str, value: str, kept: dict[str, str]) -> str:
        w = self.w
        replaced = w.replaced
        got = f' {name}="{w.attr(value)}"'
        if w.replaced == replaced and len(kept) < _CACHE_LIMIT:
            kept[value] = got
        return got

    def _stamp(self, value: str | None) -> str:
        """`` creationDateTime="…"`` when ``value`` is an xsd:dateTime (which needs no
        escaping), else ""."""
        valid = refi.valid_datetime(value)
        got = "" if valid is None else f' creationDateTime="{valid}"'
        if len(self._stamps) < _CACHE_LIMIT:
            self._stamps[value] = got
        return got

    def write(self, selections: Sequence[refi.Selection], unit: Callable[[int], int] | None) -> None:
        """The selections, offsets through ``unit`` (None: as they are)."""
        w = self.w
        attr = w.attr
        pad = "  " * w._depth
        users, codes, stamps = self._users, self._codes, self._stamps
        out: list[str] = []
        put = out.append
        for sel in selections:
            g = sel.guid
            if len(g) != 36 or g.strip(_GUID_CHARS):  # not in our form: escaped
                g = attr(g)
            name = f' name="{attr(sel.name)}"' if sel.name else ""
            start, end = (sel.start, sel.end) if unit is None else (unit(sel.start), unit(sel.end))
            u = sel.user
            user = "" if u is None else users.get(u) or self._attr("creatingUser", u, users)
            created = stamps.get(sel.created, _UNSEEN)
            if created is _UNSEEN:
                created = self._stamp(sel.created)
            put(f'{pad}<PlainTextSelection guid="{g}"{name} startPosition="{start}" endPosition="{end}"'
                f'{user}{created}>\n')
            if sel.description:
                put(f"{pad}  <Description>{w.text(sel.description)}</Description>\n")
            for c in sel.codings:
                cg = c.guid
                if len(cg) != 36 or cg.strip(_GUID_CHARS):
                    cg = attr(cg)
                u = c.user
                user = "" if u is None else users.get(u) or self._attr("creatingUser", u, users)
                created = stamps.get(c.created, _UNSEEN)
                if created is _UNSEEN:
                    created = self._stamp(c.created)
                code = "" if c.code is None else codes.get(c.code) or self._attr("targetGUID", c.code, codes)
                if c.note_refs:
                    put(f'{pad}  <Coding guid="{cg}"{user}{created}>\n{pad}    <CodeRef{code}/>\n')
                    for r in c.note_refs:
                        put(f'{pad}    <NoteRef targetGUID="{attr(r)}"/>\n')
                    put(f"{pad}  </Coding>\n")
                else:
                    put(f'{pad}  <Coding guid="{cg}"{user}{created}>\n{pad}    <CodeRef{code}/>\n{pad}  </Coding>\n')
            for r in sel.note_refs:
                put(f'{pad}  <NoteRef targetGUID="{attr(r)}"/>\n')
            put(f"{pad}</PlainTextSelection>\n")
        if out:
            w.raw("".join(out))
