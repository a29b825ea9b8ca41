"""The text selections of a .qdpx are read by the parser's handlers (``qdpx_stream``), never
made into elements: they must come out as ``_Reader.selection`` reads the same selection's
element, for every shape a file may give them, and the tree around them must not change."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from qualcoder_lite.core.services.refi.qdpx_read import _Reader, read_qdpx

NS = "urn:QDA-XML:project:1.0"
G = "6b1d6b9e-7b7e-4d2f-9b8a-1f2e3d4c5b{:02x}"
TEXT = "Hello world, a second sentence and a third one here.\n" * 3

#: selections in the shapes a file may give them (all differ: none is dropped as a duplicate)
SELECTIONS = [
    f'<PlainTextSelection guid="{G.format(1)}" name="q" startPosition="0" endPosition="5" creatingUser="{G.format(90)}" '
    f'creationDateTime="2020-01-01T00:00:00Z"><Coding guid="{G.format(2)}"><CodeRef targetGUID="{G.format(80)}"/>'
    "</Coding></PlainTextSelection>",
    # upper case and braced GUIDs, white space around the offsets, a coding without a GUID
    f'<PlainTextSelection guid="{{{G.format(3).upper()}}}" startPosition=" 1 " endPosition="7">\n  <Coding>'
    f'<CodeRef targetGUID="{G.format(81).upper()}"/></Coding>\n</PlainTextSelection> tail text ',
    # two codings, notes on the selection and on a coding, a second CodeRef (the first counts)
    f'<PlainTextSelection guid="{G.format(4)}" startPosition="2" endPosition="9"><NoteRef targetGUID="{G.format(70)}"/>'
    f'<Coding guid="{G.format(5)}" creatingUser="{G.format(91)}" creationDateTime="2021-02-02T00:00:00Z">'
    f'<NoteRef targetGUID="{G.format(71)}"/><CodeRef targetGUID="{G.format(82)}"/><CodeRef targetGUID="{G.format(80)}"/>'
    f'<Other><CodeRef targetGUID="{G.format(83)}"/></Other></Coding>'
    f'<Coding guid="{G.format(6)}"><!-- a comment --><CodeRef targetGUID="{G.format(80)}"/></Coding>'
    f'<NoteRef targetGUID=""/><NoteRef/></PlainTextSelection>',
    # descriptions: text up to the first child only, the first Description only, CDATA, entities
    f'<PlainTextSelection guid="{G.format(7)}" startPosition="3" endPosition="11"><Description>a &amp; b<b>not</b>'
    f'tail</Description><Description>second</Description><Coding guid="{G.format(8)}">'
    f'<CodeRef targetGUID="{G.format(80)}"/></Coding></PlainTextSelection>',
    f'<PlainTextSelection guid="{G.format(9)}" startPosition="4" endPosition="12"><Description><![CDATA[<x> &]]> '
    f'more</Description><?pi data?><Coding guid="{G.format(10)}"><CodeRef targetGUID="{G.format(81)}"/></Coding>'
    "</PlainTextSelection>",
    f'<PlainTextSelection guid="{G.format(11)}" startPosition="5" endPosition="13"><Description/>'
    f'<x:Coding xmlns:x="urn:other" guid="{G.format(12)}"><x:CodeRef targetGUID="{G.format(82)}"/></x:Coding>'
    "</PlainTextSelection>",
    # a malformed GUID (a derived one is used) and no codings at all
    '<PlainTextSelection guid="not a guid" startPosition="6" endPosition="14"/>',
]


def _document(selections: list[str]) -> str:
    codes = "".join(f'<Code guid="{G.format(80 + i)}" name="c{i}" isCodable="true"/>' for i in range(4))
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="p"><CodeBook><Codes>{codes}</Codes>'
            f'</CodeBook><Sources><TextSource guid="{G.format(60)}" name="s"><Description>d</Description>'
            f"<PlainTextContent>{TEXT}</PlainTextContent>\n" + "\n".join(selections)
            + "\n</TextSource></Sources></Project>")


def test_selections_read_by_the_handlers_are_those_read_from_their_elements(tmp_path: Path):
    path = tmp_path / "p.qde"
    path.write_text(_document(SELECTIONS), encoding="utf-8")
    streamed = read_qdpx(path).project.sources[0].selections
    reader = _Reader(path, path.name, None, None)
    from_elements = []
    for xml in SELECTIONS:
        el = ElementTree.fromstring(f'<w xmlns="{NS}">{xml}</w>')[0]
        start, end = (int(el.get(a, "").strip()) for a in ("startPosition", "endPosition"))
        from_elements.append(reader.selection(el, start, end))
    assert len(streamed) == len(SELECTIONS)
    assert streamed == from_elements
    # what the shapes were written for is there
    assert streamed[2].note_refs == [G.format(70)] and [c.code for c in streamed[2].codings] == [G.format(82), G.format(80)]
    assert streamed[2].codings[0].note_refs == [G.format(71)]
    assert streamed[3].description == "a & b" and streamed[4].description == "<x> & more"
    assert [c.code for c in streamed[5].codings] == [G.format(82)]


def test_the_tree_around_the_selections_is_the_whole_tree_without_them(tmp_path: Path):
    path = tmp_path / "p.qde"
    path.write_text(_document(SELECTIONS), encoding="utf-8")
    reader = _Reader(path, path.name, None, None)
    with open(path, "rb") as fh:
        root = reader.parse(fh)
    # the whole tree, its text selections removed (with the text after each, their tails)
    whole = ElementTree.fromstring(_document(SELECTIONS).encode("utf-8"))
    holder = whole.find(f".//{{{NS}}}TextSource")
    assert holder is not None
    for el in holder.findall(f"{{{NS}}}PlainTextSelection"):
        holder.remove(el)
    source = root.find(f".//{{{NS}}}TextSource")
    assert source is not None and [k.tag for k in source] == [f"{{{NS}}}Description", f"{{{NS}}}PlainTextContent"]
    assert ElementTree.tostring(root) == ElementTree.tostring(whole)
