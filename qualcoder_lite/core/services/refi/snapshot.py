"""Read the project into a ``refi.Project`` for export (read-only; the inverse of ``refi_build``).

What goes where in REFI-QDA:

* coders -> Users; codes -> CodeBook (GUIDs, colours, descriptions, order);
* sources -> TextSource (text in ``sources/<guid>.txt``, the source memo as Description);
* Descriptions of codes, sources, cases and the project also carry the memos their notes
  hold (a code: its description, a blank line, its summary and memos), because QualCoder
  reads memos only from ``<Description>``; the import splits them back;
  codings sharing a span -> one PlainTextSelection (GUID derived from source and span) with
  one Coding per coding (its GUID and coder); a coding memo -> a Note the Coding refers to;
* cases -> Case (memo as Description, SourceRefs, typed VariableValues);
  attributes -> Variables (number -> Integer or Float, date -> Date, boolean -> Boolean when
  its values are true/false, else Text with the user's labels, marked ``refi.BOOLEAN_AS_TEXT``);
* memos -> Notes: project memos by the project's NoteRef, code and source memos by the
  code's / source's NoteRef, case memos by a Link note -> case, journal entries unreferenced;
  a code's summary -> a Note whose GUID is derived from the code's; a framework-matrix cell
  summary -> a Note linked to its case (or source) and to its code;
* annotations and see-also links -> selections with a note, Links (``services.anchors.refi_anchors``);
* sets of codes and of sources -> Sets (REFI-QDA sets cannot hold cases: case sets are
  left out with a warning).

Not exchanged (REFI-QDA has no place for them): speaker turns and roles (turns are found
again on import), source kinds, edited quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ...errors import QualCoderError
from ..anchors.refi_anchors import export_anchors
from . import model as refi
from ..sources.attributes import FALSE, TRUE, is_date

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass
class Snapshot:
    project: refi.Project
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: a source's text; read from the project when the snapshot was made without texts
    text_of: Callable[[refi.Source], str] = field(default=lambda src: src.text or "")


def _value(value: str, type_: str, refi_type: str) -> tuple[str, str]:
    """(element, text) of one attribute value, falling back to TextValue when it does not fit."""
    if type_ == "number":
        if refi_type == "Integer" and _INTEGER.match(value):
            return "IntegerValue", value
        if _DECIMAL.match(value):
            return "FloatValue", value
    elif type_ == "date" and is_date(value):
        return "DateValue", value
    elif type_ == "boolean":
        c = value.casefold()
        if c in TRUE:
            return "BooleanValue", "true"
        if c in FALSE:
            return "BooleanValue", "false"
    return "TextValue", value


def _code_tree(project) -> tuple[list, list[refi.Code], dict[int, refi.Code]]:
    """(the project's codes, the REFI code tree, code id -> its REFI code)."""
    all_codes = project.codes.all()
    roots: list[refi.Code] = []
    by_id: dict[int, refi.Code] = {}
    for c in all_codes:  # parents come before their children
        node = refi.Code(c.guid, c.name, c.description, refi.norm_color(c.color))
        by_id[c.id] = node
        (by_id[c.parent_id].children if c.parent_id is not None else roots).append(node)
    return all_codes, roots, by_id


def _sets(conn, guid_of: dict[str, dict[int, str]], warn: list[str]) -> list[refi.Set]:
    """Sets of the kinds in ``guid_of`` (member id -> GUID); case sets cannot be exchanged."""
    out = []
    for r in conn.execute("SELECT id, guid, name, kind, memo FROM sets ORDER BY kind, name"):
        if r["kind"] not in guid_of:
            if r["kind"] == "case":
                warn.append(f"case set {r['name']!r} not exported (REFI-QDA sets hold codes and sources, not cases)")
            continue
        guids = guid_of[r["kind"]]
        members = [guids[m[0]] for m in conn.execute(
            "SELECT member_id FROM set_members WHERE set_id = ? ORDER BY id", (r["id"],)) if m[0] in guids]
        s = refi.Set(r["guid"], r["name"], r["memo"])
        (s.codes if r["kind"] == "code" else s.sources).extend(members)
        out.append(s)
    return out


def codebook(project) -> tuple[list[refi.Code], list[refi.Set]]:
    """The code tree and the code sets (for a .qdc), without reading any text."""
    _all, roots, by_id = _code_tree(project)
    return roots, _sets(project.conn, {"code": {i: c.guid for i, c in by_id.items()}}, [])


def snapshot(project, texts: bool = True, early: Callable[[Snapshot], Callable[[], object]] | None = None) -> Snapshot:
    """The project as REFI-QDA sees it. ``texts=False`` leaves each ``Source.text`` None and
    ``text_of`` reads it from the project when asked (an export holds one text at a time).
    ``early(snap)`` is called once the sources (without selections) and ``text_of`` are in
    ``snap``; the function it returns is called now and then while the codings are read (an
    export compresses the texts meanwhile)."""
    conn = project.conn
    snap = Snapshot(refi.Project(name=project.name))
    p = snap.project
    warn = snap.warnings

    coders = {r["id"]: (r["guid"], r["name"]) for r in conn.execute("SELECT id, guid, name FROM coders ORDER BY id")}
    coder_guid = {cid: g for cid, (g, _n) in coders.items()}
    p.users = [refi.User(g, n) for g, n in coders.values()]
    me = conn.execute("SELECT guid FROM coders WHERE name = ?", (project.coder,)).fetchone()
    p.creating_user = me[0] if me else None
    p.created = conn.execute("SELECT min(applied) FROM migrations").fetchone()[0]

    # -- codes --------------------------------------------------------------------------------
    all_codes, p.codes, code_by_id = _code_tree(project)
    code_path = {c.id: c.path_str for c in all_codes}
    for c in all_codes:
        if c.memo:
            g = refi.derived_guid("code-summary", c.guid)
            p.notes.append(refi.Note(g, f"Summary: {c.name}", c.memo))
            code_by_id[c.id].note_refs.append(g)

    sources = _sources(conn, p, coder_guid, texts)
    if not texts:
        snap.text_of = _text_reader(conn, sources)
    tick = early(snap) if early is not None else None
    n_codings = _codings(conn, p, sources, coder_guid, code_by_id, tick)
    anchors = export_anchors(conn, p, sources, coder_guid)  # annotations and see-also links
    cases = _cases(conn, p, sources)
    _attributes(project, p, {"case": cases, "source": sources}, warn)
    code_guid = {cid: node.guid for cid, node in code_by_id.items()}
    _memos(conn, p, coder_guid, code_by_id, sources, cases, warn)
    n_cells = _matrix_notes(conn, p, coder_guid, code_guid, code_path, sources, cases, warn)
    _descriptions(p, all_codes, code_by_id)
    # -- sets -------------------------------------------------------------------------------------
    p.sets = _sets(conn, {"code": code_guid, "source": {i: s.guid for i, s in sources.items()}}, warn)

    snap.counts = {"sources": len(p.sources), "codes": len(all_codes), "codings": n_codings, "cases": len(p.cases),
                   "coders": len(p.users), "attributes": len(p.variables),
                   "memos": conn.execute("SELECT count(*) FROM memos").fetchone()[0], "matrix_cells": n_cells,
                   "sets": len(p.sets), **anchors}
    return snap


def _text_reader(conn, sources: dict[int, refi.Source]) -> Callable[[refi.Source], str]:
    """``text_of(source)``: its text read from the project."""
    ids = {src.guid: sid for sid, src in sources.items()}

    def text_of(src: refi.Source) -> str:
        row = conn.execute("SELECT text FROM sources WHERE id = ?", (ids[src.guid],)).fetchone()
        if row is None:
            raise QualCoderError(f"source {src.name!r} was deleted while the project was exported")
        return row[0]

    return text_of


def _sources(conn, p: refi.Project, coder_guid: dict, texts: bool = True) -> dict[int, refi.Source]:
    """Source id -> its REFI source (in ``p.sources``, by name), without selections.
    ``texts=False``: the sources' texts are not read (``Source.text`` stays None)."""
    sources: dict[int, refi.Source] = {}
    text = "text" if texts else "NULL"
    for r in conn.execute(f"SELECT id, guid, name, {text}, memo, imported, imported_by FROM sources ORDER BY name"):
        src = refi.Source(r[1], r[2], r[3], description=r[4], user=coder_guid.get(r[6]), created=r[5])
        sources[r[0]] = src
        p.sources.append(src)
    return sources


_TICK = 4096  # codings read between two calls of ``_codings``'s ``tick``


def _codings(conn, p: refi.Project, sources: dict[int, refi.Source], coder_guid: dict, code_by_id: dict,
             tick: Callable[[], object] | None = None) -> int:
    """The sources' selections (codings sharing a span share one, its GUID derived from source
    and span), coding memos as notes; returns the number of codings. ``tick()`` is called
    every ``_TICK`` codings."""
    code_guid = {cid: node.guid for cid, node in code_by_id.items()}
    Selection, Coding = refi.Selection, refi.Coding
    cur_source, cur_start, cur_end = None, None, None
    sel: refi.Selection | None = None
    selections: list[refi.Selection] = []
    sel_guid: Callable[[str], str] = str
    n_codings = 0
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: 200,000 rows at ten times the data
    cur.execute('SELECT guid, source_id, code_id, coder_id, start, "end", memo, created FROM codings '
                'ORDER BY source_id, start, "end", code_id, coder_id')
    for guid, source_id, code_id, coder_id, start, end, memo, created in cur:
        user = coder_guid.get(coder_id)
        if end != cur_end or start != cur_start or source_id != cur_source:
            if source_id != cur_source:
                src = sources[source_id]
                selections = src.selections
                sel_guid = refi.derived_guids("selection", src.guid)
                cur_source = source_id
            cur_start, cur_end = start, end
            sel = Selection(sel_guid(f"{start}\x1f{end}"), start, end, user=user, created=created, note_refs=())
            selections.append(sel)
        coding = Coding(guid, code_guid[code_id], user, created, ())
        if memo:
            g = refi.derived_guid("coding-memo", guid)
            p.notes.append(refi.Note(g, "Coding memo", memo, user))
            coding.note_refs = [g]
        assert sel is not None  # made for the first coding
        sel.codings.append(coding)
        n_codings += 1
        if tick is not None and not n_codings % _TICK:
            tick()
    return n_codings


def _cases(conn, p: refi.Project, sources: dict[int, refi.Source]) -> dict[int, refi.Case]:
    cases: dict[int, refi.Case] = {}
    links: dict[int, list[str]] = {}
    for r in conn.execute("SELECT case_id, source_id FROM case_sources ORDER BY case_id, source_id"):
        links.setdefault(r[0], []).append(sources[r[1]].guid)
    for r in conn.execute("SELECT id, guid, name, memo FROM cases ORDER BY name"):
        cases[r["id"]] = refi.Case(r["guid"], r["name"], r["memo"], sources=links.get(r["id"], []))
        p.cases.append(cases[r["id"]])
    return cases


def _attributes(project, p: refi.Project, owners: dict[str, dict], warn: list[str]) -> None:
    """Attributes as Variables, their values on the cases and sources in ``owners``."""
    conn = project.conn
    for a in project.attributes.all():
        col = "case_id" if a.applies_to == "case" else "source_id"
        vals = conn.execute(f"SELECT {col}, value FROM attribute_values WHERE attribute_id = ? "
                            f"AND {col} IS NOT NULL ORDER BY {col}", (a.id,)).fetchall()
        refi_type = {"text": "Text", "date": "Date", "boolean": "Boolean"}.get(a.type)
        if refi_type is None:
            refi_type = "Integer" if all(_INTEGER.match(v) for _, v in vals) else "Float"
        description = ""
        if a.type == "boolean" and not all(v in ("true", "false") for _, v in vals):
            # the user's labels (yes/no) are what compare and the matrix show: keep them
            refi_type, description = "Text", refi.BOOLEAN_AS_TEXT
        var = refi.Variable(refi.derived_guid("attribute", a.applies_to, a.name), a.name, refi_type, description)
        p.variables.append(var)
        for owner_id, value in vals:
            element, text = _value(value, a.type if refi_type != "Text" else "text", refi_type)
            if element == "TextValue" and refi_type != "Text":
                warn.append(f"attribute {a.name!r}: value {value!r} is not a {a.type}; exported as text")
            owners[a.applies_to][owner_id].values.append(refi.Value(var.guid, text, element))


def _memos(conn, p: refi.Project, coder_guid: dict, code_by_id: dict, sources: dict, cases: dict,
           warn: list[str]) -> None:
    """Memos as Notes, referred to by what they belong to (case memos through a Link)."""
    for r in conn.execute("SELECT guid, kind, target_id, title, body, coder_id, created, modified FROM memos "
                          "ORDER BY created, id"):
        note = refi.Note(r["guid"], r["title"], r["body"], coder_guid.get(r["coder_id"]), r["created"], r["modified"])
        p.notes.append(note)
        kind, target = r["kind"], r["target_id"]
        if kind == "project":
            p.note_refs.append(note.guid)
        elif kind == "code" and target in code_by_id:
            code_by_id[target].note_refs.append(note.guid)
        elif kind == "source" and target in sources:
            sources[target].note_refs.append(note.guid)
        elif kind == "case" and target in cases:
            p.links.append(refi.Link(refi.derived_guid("memo-link", note.guid), note.guid, cases[target].guid,
                                     "case memo", "OneWay"))
        elif kind != "journal":
            warn.append(f"memo {r['title']!r} belongs to a {kind} that no longer exists; exported unattached")


def _matrix_notes(conn, p: refi.Project, coder_guid: dict, code_guid: dict, code_path: dict, sources: dict,
                  cases: dict, warn: list[str]) -> int:
    """Framework-matrix summaries as Notes linked to their row and code; returns how many."""
    n_cells = 0
    for r in conn.execute("SELECT row_kind, row_id, code_id, summary, coder_id, modified FROM matrix_cells "
                          "WHERE summary != '' ORDER BY row_kind, row_id, code_id"):
        row = (cases if r["row_kind"] == "case" else sources).get(r["row_id"])
        if row is None or r["code_id"] not in code_guid:
            warn.append("a framework-matrix summary belongs to a row that no longer exists; not exported")
            continue
        g = refi.derived_guid("matrix", r["row_kind"], row.guid, code_guid[r["code_id"]])
        p.notes.append(refi.Note(g, f"{row.name} × {code_path[r['code_id']]}", r["summary"],
                                 coder_guid.get(r["coder_id"]), r["modified"], r["modified"]))
        p.links.append(refi.Link(refi.derived_guid("matrix-row", g), g, row.guid, "matrix summary: row", "OneWay"))
        p.links.append(refi.Link(refi.derived_guid("matrix-code", g), g, code_guid[r["code_id"]],
                                 "matrix summary: column", "OneWay"))
        n_cells += 1
    return n_cells


def _descriptions(p: refi.Project, all_codes: list, code_by_id: dict) -> None:
    # -- descriptions: what QualCoder reads -------------------------------------------------------
    # QualCoder reads the memos of cases, sources, codes and the project only from their
    # <Description>: each carries its own text, then the memos its notes also hold
    # (refi.compose_description); the import splits them back (refi.split_description).
    text_of = {n.guid: n.text for n in p.notes}
    for c in all_codes:
        node = code_by_id[c.id]
        node.description = refi.compose_description(c.description, [text_of[g] for g in node.note_refs])
    for src in p.sources:
        src.description = refi.compose_description(src.description, [text_of[g] for g in src.note_refs])
    case_by_guid = {c.guid: c for c in p.cases}
    case_memos: dict[str, list[str]] = {}
    for ln in p.links:
        if ln.name == "case memo" and ln.target in case_by_guid:
            case_memos.setdefault(ln.target, []).append(text_of[ln.origin])
    for case in p.cases:
        case.description = refi.compose_description(case.description, case_memos.get(case.guid, []))
    p.description = refi.compose_description("", [text_of[g] for g in p.note_refs])
