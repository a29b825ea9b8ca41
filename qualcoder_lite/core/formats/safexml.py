"""Parse XML from a foreign file without DTDs, entities or external references."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DET

from qualcoder_lite.core.errors import InputError


def parse_xml(path: str | Path, data: bytes, member: str) -> Element:
    """Parse ``data`` (member ``member`` of the file ``path``) into an element tree.

    Any DTD is refused (that also rules out entity expansion, "billion laughs", and
    external entities); malformed XML, or XML in an encoding Python cannot decode, becomes
    an ``InputError`` naming the member.
    """
    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise InputError(path, f"{member} declares a DTD or entities, which are refused ({exc})") from None
    except ParseError as exc:
        raise InputError(path, f"{member} is not well-formed XML ({exc})") from None
    except LookupError as exc:  # <?xml encoding="..."?> names a codec Python does not have
        raise InputError(path, f"{member} declares an encoding that cannot be read ({exc})") from None


def local(tag: str) -> tuple[str, str]:
    """Split an ElementTree tag ``{namespace}name`` into ``(namespace, name)``."""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def escape_content(s: str) -> str:
    """``s`` escaped as lxml writes text between tags: ``& < >``, and a carriage return as
    ``&#13;`` (``"`` stays). The caller first drops or replaces what XML cannot carry."""
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "\r" in s:
        s = s.replace("\r", "&#13;")
    return s
