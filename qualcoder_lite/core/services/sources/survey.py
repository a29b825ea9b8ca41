"""Survey import: open-ended answers as sources, one case per respondent, one undoable step.

``ImportSurvey`` takes a ``SurveyTable`` (``formats.survey_table``) and a ``SurveySpec``:

* one **case** per row, named by the id column; the attribute columns become typed case
  attributes exactly as the attribute import types them (``attributes.infer_type``);
* by default each non-empty **answer is a source** named ``"<id> – <column>"``, linked to the
  respondent's case, so every query, the framework matrix and every citation attribute its
  codings to that respondent;
* with ``by_question`` each text column is **one source** (``"<dataset> – <column>"``) with
  one paragraph per respondent, ``"<id>: answer"``. The paragraph is the respondent's speaker
  turn (speaker = id) and the source is linked to every respondent who answered, as a focus
  group is: quotes cite the respondent (the speaker's case), autocode and ``--speaker``
  select by respondent. The matrix links codings to cases through sources, so there a
  by-question source counts for every respondent in it: chart from per-answer sources;

Empty answers are skipped. ``survey_answers`` records which source holds which answer
(dataset, question, respondent), so importing the same file again updates: a changed
answer's text is replaced with its codings moved to follow it (``anchors``, as
``update-source`` does), new answers are added, nothing is duplicated, every source keeps
its GUID. An answer that became empty keeps its source (and codings) and is reported.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from ...commands import Command
from ...errors import InputError, UsageError
from ...wording import one_line
from ...formats.survey_table import SurveyTable
from ...model import Turn
from ...store.database import now_iso
from ...store.recorder import Recorder
from ..search.search import build_word_index
from ..anchors.follow_text import AnchorChange, follow_text_edit
from .attributes import TYPES, AttributeTable, ImportAttributes, check_value, infer_type
from .importing import count_words, text_hash
from .textdiff import TextDiff

DASH = " – "


@dataclass
class SurveySpec:
    id_column: str
    text_columns: list[str]
    attribute_columns: list[str] = field(default_factory=list)
    by_question: bool = False
    dataset: str | None = None  # default: the file's stem
    types: dict[str, str] = field(default_factory=dict)  # attribute type overrides

    def check(self, table: SurveyTable) -> None:
        """Every named column exists and has one role."""
        if not self.text_columns:
            raise UsageError("name at least one text column (--text)")
        roles: dict[str, str] = {}
        for role, names in (("id", [self.id_column]), ("text", self.text_columns),
                            ("attribute", self.attribute_columns)):
            for name in names:
                if name not in table.columns:
                    shown = ", ".join(repr(c) for c in table.columns[:30])
                    raise UsageError(f"{table.path}: no column named {name!r} (the {role} column); "
                                     f"its columns are {shown}")
                if name in roles:
                    raise UsageError(f"column {name!r} is given both as {roles[name]} and as {role} column")
                roles[name] = role
        for name, t in self.types.items():
            if name not in self.attribute_columns:
                raise UsageError(f"--type names {name!r}, which is not an attribute column")
            if t not in TYPES:
                raise UsageError(f"unknown attribute type {t!r} for {name!r} (text, number, date or boolean)")


@dataclass
class SurveyReport:
    dataset: str
    respondents: int = 0
    cases_created: list[str] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    sources_updated: list[str] = field(default_factory=list)
    sources_unchanged: int = 0
    answers_empty: int = 0
    emptied: list[str] = field(default_factory=list)  # sources whose answer is now empty: kept
    attributes: str = ""
    changes: list[AnchorChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"dataset": self.dataset, "respondents": self.respondents, "cases_created": len(self.cases_created),
                "sources_added": len(self.sources_added), "sources_updated": len(self.sources_updated),
                "sources_unchanged": self.sources_unchanged, "answers_empty": self.answers_empty,
                "codings_changed": sum(1 for c in self.changes if c.status == "changed"),
                "warnings": len(self.warnings)}

    def summary(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count:,} {word}" + ("" if count == 1 else "s")

        return (f"survey '{self.dataset}': {n(self.respondents, 'respondent')} ({len(self.cases_created):,} new "
                f"case{'' if len(self.cases_created) == 1 else 's'}), {n(len(self.sources_added), 'source')} added, "
                f"{len(self.sources_updated):,} updated, {self.sources_unchanged:,} unchanged, "
                f"{n(self.answers_empty, 'empty answer')} skipped")


def _answer_text(cell: str) -> str:
    from ...formats.textnorm import normalise

    return normalise(cell).strip()


@dataclass
class _Source:
    """What one source should hold after the import."""

    question: str
    respondent: str  # '' for a by-question source
    name: str
    text: str
    cases: list[str]
    turns: list[Turn]


def plan_sources(table: SurveyTable, spec: SurveySpec, dataset: str) -> tuple[list[_Source], int]:
    """The sources the table makes, and how many answers were empty."""
    id_col = table.column(spec.id_column)
    out: list[_Source] = []
    empty = 0
    for question in spec.text_columns:
        col = table.column(question)
        answers = [(one_line(row[id_col]), _answer_text(row[col])) for _n, row in table.rows]
        empty += sum(1 for _r, a in answers if not a)
        answers = [(r, a) for r, a in answers if a]
        if not spec.by_question:
            out.extend(_Source(question, r, f"{r}{DASH}{question}", a, [r], []) for r, a in answers)
            continue
        if not answers:
            continue
        parts, turns, pos = [], [], 0
        for r, a in answers:
            a = re.sub(r"\n\s*\n+", "\n", a)  # one paragraph per respondent
            label = f"{r}: "
            turns.append(Turn(r, pos, pos + len(r) + 1, pos + len(label), pos + len(label) + len(a), None))
            parts.append(label + a)
            pos += len(label) + len(a) + 2
        out.append(_Source(question, "", f"{dataset}{DASH}{question}", "\n\n".join(parts), [r for r, _a in answers],
                           turns))
    return out, empty


def _respondents(table: SurveyTable, spec: SurveySpec) -> list[str]:
    id_col = table.column(spec.id_column)
    seen: dict[str, int] = {}
    for number, row in table.rows:
        rid = one_line(row[id_col])  # as the case is named
        if not rid:
            raise InputError(table.path, f"row {number}: the id column {spec.id_column!r} is empty")
        if rid in seen:
            raise InputError(table.path, f"row {number}: id {rid!r} in column {spec.id_column!r} appears twice "
                                         f"(first on row {seen[rid]})")
        seen[rid] = number
    return list(seen)


def attribute_table(table: SurveyTable, spec: SurveySpec) -> AttributeTable | None:
    """The attribute columns as an attributes table, typed like the attribute import."""
    if not spec.attribute_columns:
        return None
    id_col = table.column(spec.id_column)
    cols = {name: table.column(name) for name in spec.attribute_columns}
    rows = [(one_line(row[id_col]), {name: row[i] for name, i in cols.items()}) for _n, row in table.rows]
    types = {}
    for name in spec.attribute_columns:
        t = spec.types.get(name) or infer_type([values[name] for _r, values in rows])
        for rid, values in rows:
            try:
                check_value(values[name], t, f"{table.path}: respondent {rid!r}, column {name!r}")
            except UsageError as exc:
                raise InputError(None, str(exc)) from None
        types[name] = t
    return AttributeTable(table.path, list(spec.attribute_columns), types, rows)


class ImportSurvey(Command):
    """Import (or import again) a survey table as one undoable step (see the module)."""

    def __init__(self, table: SurveyTable, spec: SurveySpec, drop_deleted: bool = False):
        super().__init__()
        spec.check(table)
        self.table, self.spec, self.drop_deleted = table, spec, drop_deleted
        self.respondents = _respondents(table, spec)
        self.dataset = (spec.dataset or table.path.stem).strip() or table.path.name
        self.attributes = attribute_table(table, spec)
        self.name = f"Import survey {table.path.name}"

    def apply(self, project, rec: Recorder) -> SurveyReport:
        report = SurveyReport(self.dataset, respondents=len(self.respondents))
        self.coder_id = project.coders.ensure(rec, project.coder)
        case_ids: dict[str, int] = {}
        for rid in self.respondents:
            case_ids[rid], created = project.cases.ensure(rec, rid)
            if created:
                report.cases_created.append(rid)
        if self.attributes is not None:
            report.attributes = ImportAttributes(self.attributes, create_cases=True).apply(project, rec).summary()
        planned, report.answers_empty = plan_sources(self.table, self.spec, self.dataset)
        known = {(r["question"], r["respondent"]): (r["source_id"], r["name"]) for r in project.conn.execute(
            "SELECT a.question, a.respondent, a.source_id, s.name FROM survey_answers a "
            "JOIN sources s ON s.id = a.source_id WHERE a.dataset = ?", (self.dataset,))}
        names = {r[0] for r in project.conn.execute("SELECT name FROM sources")}
        for s in planned:
            found = known.pop((s.question, s.respondent), None)
            if found is None:
                sid = self._add(rec, s, names, report)
            else:
                sid = found[0]
                self._update(project, rec, sid, found[1], s, report)
            for rid in s.cases:
                project.cases.link(rec, case_ids[rid], sid)
        for (question, respondent), (_sid, name) in sorted(known.items()):
            same_mode = (respondent == "") == self.spec.by_question
            if same_mode and question in self.spec.text_columns:  # answered before, empty now: kept, codings too
                report.emptied.append(name)
        if report.emptied:
            report.warnings.append(f"{self.table.path.name}: {len(report.emptied):,} answer(s) imported before are "
                                   f"empty now; their sources were kept: {', '.join(report.emptied[:10])}")
        return report

    def _add(self, rec: Recorder, s: _Source, names: set[str], report: SurveyReport) -> int:
        name, n = s.name, 2
        while name in names:
            name = f"{s.name} ({n})"
            n += 1
        if name != s.name:
            report.warnings.append(f"a different source is already named '{s.name}': added this one as '{name}'")
        names.add(name)
        sid = rec.insert("sources", {
            "guid": str(uuid.uuid4()), "name": name, "kind": "other", "text": s.text, "text_hash": text_hash(s.text),
            "words": count_words(s.text), "file_format": self.table.format, "original_path": str(self.table.path),
            "imported": now_iso(), "imported_by": self.coder_id, "word_index": build_word_index(s.text)})
        self._insert_turns(rec, sid, s.turns)
        rec.insert("survey_answers", {"source_id": sid, "dataset": self.dataset, "question": s.question,
                                      "respondent": s.respondent})
        report.sources_added.append(name)
        return sid

    def _update(self, project, rec: Recorder, sid: int, name: str, s: _Source, report: SurveyReport) -> None:
        old = project.sources.text(sid)
        if old == s.text:
            report.sources_unchanged += 1
            return
        if s.turns:  # a by-question source: its turns are made anew from the respondents' labels
            rec.delete_where("speaker_turns", "source_id = ?", (sid,))
        shifted = follow_text_edit(project, rec, sid, name, TextDiff(old, s.text), self.drop_deleted)
        rec.update("sources", sid, {"text": s.text, "words": count_words(s.text),
                                    "word_index": build_word_index(s.text)})
        self._insert_turns(rec, sid, s.turns)
        report.sources_updated.append(name)
        report.changes.extend(shifted.changes)

    @staticmethod
    def _insert_turns(rec: Recorder, sid: int, turns: list[Turn]) -> None:
        for t in turns:
            rec.insert("speaker_turns", {"source_id": sid, "speaker": t.speaker, "label_start": t.label_start,
                                         "label_end": t.label_end, "start": t.start, "end": t.end,
                                         "timestamp": t.timestamp})


def import_survey(project, path, spec: SurveySpec, encoding: str | None = None,
                  drop_deleted: bool = False) -> SurveyReport:
    """Read ``path`` (CSV or .xlsx) and import it in one transaction (all or nothing)."""
    from ...formats.survey_table import read_survey_table

    cmd = ImportSurvey(read_survey_table(path, encoding), spec, drop_deleted)
    project.execute(cmd)
    return cmd.result
