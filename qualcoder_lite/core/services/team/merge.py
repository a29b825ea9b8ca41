"""Merge a colleague's copy of the project into this one, as one undoable step.

The other file is never touched: it is copied (with its write-ahead log) to a temporary
folder, opened there with ``open_project`` (which migrates older schemas) and read into a
``Snapshot`` of plain rows. A colleague's .qdpx is first imported by the REFI-QDA import
(``services.refi.interop.import_qdpx``) into a scratch project in a temporary folder and read the
same way. ``MergeCopy`` then writes the snapshot into this project:

* **sources** match by GUID first (a transcript corrected in one copy keeps its GUID: the
  other copy's codings move to follow this copy's text), then by content: the hash of the current text, then the stored import hash
  (``text_hash``); a matched source keeps its name here. New sources come with their speaker
  turns and case links. A source with the same import hash but different text (edited in one
  copy), or a new source whose name is taken here by a different text, is added under a new
  name and listed as a conflict;
* **codes** match by GUID, then by path (name under the matched parent); new codes keep their
  GUID and are created with their parents. A code renamed or moved in one copy (same GUID,
  different path) keeps this copy's path and is listed;
* **coders** match by name (created when new), and every coding is added under its coder;
  identical codings (same source, code, coder, start, end) are not duplicated;
* **annotations, see-also links, summary links** (``services.anchors.merge_anchors``) and
  **cases, attributes, memos, matrix summaries, speaker roles, sets**: what is new is added; an
  empty value here is filled from the other copy; differing values are listed, never
  overwritten.

Everything the user may want to decide lands in ``MergeReport.conflicts``; what reading the
other copy assumed (e.g. a .qdpx's offset convention) in ``MergeReport.notes``.

Reading the other copy lives in ``merge_read``, the report in ``merge_report``; this module
writes the snapshot and is the public surface of all three.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Callable

from ... import codepath
from ...commands import Command
from ...errors import InputError
from ...store.recorder import Recorder
from ..anchors.merge_anchors import merge_anchors
from ..search.word_index import build_word_index
from .merge_read import Snapshot, _sha, distinct_color, read_copy, scratch_prefix, snapshot_of
from .merge_report import COUNT_KEYS, Conflict, MergeReport


# --------------------------------------------------------------------------- the command
class MergeCopy(Command):
    """Merge a ``Snapshot`` of another copy into the project (one transaction, one undo)."""

    def __init__(self, snapshot: Snapshot, progress=None):
        super().__init__()
        self.snap: Snapshot | None = snapshot  # None once applied
        self.name = f"Merge {snapshot.label}"
        self.progress = progress  # (done, total, label) -> keep going? False rolls the merge back

    def apply(self, project, rec: Recorder) -> MergeReport:
        if self.snap is None:
            raise RuntimeError("a merge runs once; redo replays its rows")
        m = _Merger(project, rec, self.snap)
        m.run(self.progress)
        self.snap = None  # undo and redo replay the recorded rows: the other copy's rows are not kept
        return m.report


def merge_copy(project, path: str | Path) -> MergeCopy:
    """Read ``path`` and merge it into ``project``; returns the executed command (its
    ``result`` is the ``MergeReport``; ``project.undo(cmd)`` undoes the whole merge)."""
    cmd = prepare_merge(project, path)
    project.execute(cmd)
    return cmd


def prepare_merge(project, path: str | Path, progress=None) -> MergeCopy:
    """Check and read the other copy; the returned command has not run yet (it reports
    its steps to ``progress``, if given)."""
    from ...outfile import check_input

    path = Path(path)
    check_input(path, project.path, "colleague's copy to merge")  # any spelling, symlink or hard link
    return MergeCopy(read_copy(path, _texts_to_keep(project)), progress)


def _texts_to_keep(project) -> Callable[[dict], bool]:
    """Which of the other copy's texts the merge reads: those of a source this project does
    not have (by text), or has under the same GUID with another text. The others are
    matched by their ``sha`` alone, so a copy of this project is read without its texts."""
    here_by_guid: dict[str, str] = {}
    here: set[str] = set()
    for r in project.conn.execute("SELECT guid, text FROM sources"):  # one text at a time
        sha = _sha(r["text"])
        here_by_guid[r["guid"]] = sha
        here.add(sha)
    return lambda s: s["sha"] not in here or here_by_guid.get(s["guid"], s["sha"]) != s["sha"]


class _Merger:
    def __init__(self, project, rec: Recorder, snap: Snapshot):
        self.p = project
        self.conn = project.conn
        self.rec = rec
        self.snap = snap
        self.report = MergeReport(snap.label, notes=list(snap.notes))
        self.coder_map: dict[int, int] = {}
        self.source_map: dict[int, int] = {}
        self.case_map: dict[int, int] = {}
        self.code_map: dict[int, int] = {}
        self.attr_map: dict[int, int] = {}
        self.text_maps: dict = {}  # other copy's source id -> TextDiff to this copy's text

    def run(self, progress=None) -> None:
        steps = (self.coders, self.sources, self.cases, self.attributes, self.codes, self.codings, self.memos,
                 self.matrix, self.anchors, self.speaker_roles, self.sets)
        for i, step in enumerate(steps):
            if progress is not None and not progress(i, len(steps), f"Merging {step.__name__.replace('_', ' ')}"):
                raise InterruptedError("merge cancelled")
            step()

    def anchors(self) -> None:
        merge_anchors(self)

    # -- helpers ---------------------------------------------------------------------
    def _free_guid(self, table: str, guid: str | None) -> str:
        if guid and self.conn.execute(f'SELECT 1 FROM "{table}" WHERE guid = ?', (guid,)).fetchone() is None:
            return guid
        return str(uuid.uuid4())

    def _coder(self, other_id: int | None) -> int | None:
        return None if other_id is None else self.coder_map.get(other_id)

    def _fill_or_conflict(self, table: str, row_id: int, column: str, here: str | None,
                          there: str | None, kind: str, what: str) -> None:
        """Fill an empty value here from the other copy; list a differing one."""
        if there in (None, "") or here == there:
            return
        if here in (None, ""):
            self.rec.update(table, row_id, {column: there})
        else:
            self.report.conflict(kind, what, here, there, "kept this copy's")

    # -- coders ----------------------------------------------------------------------
    def coders(self) -> None:
        used = {(r[0] or "").lower() for r in self.conn.execute("SELECT color FROM coders")}
        for oid, c in sorted(self.snap.coders.items(), key=lambda kv: kv[1]["name"]):
            local = self.p.coders.id_of(c["name"])
            if local is None:
                color = distinct_color(c["color"], used)
                used.add(color.lower())
                local = self.rec.insert("coders", {
                    "guid": self._free_guid("coders", c["guid"]), "name": c["name"],
                    "color": color, "created": c["created"],
                })
                self.report.bump("coders_added")
            self.coder_map[oid] = local

    # -- sources ---------------------------------------------------------------------
    def sources(self) -> None:
        by_text: dict[str, int] = {}
        by_import_hash: dict[str, int] = {}
        names: set[str] = set()
        by_guid: dict[str, tuple[int, str]] = {}  # guid -> (id, sha of its text)
        for r in self.conn.execute("SELECT id, guid, name, text, text_hash FROM sources ORDER BY id"):
            sha = _sha(r["text"])  # one text at a time: only the digests are kept
            by_text.setdefault(sha, r["id"])
            by_import_hash.setdefault(r["text_hash"], r["id"])
            by_guid[r["guid"]] = (r["id"], sha)
            names.add(r["name"])
        for s in self.snap.sources:
            key = s["sha"]
            local = self._by_guid(s, by_guid.get(s["guid"])) or by_text.get(key)
            if local is not None:
                self.source_map[s["id"]] = local
                self.report.bump("sources_matched")
                here = self.p.sources.get(local).name
                if here != s["name"]:
                    self.report.conflict("source_renamed", "source renamed in the other copy (same text)",
                                         here, s["name"], "kept this copy's name")
                continue
            name = s["name"]
            edited = by_import_hash.get(s["text_hash"])
            if edited is not None:
                here = self.p.sources.get(edited).name
                name = self._unique_name(f"{s['name']} ({self.snap.label})", names)
                self.report.conflict(
                    "source_text_differs",
                    f"source '{here}': imported from the same file, but the text differs in the other copy",
                    None, None, f"added the other copy's version as '{name}' with its codings")
            elif name in names:
                name = self._unique_name(f"{s['name']} ({self.snap.label})", names)
                self.report.conflict(
                    "source_name_taken", f"two different texts are named '{s['name']}'",
                    None, None, f"added the other copy's source as '{name}'")
            names.add(name)
            text = self._text(s)
            new_id = self.rec.insert("sources", {
                "guid": self._free_guid("sources", s["guid"]), "name": name, "kind": s["kind"], "text": text,
                "text_hash": s["text_hash"], "words": s["words"], "file_format": s["file_format"],
                "original_path": s["original_path"], "imported": s["imported"],
                "imported_by": self._coder(s["imported_by"]), "memo": s["memo"],
                "word_index": build_word_index(text),
            })
            by_text[key] = new_id
            for t in self.snap.turns.get(s["id"], ()):
                self.rec.insert("speaker_turns", {
                    "source_id": new_id, "speaker": t["speaker"], "label_start": t["label_start"],
                    "label_end": t["label_end"], "start": t["start"], "end": t["end"], "timestamp": t["timestamp"],
                })
            self.source_map[s["id"]] = new_id
            self.report.bump("sources_added")
        # source memos on matched sources
        for s in self.snap.sources:
            local = self.source_map[s["id"]]
            here = self.conn.execute("SELECT name, memo FROM sources WHERE id = ?", (local,)).fetchone()
            self._fill_or_conflict("sources", local, "memo", here["memo"], s["memo"], "source_memo",
                                   f"the memo of source '{here['name']}' differs")

    def _by_guid(self, s: dict, here: tuple[int, str] | None) -> int | None:
        """The same source (GUID) in both copies; when its text was corrected in one of them
        (``update-source``), the other copy's codings move to follow this copy's text."""
        if here is None or here[1] == s["sha"]:
            return here[0] if here else None
        from ..sources.textdiff import TextDiff

        self.text_maps[s["id"]] = TextDiff(self._text(s), self.p.sources.text(here[0]))
        self.report.conflict("source_text_edited", f"source '{s['name']}': the text differs between the copies "
                             "(corrected in one)", None, None, "kept this copy's text; moved the other copy's "
                             "codings to follow it")
        return here[0]

    def _text(self, s: dict) -> str:
        """The other copy's text of ``s``, read when the merge was prepared (``_texts_to_keep``)."""
        if "text" not in s:  # a text here changed between reading the copy and merging it
            raise InputError(self.snap.path or self.snap.label, "this project's texts changed while the copy was "
                             "read; nothing was merged (merge it again)")
        return s["text"]

    def _follow_text(self, k) -> dict | None:
        """A coding of a source whose text differs here, moved to follow this text; None
        (listed) when this copy deleted all of its text."""
        start, end = self.text_maps[k["source_id"]].span(k["start"], k["end"])
        if start < end:
            return dict(k, start=start, end=end)
        self.report.conflict("coding_text_deleted", f"a coding at {k['start']}–{k['end']} in the other copy: its "
                             "text was deleted from this copy's corrected transcript", None, None, "not added")
        return None

    @staticmethod
    def _unique_name(base: str, taken: set[str]) -> str:
        name, n = base, 2
        while name in taken:
            name = f"{base} {n}"
            n += 1
        return name

    # -- cases and attributes --------------------------------------------------------------
    def cases(self) -> None:
        for c in self.snap.cases:
            local = self.p.cases.id_of(c["name"])
            if local is None:
                local = self.rec.insert("cases", {"guid": self._free_guid("cases", c["guid"]), "name": c["name"],
                                                  "memo": c["memo"], "created": c["created"]})
                self.report.bump("cases_added")
            else:
                here = self.conn.execute("SELECT memo FROM cases WHERE id = ?", (local,)).fetchone()[0]
                self._fill_or_conflict("cases", local, "memo", here, c["memo"], "case_memo",
                                       f"the memo of case '{c['name']}' differs")
            self.case_map[c["id"]] = local
        for case_id, source_id in self.snap.case_sources:
            if self.p.cases.link(self.rec, self.case_map[case_id], self.source_map[source_id]):
                self.report.bump("case_links_added")

    def attributes(self) -> None:
        from ..sources.attributes import parse_value

        types: dict[int, str] = {}
        for a in self.snap.attributes:
            row = self.conn.execute("SELECT id, type FROM attributes WHERE name = ? AND applies_to = ?",
                                    (a["name"], a["applies_to"])).fetchone()
            if row is None:
                local = self.rec.insert("attributes", {"name": a["name"], "type": a["type"],
                                                       "applies_to": a["applies_to"],
                                                       "position": self.p.attributes.next_position()})
                types[local] = a["type"]
                self.report.bump("attributes_added")
            else:
                local, types[local] = row["id"], row["type"]
                if row["type"] != a["type"]:
                    self.report.conflict("attribute_type", f"type of attribute '{a['name']}' differs",
                                         row["type"], a["type"], "kept this copy's type")
            self.attr_map[a["id"]] = local
        case_names = {c["id"]: c["name"] for c in self.snap.cases}
        source_names = {s["id"]: s["name"] for s in self.snap.sources}
        attr_names = {a["id"]: a["name"] for a in self.snap.attributes}
        for v in self.snap.attribute_values:
            attr = self.attr_map[v["attribute_id"]]
            if v["case_id"] is not None:
                owner = {"case_id": self.case_map[v["case_id"]]}
                who = f"case '{case_names[v['case_id']]}'"
            else:
                owner = {"source_id": self.source_map[v["source_id"]]}
                who = f"source '{source_names[v['source_id']]}'"
            what = f"attribute '{attr_names[v['attribute_id']]}' of {who}"
            existing = self.p.attributes.value_id(attr, **owner)
            if existing is None:
                if v["value"] != "" and parse_value(v["value"], types[attr]) is None:
                    self.report.conflict("attribute_value", f"{what} is not a valid {types[attr]} here",
                                         None, v["value"], "not added")
                    continue
                self.rec.insert("attribute_values", {"attribute_id": attr, "value": v["value"], **owner})
                self.report.bump("attribute_values_added")
            elif existing[1] != v["value"] and (
                    parse_value(existing[1], types[attr]) is None
                    or parse_value(existing[1], types[attr]) != parse_value(v["value"], types[attr])):
                # typed: 'yes' and 'true', '2016' and '2016.0' are the same value
                self._fill_or_conflict("attribute_values", existing[0], "value", existing[1], v["value"],
                                       "attribute_value", f"{what} differs")

    # -- codes -----------------------------------------------------------------------
    def codes(self) -> None:
        by_guid = {r[0]: r[1] for r in self.conn.execute("SELECT guid, id FROM codes")}
        for c in self.snap.codes:
            local = by_guid.get(c["guid"])
            parent = None if c["parent_id"] is None else self.code_map[c["parent_id"]]
            if local is None:
                row = self.conn.execute("SELECT id FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND name = ?",
                                        (parent, c["name"])).fetchone()
                local = None if row is None else row["id"]
            if local is None:
                local = self.rec.insert("codes", {
                    "guid": c["guid"] if c["guid"] not in by_guid else str(uuid.uuid4()),
                    "parent_id": parent, "name": c["name"], "description": c["description"], "color": c["color"],
                    "memo": c["memo"], "position": self.p.codes.next_position(parent), "created": c["created"],
                })
                by_guid[c["guid"]] = local
                self.report.bump("codes_added")
            else:
                self.report.bump("codes_matched")
                here = self.p.codes.get(local)
                there = codepath.join(c["path"])
                # a change of the code's own name or parent is listed once (not for every sub-code
                # of a renamed theme, whose paths differ only through it)
                if here.parent_id != parent or here.name != c["name"]:
                    kind = "code_renamed" if here.parent_id == parent else "code_moved"
                    verb = "renamed" if kind == "code_renamed" else "moved"
                    self.report.conflict(kind, f"code {verb} in the other copy (same code GUID)",
                                         here.path_str, there, "kept this copy's name and place; codings merged")
                for col in ("description", "memo"):
                    self._fill_or_conflict("codes", local, col, getattr(here, col), c[col], f"code_{col}",
                                           f"the {col} of code '{here.display_path}' differs")
            self.code_map[c["id"]] = local

    # -- codings ---------------------------------------------------------------------
    def _codings_here(self, source_id: int) -> dict[tuple, tuple[int, str, str | None]]:
        """This copy's codings of one source, by (source, code, coder, start, end)."""
        return {(source_id, r[1], r[2], r[3], r[4]): (r[0], r[5], r[6]) for r in self.conn.execute(
            'SELECT id, code_id, coder_id, start, "end", memo, quote_edit FROM codings WHERE source_id = ?',
            (source_id,))}

    def codings(self) -> None:
        """The other copy's codings come source by source: this copy's codings are read for
        one source at a time (with those added meanwhile), never all at once."""
        here_source, existing = None, {}
        code_paths = {c["id"]: codepath.join(c["path"]) for c in self.snap.codes}
        source_names = {s["id"]: s["name"] for s in self.snap.sources}
        for k in self.snap.codings:
            coder = self.coder_map[k["coder_id"]]
            if k["source_id"] in self.text_maps:
                followed = self._follow_text(k)
                if followed is None:
                    continue
                k = followed
            key = (self.source_map[k["source_id"]], self.code_map[k["code_id"]], coder, k["start"], k["end"])
            if key[0] != here_source:
                here_source, existing = key[0], self._codings_here(key[0])
            desc = (f"coding of '{code_paths[k['code_id']]}' in '{source_names[k['source_id']]}' "
                    f"by {self.snap.coders[k['coder_id']]['name']}")
            what = f"{desc} at {k['start']}–{k['end']}"
            found = existing.get(key)
            if found is not None:
                self.report.bump("codings_duplicate")
                self._fill_or_conflict("codings", found[0], "memo", found[1], k["memo"], "coding_memo",
                                       f"the memo of the {what} differs")
                self._fill_or_conflict("codings", found[0], "quote_edit", found[2], k["quote_edit"],
                                       "quote_edit", f"the edited quote of the {what} differs")
                continue
            guid = k["guid"]
            here = self.conn.execute('SELECT start, "end" FROM codings WHERE guid = ?', (guid,)).fetchone()
            if here is not None:
                self.report.conflict("coding_changed", f"the same {desc} was changed in one copy",
                                     f"{here[0]}–{here[1]}", f"{k['start']}–{k['end']}", "kept both")
                guid = str(uuid.uuid4())
            new_id = self.rec.insert("codings", {
                "guid": guid, "source_id": key[0], "code_id": key[1], "coder_id": coder, "start": k["start"],
                "end": k["end"], "memo": k["memo"], "created": k["created"], "quote_edit": k["quote_edit"],
            })
            existing[key] = (new_id, k["memo"], k["quote_edit"])
            self.report.bump("codings_added")

    # -- memos, matrix, speaker roles, sets --------------------------------------------------
    def _target(self, kind: str, target_id: int | None) -> int | None:
        maps = {"source": self.source_map, "case": self.case_map, "code": self.code_map}
        if kind in maps:
            return None if target_id is None else maps[kind].get(target_id)
        return target_id  # journal and project memos point at nothing in particular

    def memos(self) -> None:
        here = {r["guid"]: dict(r) for r in self.conn.execute("SELECT * FROM memos")}
        for mm in self.snap.memos:
            mine = here.get(mm["guid"])
            if mine is None:
                target = self._target(mm["kind"], mm["target_id"])
                if mm["kind"] in ("source", "case", "code") and target is None:
                    self.report.conflict("memo", f"{mm['kind']} memo '{mm['title']}' belongs to something missing",
                                         None, mm["title"], "not added")
                    continue
                self.rec.insert("memos", {
                    "guid": mm["guid"], "kind": mm["kind"], "target_id": target, "title": mm["title"],
                    "body": mm["body"], "coder_id": self._coder(mm["coder_id"]), "created": mm["created"],
                    "modified": mm["modified"],
                })
                self.report.bump("memos_added")
            elif (mine["title"], mine["body"]) != (mm["title"], mm["body"]):
                label = mine["title"] or mm["title"] or mine["kind"]
                self._fill_or_conflict("memos", mine["id"], "body", mine["body"], mm["body"], "memo",
                                       f"{mine['kind']} memo '{label}' differs")

    def matrix(self) -> None:
        for cell in self.snap.matrix_cells:
            row = (self.case_map if cell["row_kind"] == "case" else self.source_map).get(cell["row_id"])
            code = self.code_map.get(cell["code_id"])
            if row is None or code is None:
                continue
            found = self.conn.execute(
                "SELECT id, summary FROM matrix_cells WHERE row_kind = ? AND row_id = ? AND code_id = ?",
                (cell["row_kind"], row, code)).fetchone()
            if found is None:
                self.rec.insert("matrix_cells", {
                    "row_kind": cell["row_kind"], "row_id": row, "code_id": code, "summary": cell["summary"],
                    "coder_id": self._coder(cell["coder_id"]), "modified": cell["modified"],
                })
                self.report.bump("matrix_cells_added")
            else:
                self._fill_or_conflict("matrix_cells", found["id"], "summary", found["summary"], cell["summary"],
                                       "matrix_summary",
                                       f"the matrix summary for {self.p.codes.get(code).display_path} "
                                       f"({cell['row_kind']} {self._row_name(cell['row_kind'], row)}) differs")

    def _row_name(self, kind: str, row_id: int) -> str:
        table = "cases" if kind == "case" else "sources"
        r = self.conn.execute(f"SELECT name FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return "?" if r is None else r[0]

    def speaker_roles(self) -> None:
        for r in self.snap.speaker_roles:
            row = self.conn.execute("SELECT id, role FROM speaker_roles WHERE speaker = ?", (r["speaker"],)).fetchone()
            if row is None:
                self.rec.insert("speaker_roles", {"speaker": r["speaker"], "role": r["role"]})
                self.report.bump("speaker_roles_added")
            elif row["role"] != r["role"]:
                self.report.conflict("speaker_role", f"role of speaker '{r['speaker']}' differs",
                                     row["role"], r["role"], "kept this copy's role")

    def sets(self) -> None:
        maps = {"source": self.source_map, "case": self.case_map, "code": self.code_map}
        set_map: dict[int, tuple[int, str]] = {}
        for s in self.snap.sets:
            row = self.conn.execute("SELECT id FROM sets WHERE kind = ? AND name = ?", (s["kind"], s["name"])).fetchone()
            if row is None:
                local = self.rec.insert("sets", {"guid": self._free_guid("sets", s["guid"]), "name": s["name"],
                                                 "kind": s["kind"], "memo": s["memo"]})
                self.report.bump("sets_added")
            else:
                local = row["id"]
            set_map[s["id"]] = (local, s["kind"])
        for mem in self.snap.set_members:
            local_set, kind = set_map[mem["set_id"]]
            member = maps[kind].get(mem["member_id"])
            if member is None:
                continue
            if self.conn.execute("SELECT 1 FROM set_members WHERE set_id = ? AND member_id = ?",
                                 (local_set, member)).fetchone() is None:
                self.rec.insert("set_members", {"set_id": local_set, "member_id": member})


__all__ = ["COUNT_KEYS", "Conflict", "MergeCopy", "MergeReport", "Snapshot", "merge_copy", "prepare_merge",
           "read_copy", "scratch_prefix", "snapshot_of"]
