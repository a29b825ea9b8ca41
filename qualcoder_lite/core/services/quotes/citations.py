"""Citation templates: ``({case})``, ``({case}, {health_board})``, ``({case}, {years} years)``.

A template is literal text and ``{field}`` names. When a field has no value for a case, the
field goes **with its own words and its separator**:

* the *separator* between two fields is the first ``,`` ``;`` ``:`` ``/`` ``|`` or spaced
  dash in the text between them, with the spaces around it (only white space between them:
  that white space; nothing: nothing);
* a field's *own words* run from the field to the next separator (``{years} years``) and
  from the previous separator to the field (``aged {age}``); the opening text before the
  first field's words and the closing brackets or full stop after the last field's are
  the template's;
* a separator is printed between two fields that are both present, the one just before
  the later of them.

So ``({case}, {years_in_post} years)`` gives ``(LW04, 12 years)`` or ``(LW04)``, never
``(LW04 years)`` or ``(LW04, )``; ``({case}, {wave}; {board})`` without a wave gives
``(P1; urban)``; with no field present the citation is empty.
"""

from __future__ import annotations

import re
import string

from ...errors import UsageError

CITE_FIELDS = ("case", "source", "speaker", "coder", "code")

_SEPARATOR = re.compile(r"\s*(?:[,;:/|·]|\s[-–—]\s)\s*")
_OPENING = re.compile(r"^[\s(\[{<«“‘\"']*")
_CLOSING = re.compile(r"[\s)\]}>»”’\"'.]*$")


def _split_between(literal: str) -> tuple[str, str, str]:
    """(previous field's own words, separator, next field's own words)."""
    m = _SEPARATOR.search(literal)
    if m is None:
        m = re.search(r"\s+", literal)
    if m is None:
        return literal, "", ""
    return literal[:m.start()], m.group(0), literal[m.end():]


class CitationTemplate:
    """A citation template: literal text and ``{field}`` names, parsed once."""

    def __init__(self, template: str, known: list[str], what: str = "citation template"):
        self.template = template
        self.tokens: list[tuple[str, str | None]] = []  # (literal before, field or None)
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError as exc:
            raise UsageError(f"{what} {template!r}: {exc} (write a literal brace as '{{{{' or '}}}}')") from None
        for literal, name, spec, conv in parsed:
            if name is not None:
                name = name.strip()
                if not name:
                    raise UsageError(f"{what} {template!r} has an empty {{}}; name a field such as {{case}}")
                if spec or conv:
                    raise UsageError(f"{what} {template!r}: write fields plainly, as {{{name}}}")
                if name not in known:
                    builtins = [k for k in known if k in CITE_FIELDS]
                    attrs = [k for k in known if k not in CITE_FIELDS]
                    raise UsageError(
                        f"unknown attribute {name!r} in {what} {template!r} "
                        f"(fields: {', '.join(builtins)}; attributes: {', '.join(attrs) or 'none defined'})"
                    )
            self.tokens.append((literal, name))
        self._layout()

    def _layout(self) -> None:
        """Split the literals into the opening, each field's (separator, own words before,
        own words after) and the closing."""
        lits = [lit for lit, _ in self.tokens]
        names = [n for _, n in self.tokens]
        self.names = [n for n in names if n]
        self.parts: list[tuple[str, str, str]] = []  # per field: (separator before, head, tail)
        if not self.names:
            self.opening, self.closing = self.template.replace("{{", "{").replace("}}", "}"), ""
            return
        idx = [i for i, n in enumerate(names) if n]
        # an escaped brace splits a literal into several tokens: join the ones between fields
        first = "".join(lits[:idx[0] + 1])
        m = _OPENING.match(first)
        assert m is not None  # the pattern matches the empty string
        self.opening, head = first[:m.end()], first[m.end():]
        last = "".join(lits[idx[-1] + 1:])
        m = _CLOSING.search(last)
        assert m is not None  # the pattern matches the empty string at the end
        tail_last, self.closing = last[:m.start()], last[m.start():]
        seps, heads, tails = [""], [head], []
        for k in range(1, len(idx)):
            tail, sep, head = _split_between("".join(lits[idx[k - 1] + 1:idx[k] + 1]))
            tails.append(tail)
            seps.append(sep)
            heads.append(head)
        tails.append(tail_last)
        self.parts = list(zip(seps, heads, tails))

    @property
    def fields(self) -> list[str]:
        return list(self.names)

    def render(self, values: dict[str, str | None]) -> str:
        """Fill the fields; a missing field goes with its own words and its separator
        (see the module's docstring). All fields missing gives ''."""
        if not self.names:
            return self.opening
        out: list[str] = []
        for name, (sep, head, tail) in zip(self.names, self.parts):
            value = values.get(name)
            value = value.strip() if isinstance(value, str) else value
            if not value:
                continue
            if out:
                out.append(sep or " ")
            out.append(f"{head}{value}{tail}")
        if not out:
            return ""
        return self.opening + "".join(out) + self.closing
