"""Write a read REFI-QDA project into a new, empty project file (one transaction).

How REFI-QDA maps onto the project (the inverse of ``refi_snapshot``):

* Users -> coders (GUIDs kept; duplicate names get " (2)"); a coding's ``creatingUser``,
  else its selection's, else the project's creating user, else the importing coder.
* Codes -> the code tree (GUIDs, colours, descriptions; line breaks in names become
  spaces; duplicate sibling names get " (2)"); ``isCodable="false"`` codes are codes too.
* Text sources -> sources, speaker turns detected as on any import; PlainTextSelection
  codings -> codings in code points (converted by the reader).
* Cases -> cases linked to their sources (a SelectionRef links the selection's source);
  Variables -> typed attributes of cases or sources, by where their values appear.
* Notes -> memos: on the project (project NoteRef), a code (code NoteRef), a source (source
  NoteRef or Link), a case (Link); on codings/selections -> the coding's memo; a note
  linked to a case (or source) *and* a code -> that framework-matrix cell's summary; our
  code summaries come back by their derived GUID; any other note -> a journal entry.
* Selections with no codings that refer to notes -> annotations; Links between selections
  (or a selection and a source) -> see-also links (``services.anchors.refi_anchors``).
* Sets -> sets of codes and of sources (a mixed set becomes one of each).
* Selections that cannot become codings are kept aside in the project setting
  ``refi_qda_import`` (key ``kept_aside``) and listed in a journal entry.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Callable, Sequence

from ... import codepath
from ..anchors.refi_anchors import import_anchors, is_passage_link
from . import model as refi
from .import_report import KEPT_ASIDE_TITLE, SETTING, QdpxImportReport
from .qdpx_content import KeptAside, QdpxContent
from ...store.coders import CODER_COLORS
from ...store.database import now_iso
from ...wording import one_line
from ...store.recorder import insert_unrecorded
from ..sources.attributes import parse_value
from ..coding.codes import PALETTE
from .build_sources import unique, write_sources

Progress = Callable[[int, int, str], bool]
PROJECT_DESCRIPTION_TITLE = "Project description"
_MEMO_LIST_LIMIT = 500
_CONTROL_WS = re.compile(r"[\r\n\t]+")


def clean_code_name(name: str) -> str:
    """A code name the app accepts: line breaks and tabs become spaces, ends trimmed."""
    return _CONTROL_WS.sub(" ", name).strip() or "(unnamed code)"


class _Builder:
    def __init__(self, project, content: QdpxContent, progress: Progress | None):
        self.p = project
        self.conn = project.conn
        self.c = content
        self.proj = content.project
        self.progress = progress
        self.now = now_iso()
        self.r = QdpxImportReport(source_file=str(content.path), origin=self.proj.origin,
                                  skipped=dict(content.skipped), warnings=list(content.warnings),
                                  assumptions=list(content.assumptions),
                                  missing_sources=list(content.missing_sources), refused=list(content.refused),
                                  refused_selections=content.refused_selections)
        if content.adjusted:
            self.r.warnings.append(f"{content.adjusted} selection ends fell inside a character or line break "
                                   "and were moved to the nearest character boundary")
        self.kept: list[KeptAside] = list(content.kept_aside)
        self.coders: dict[str, int] = {}
        self.coder_names: set[str] = set()
        self.code_ids: dict[str, int] = {}
        self.code_paths: dict[int, tuple[str, ...]] = {}
        self.source_ids: dict[str, int] = {}
        self.case_ids: dict[str, int] = {}
        self.sel_source: dict[str, int] = {}
        self.codings_written: set[str] = set()
        self._default: int | None = None  # see default_coder
        self.guids: dict[str, set[str]] = {t: set() for t in ("coders", "codes", "sources", "cases", "codings",
                                                              "memos", "sets")}
        self.counts = {k: 0 for k in ("sources", "codes", "codings", "cases", "coders", "attributes",
                                      "attribute_values", "memos", "matrix_cells", "sets", "speaker_turns")}

    # -- helpers -----------------------------------------------------------------------
    def guid(self, table: str, wanted: str | None) -> str:
        used = self.guids[table]
        g = wanted if wanted and wanted not in used else str(uuid.uuid4())
        used.add(g)
        return g

    def insert(self, table: str, row: dict) -> int:
        row_id = insert_unrecorded(self.conn, table, row)  # a source's word index goes beside it
        if table in self.counts:
            self.counts[table] += 1
        return row_id

    def coder_for(self, guid: str | None) -> int:
        if guid is None:
            return self.default_coder
        if guid not in self.coders:
            self.coders[guid] = self.insert("coders", {
                "guid": self.guid("coders", guid), "name": unique(f"user {guid[:8]}", self.coder_names),
                "color": CODER_COLORS[len(self.coders) % len(CODER_COLORS)], "created": self.now})
        return self.coders[guid]

    # -- steps ---------------------------------------------------------------------------
    def run(self) -> QdpxImportReport:
        self.note_text = {n.guid: n.text for n in self.proj.notes}
        self.users()
        self.codes(self.proj.codes, None, ())
        self.plan_notes()
        self.sources()
        import_anchors(self)
        self.cases()
        self.attributes()
        self.notes()
        self.project_description()
        self.sets()
        self.keep_aside()
        self.r.counts = self.counts
        det = self.c.detection
        if det is not None:
            self.r.convention, self.r.convention_note = det.convention, det.explain()
        self.r.kept_aside_selections = len(self.kept)
        self.r.kept_aside_codings = sum(len(k.codes) for k in self.kept)
        return self.r

    def users(self) -> None:
        for u in self.proj.users:
            if u.guid in self.coders:
                continue
            name = u.name.strip() or f"user {u.guid[:8]}"
            final = unique(name, self.coder_names)
            if final != name:
                self.r.renamed.append(f"coder {name!r} -> {final!r} (two users with one name)")
            self.coders[u.guid] = self.insert("coders", {
                "guid": self.guid("coders", u.guid), "name": final,
                "color": CODER_COLORS[len(self.coders) % len(CODER_COLORS)], "created": self.now})
        if self.proj.creating_user in self.coders:
            self._default = self.coders[self.proj.creating_user]

    @property
    def default_coder(self) -> int:
        """Who made what the file does not attribute: the project's creator, else the
        importing coder (created only when needed)."""
        if self._default is None:
            me = self.p.coder
            row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (me,)).fetchone()
            self._default = row[0] if row else self.insert("coders", {
                "guid": self.guid("coders", None), "name": unique(me, self.coder_names),
                "color": CODER_COLORS[len(self.coders) % len(CODER_COLORS)], "created": self.now})
        return self._default

    def codes(self, codes: list[refi.Code], parent: int | None, path: tuple[str, ...]) -> None:
        taken: set[str] = set()
        for pos, c in enumerate(codes):
            name = clean_code_name(c.name)
            final = unique(name, taken)
            if final != c.name:
                self.r.renamed.append(f"code {codepath.join(path + (c.name,))!r} -> {final!r}")
            if c.guid in self.code_ids:
                self.r.warnings.append(f"code {final!r} repeats the GUID of another code; given a new one")
            code_id = self.insert("codes", {
                "guid": self.guid("codes", c.guid), "parent_id": parent, "name": final,
                "description": self.own_part(c.description, c.note_refs), "color": c.color or PALETTE[self.counts["codes"] % len(PALETTE)],
                "memo": "", "position": pos, "created": self.now})
            self.code_ids.setdefault(c.guid, code_id)
            self.code_paths[code_id] = path + (final,)
            self.codes(c.children, code_id, path + (final,))

    def plan_notes(self) -> None:
        """Where each note belongs, decided before codings are written (coding memos)."""
        note_ids = {n.guid for n in self.proj.notes}
        self.note_refs: dict[str, list[tuple[str, str | None]]] = {g: [] for g in note_ids}

        def ref(kind: str, target: str | None, notes: Sequence[str]) -> None:
            for g in notes:
                if g in self.note_refs:
                    self.note_refs[g].append((kind, target))
                else:
                    self.r.skip("references to notes that are not in the file")

        ref("project", None, self.proj.note_refs)
        for code, _path in refi.walk_codes(self.proj.codes):
            ref("code", code.guid, code.note_refs)
        self.coding_memos: dict[str, list[str]] = {}
        for src in self.proj.sources:
            ref("source", src.guid, src.note_refs)
            for sel in src.selections:  # one per coded span: most refer to no notes
                if sel.note_refs:
                    ref("selection", sel.guid, sel.note_refs)
                for c in sel.codings:
                    if c.note_refs:
                        ref("coding", c.guid, c.note_refs)
        cases = {c.guid for c in self.proj.cases}
        codes = {c.guid for c, _ in refi.walk_codes(self.proj.codes)}
        sources = {s.guid for s in self.proj.sources if s.has_text}
        for ln in self.proj.links:
            if ln.origin in note_ids:
                note, other = ln.origin, ln.target
            elif ln.target in note_ids:
                note, other = ln.target, ln.origin
            else:
                if not is_passage_link(self, ln):  # see-also links are read by import_anchors
                    self.r.skip("links between objects other than notes")
                continue
            kind = ("link-case" if other in cases else "link-code" if other in codes
                    else "link-source" if other in sources else "link-other")
            self.note_refs[note].append((kind, other))
        texts = {n.guid: n.text for n in self.proj.notes}
        self.sel_memos: dict[str, list[str]] = {}
        for g, refs in self.note_refs.items():
            for kind, target in refs:
                if target is None:  # the project's own notes
                    continue
                if kind == "coding":
                    self.coding_memos.setdefault(target, []).append(texts[g])
                elif kind == "selection":
                    self.sel_memos.setdefault(target, []).append(texts[g])

    def sources(self) -> None:
        write_sources(self)

    def cases(self) -> None:
        names: set[str] = set()
        # a case's memo notes: notes linked to the case alone (not matrix summaries), in link order
        case_memos: dict[str, list[str]] = {}
        for ln in self.proj.links:
            note, other = (ln.origin, ln.target) if ln.origin in self.note_text else (ln.target, ln.origin)
            refs = self.note_refs.get(note, [])
            if note in self.note_text and refs and all(k == "link-case" for k, _ in refs):
                case_memos.setdefault(other, []).append(note)
        for i, case in enumerate(self.proj.cases, start=1):
            name = one_line(case.name, strip=False)  # its own spaces kept: a round trip gives them back
            if not name.strip():
                name = f"Case {i}"
            final = unique(name, names)
            if final != name:
                self.r.renamed.append(f"case {name!r} -> {final!r} (two cases with one name)")
            cid = self.insert("cases", {"guid": self.guid("cases", case.guid), "name": final,
                                        "memo": self.own_part(case.description, case_memos.get(case.guid, [])),
                                        "created": self.now})
            self.case_ids.setdefault(case.guid, cid)
            linked: set[int] = set()
            for g in case.sources:
                if g in self.source_ids:
                    linked.add(self.source_ids[g])
                else:
                    self.r.skip("case links to sources that were not imported")
            for g in case.selections:
                g = self.c.duplicate_of.get(g, g)  # a dropped duplicate: the selection it repeats
                if g in self.sel_source:
                    linked.add(self.sel_source[g])
                    self.r.assumptions.append(f"case {final!r}: a coded selection links the case to its whole source")
                else:
                    self.r.skip("case links to selections that were not imported")
            self.conn.executemany("INSERT INTO case_sources (case_id, source_id) VALUES (?, ?)",
                                  [(cid, s) for s in sorted(linked)])
            self.r.skip("codes applied to whole cases (not a coding of text)", len(case.codes))
        self.r.assumptions = list(dict.fromkeys(self.r.assumptions))

    def attributes(self) -> None:
        owners = {"case": [(self.case_ids.get(c.guid), c.values) for c in self.proj.cases],
                  "source": [(self.source_ids.get(s.guid), s.values) for s in self.proj.sources]}
        declared = {v.guid: v for v in self.proj.variables}
        values: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for applies, items in owners.items():
            for owner, held in items:
                for val in held:
                    if val.variable not in declared:
                        self.r.skip("values of variables that are not declared")
                    elif owner is not None:
                        values.setdefault((val.variable, applies), []).append((owner, val.value))
        names: dict[str, set[str]] = {"case": set(), "source": set()}
        position = 0
        for var in self.proj.variables:
            as_boolean = var.type == "Text" and var.description == refi.BOOLEAN_AS_TEXT
            if var.description.strip() and not as_boolean:
                self.r.skip("variable descriptions (attributes have none)")
            used = [a for a in ("case", "source") if (var.guid, a) in values] or ["case"]
            for applies in used:
                vals = values.get((var.guid, applies), [])
                t = "boolean" if as_boolean else refi.VARIABLE_TYPES[var.type]
                if any(v and parse_value(v, t) is None for _, v in vals):
                    self.r.warnings.append(f"variable {var.name!r}: some values are not {t}; imported as text")
                    t = "text"
                name = var.name or f"Variable {position + 1}"
                final = unique(name, names[applies])
                if final != name:
                    self.r.renamed.append(f"variable {name!r} -> {final!r} (two variables with one name)")
                aid = self.insert("attributes", {"name": final, "type": t, "applies_to": applies, "position": position})
                position += 1
                rows, seen = [], set()
                for owner, v in vals:
                    if v == "" or owner in seen:
                        continue
                    seen.add(owner)
                    rows.append((aid, owner, None, v) if applies == "case" else (aid, None, owner, v))
                self.conn.executemany(
                    "INSERT INTO attribute_values (attribute_id, case_id, source_id, value) VALUES (?, ?, ?, ?)", rows)
                self.counts["attribute_values"] += len(rows)

    def own_part(self, description: str, note_refs: Sequence[str]) -> str:
        """A ``<Description>`` without the memos its notes also hold (our exports, and any
        writer that repeats notes there for QualCoder's sake): those come in as memos."""
        own = refi.split_description(description, [self.note_text[g] for g in note_refs if g in self.note_text])
        if own != description:
            note = "descriptions that repeat their notes' memos (as QualCoder Lite writes them) were split: each memo imported once"
            if note not in self.r.assumptions:
                self.r.assumptions.append(note)
        return own

    def project_description(self) -> None:
        """The project's ``<Description>`` (where QualCoder keeps its project memo) becomes a
        project memo, unless it only repeats the project's notes."""
        own = self.own_part(self.proj.description, self.proj.note_refs)
        if own.strip():
            self.memo("project", None, refi.Note(refi.derived_guid("project-description", self.proj.name),
                                                 PROJECT_DESCRIPTION_TITLE, own, self.proj.creating_user,
                                                 self.proj.created), True)

    def memo(self, kind: str, target: int | None, note: refi.Note, first: bool) -> None:
        created = refi.valid_datetime(note.created) or self.now
        self.insert("memos", {
            "guid": self.guid("memos", note.guid if first else None), "kind": kind, "target_id": target,
            "title": note.name, "body": note.text, "coder_id": self.coder_for(note.user) if note.user else None,
            "created": created, "modified": refi.valid_datetime(note.modified) or created})

    def notes(self) -> None:
        for note in self.proj.notes:
            refs = self.note_refs[note.guid]
            rows = [("case", self.case_ids[g]) for k, g in refs if k == "link-case" and g in self.case_ids]
            rows += [("source", self.source_ids[g]) for k, g in refs if k == "link-source" and g in self.source_ids]
            codes = [self.code_ids[g] for k, g in refs if k == "link-code" and g in self.code_ids]
            if rows and codes:
                for row_kind, row_id in rows:
                    for code_id in codes:
                        self.matrix_cell(row_kind, row_id, code_id, note)
                continue
            placed = 0
            for kind, g in refs:
                if kind == "project":
                    self.memo("project", None, note, placed == 0)
                elif kind in ("code", "link-code") and g in self.code_ids:
                    if note.guid == refi.derived_guid("code-summary", g):
                        self.conn.execute("UPDATE codes SET memo = ? WHERE id = ?", (note.text, self.code_ids[g]))
                        placed += 1
                        continue
                    self.memo("code", self.code_ids[g], note, placed == 0)
                elif kind in ("source", "link-source") and g in self.source_ids:
                    self.memo("source", self.source_ids[g], note, placed == 0)
                elif kind == "link-case" and g in self.case_ids:
                    self.memo("case", self.case_ids[g], note, placed == 0)
                elif (kind == "coding" and g in self.codings_written) or (kind == "selection" and g in self.sel_source):
                    pass  # written with the codings, as their memo
                else:
                    continue
                placed += 1
            if not placed:
                if refs:
                    self.r.skip("notes attached to objects that were not imported (kept as journal entries)")
                self.memo("journal", None, note, True)

    def matrix_cell(self, row_kind: str, row_id: int, code_id: int, note: refi.Note) -> None:
        found = self.conn.execute("SELECT id, summary FROM matrix_cells WHERE row_kind = ? AND row_id = ? "
                                  "AND code_id = ?", (row_kind, row_id, code_id)).fetchone()
        if found is not None:
            self.conn.execute("UPDATE matrix_cells SET summary = ? WHERE id = ?",
                              (f"{found[1]}\n\n{note.text}", found[0]))
            return
        self.insert("matrix_cells", {
            "row_kind": row_kind, "row_id": row_id, "code_id": code_id, "summary": note.text,
            "coder_id": self.coder_for(note.user) if note.user else None,
            "modified": refi.valid_datetime(note.modified) or refi.valid_datetime(note.created) or self.now})

    def sets(self) -> None:
        names: dict[str, set[str]] = {"code": set(), "source": set()}
        for s in self.proj.sets:
            members = {"code": list(dict.fromkeys(self.code_ids[g] for g in s.codes if g in self.code_ids)),
                       "source": list(dict.fromkeys(self.source_ids[g] for g in s.sources if g in self.source_ids))}
            lost = len(s.codes) + len(s.sources) - len(members["code"]) - len(members["source"])
            self.r.skip("set members that were not imported", lost)
            self.r.skip("notes as set members", len(s.notes))
            kinds = [k for k in ("code", "source") if members[k]]
            if not kinds:
                if s.codes or s.sources or s.notes:
                    self.r.skip("sets none of whose members were imported")
                    continue
                kinds = ["code"]  # an empty set: keep it
            for i, kind in enumerate(kinds):
                set_id = self.insert("sets", {
                    "guid": self.guid("sets", s.guid if i == 0 else refi.derived_guid("set", s.guid, kind)),
                    "name": unique(s.name or "Set", names[kind]), "kind": kind, "memo": s.description})
                self.conn.executemany("INSERT INTO set_members (set_id, member_id) VALUES (?, ?)",
                                      [(set_id, m) for m in members[kind]])

    def keep_aside(self) -> None:
        users = {g: self.conn.execute("SELECT name FROM coders WHERE id = ?", (cid,)).fetchone()[0]
                 for g, cid in self.coders.items()}
        code_path = {}
        for code, path in refi.walk_codes(self.proj.codes):
            cid = self.code_ids.get(code.guid)
            code_path[code.guid] = codepath.join(self.code_paths[cid] if cid else path)
        records = []
        for k in self.kept:
            d = k.as_dict()
            d["code_paths"] = [code_path.get(g, f"(unknown code {g})") for g in k.codes]
            d["coders"] = [users.get(u) if u else None for u in k.users]
            records.append(d)
        det = self.c.detection
        info = {"file": str(self.c.path), "member": self.c.member, "origin": self.proj.origin,
                "imported": self.now, "offsets": det.convention if det else None, "kept_aside": records}
        self.insert("settings", {"key": SETTING, "value": _json(info)})
        if not records:
            return
        lines = [f"{len(records)} selections from {self.c.path.name} could not become codings; all are kept in "
                 f"the project setting '{SETTING}' (key 'kept_aside') with their original offsets.", ""]
        for d in records[:_MEMO_LIST_LIMIT]:
            span = f"{d['start']}-{d['end']}" if d["start"] is not None else "no text span"
            codes = ", ".join(d["code_paths"]) or "(no codes)"
            lines.append(f"- {d['source']} [{span}] {codes}: {d['reason']}")
        if len(records) > _MEMO_LIST_LIMIT:
            lines.append(f"… and {len(records) - _MEMO_LIST_LIMIT} more")
        note = refi.Note(str(uuid.uuid4()), KEPT_ASIDE_TITLE, "\n".join(lines))
        self.memo("journal", None, note, True)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def build_project(project, content: QdpxContent, progress: Progress | None = None) -> QdpxImportReport:
    """Write ``content`` into ``project`` (new and empty) in one transaction."""
    builder = _Builder(project, content, progress)
    with project.transaction():
        report = builder.run()
    return report
