"""Case attributes: typed values, CSV import with type inference, one undoable step (reading
the table from a file is ``attribute_table``)."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...commands import Command
from ...errors import InputError, UsageError
from ...limits import UNMATCHED_SHOWN
from ...store.recorder import Recorder

TYPES = ("text", "number", "date", "boolean")
_NUMBER = re.compile(r"^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?$|^[+-]?0?\.\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE = {"true", "yes", "y", "1"}
FALSE = {"false", "no", "n", "0"}
_BOOL_WORDS = {"true", "false", "yes", "no", "y", "n"}


def is_number(v: str) -> bool:
    return bool(_NUMBER.match(v))


def is_date(v: str) -> bool:
    if not _DATE.match(v):
        return False
    try:
        _dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def is_boolean(v: str) -> bool:
    return v.casefold() in _BOOL_WORDS


def infer_type(values: list[str]) -> str:
    vals = [v for v in values if v != ""]
    if not vals:
        return "text"
    if all(is_number(v) for v in vals):
        return "number"
    if all(is_date(v) for v in vals):
        return "date"
    if all(is_boolean(v) for v in vals):
        return "boolean"
    return "text"


def parse_value(value: str, type_: str):
    """The comparable value of a stored attribute value (None when it does not parse)."""
    if type_ == "number":
        try:
            return float(value)
        except ValueError:
            return None
    if type_ == "date":
        return _dt.date.fromisoformat(value) if is_date(value) else None
    if type_ == "boolean":
        c = value.casefold()
        return True if c in TRUE else False if c in FALSE else None
    return value


def check_value(value: str, type_: str, where: str) -> None:
    if value == "":
        return
    if parse_value(value, type_) is None:
        raise UsageError(f"{where}: {value!r} is not a valid {type_}")


@dataclass
class AttributeTable:
    """A parsed attributes CSV: case ids in order and their values per attribute."""

    path: Path
    attributes: list[str]
    types: dict[str, str]
    rows: list[tuple[str, dict[str, str]]]


@dataclass
class AttributeReport:
    cases_created: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # ids that match no case: left out
    attributes_created: list[str] = field(default_factory=list)
    values_added: int = 0
    values_changed: int = 0
    values_unchanged: int = 0
    values_cleared: int = 0
    changes: list[str] = field(default_factory=list)  # "P3 wave: 2016 -> 2021"
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "cases_created": len(self.cases_created),
            "rows_without_case": len(self.unmatched),
            "attributes_created": len(self.attributes_created),
            "values_added": self.values_added,
            "values_changed": self.values_changed,
            "values_unchanged": self.values_unchanged,
            "values_cleared": self.values_cleared,
        }

    def summary(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count:,} {word}" + ("" if count == 1 else "s")

        line = (
            f"{n(len(self.cases_created), 'new case')}, {n(len(self.attributes_created), 'new attribute')}, "
            f"{n(self.values_added, 'value')} added, {self.values_changed:,} changed, "
            f"{self.values_cleared:,} cleared, {self.values_unchanged:,} unchanged"
        )
        if self.unmatched:
            line += f"; {n(len(self.unmatched), 'row')} left out (no such case)"
        return line


class UnmatchedCases(InputError):
    """No row of an attributes table names a case of the project (nothing was imported)."""

    def __init__(self, path: Path, unmatched: list[str], known: dict[str, str]):
        self.unmatched = unmatched
        super().__init__(path, f"no case id in it matches a case of the project ({len(unmatched):,} "
                               f"id{'s' if len(unmatched) != 1 else ''}: {name_list(unmatched, known)}); "
                               "nothing was imported")


def name_list(names: list[str], known: dict[str, str] | None = None, shown: int = UNMATCHED_SHOWN) -> str:
    """The first ``shown`` names (with a "did you mean" for a case that differs only in
    letter case), then "and N more"."""
    known = known or {}
    parts = []
    for name in names[:shown]:
        near = known.get(name.casefold())
        parts.append(f"{name} (did you mean {near}?)" if near and near != name else name)
    more = len(names) - shown
    return ", ".join(parts) + (f" and {more:,} more" if more > 0 else "")


def unmatched_cases(project, table: "AttributeTable") -> list[str]:
    """The table's case ids that match no case of the project, in the table's order."""
    names = {r[0] for r in project.conn.execute("SELECT name FROM cases")}
    return [case for case, _values in table.rows if case not in names]


class ImportAttributes(Command):
    """Import an attributes table as one undoable step. Rows whose case id matches no case
    of the project are left out and listed (``report.unmatched``) unless ``create_cases``,
    which creates those cases (without sources); when no row matches and cases are not to
    be created, nothing is imported (``UnmatchedCases``)."""

    def __init__(self, table: AttributeTable, create_cases: bool = False):
        super().__init__()
        self.table = table
        self.create_cases = create_cases
        self.name = f"Import attributes from {table.path.name}"

    def apply(self, project, rec: Recorder) -> AttributeReport:
        report = AttributeReport()
        conn = project.conn
        case_ids = {r[0]: int(r[1]) for r in conn.execute("SELECT name, id FROM cases")}
        known = {name.casefold(): name for name in case_ids}
        unmatched = [case for case, _values in self.table.rows if case not in case_ids]
        if unmatched and not self.create_cases:
            if len(unmatched) == len(self.table.rows):
                raise UnmatchedCases(self.table.path, unmatched, known)
            report.unmatched = unmatched
            report.warnings.append(f"{self.table.path.name}: left out {len(unmatched):,} "
                                   f"row{'s' if len(unmatched) != 1 else ''} whose case id matches no case of the "
                                   f"project: {name_list(unmatched, known)}")
        attr_ids = self._attribute_ids(project, rec, report)
        self._write_values(project, rec, report, attr_ids, case_ids)
        if report.cases_created:
            n = len(report.cases_created)
            report.warnings.append(f"{self.table.path.name}: created {n:,} case{'s' if n != 1 else ''} without sources: "
                                   f"{name_list(report.cases_created, known)}")
        return report

    def _attribute_ids(self, project, rec: Recorder, report: AttributeReport) -> dict[str, int]:
        """attribute name -> id: created when new; a stored attribute of another type keeps
        the table's type only when every stored value still parses."""
        attr_ids: dict[str, int] = {}
        for name in self.table.attributes:
            existing = project.attributes.by_name(name, "case")
            t = self.table.types[name]
            if existing is None:
                attr_ids[name] = rec.insert(
                    "attributes",
                    {"name": name, "type": t, "applies_to": "case", "position": project.attributes.next_position()},
                )
                report.attributes_created.append(name)
            else:
                attr_ids[name] = existing.id
                if existing.type != t:
                    # keep the stronger claim only when every stored value still parses
                    rec.update("attributes", existing.id, {"type": t if self._fits(project, existing.id, t) else "text"})
        return attr_ids

    def _write_values(self, project, rec: Recorder, report: AttributeReport, attr_ids: dict[str, int],
                      case_ids: dict[str, int]) -> None:
        """Add, change or clear each case's values (creating missing cases when asked)."""
        conn = project.conn
        stored: dict[tuple[int, int], tuple[int, str]] = {}  # (attribute, case) -> (value row id, value)
        for attr_id in set(attr_ids.values()):
            for r in conn.execute("SELECT id, case_id, value FROM attribute_values "
                                  "WHERE attribute_id = ? AND case_id IS NOT NULL", (attr_id,)):
                stored[(attr_id, int(r[1]))] = (int(r[0]), r[2])
        for case, values in self.table.rows:
            case_id = case_ids.get(case)
            if case_id is None:
                if not self.create_cases:
                    continue
                case_id, _created = project.cases.ensure(rec, case)
                case_ids[case] = case_id
                report.cases_created.append(case)
            for name, value in values.items():
                found = stored.get((attr_ids[name], case_id))
                if value == "":
                    if found is not None:
                        rec.delete("attribute_values", found[0])
                        report.values_cleared += 1
                        report.changes.append(f"{case} {name}: {found[1]} -> (empty)")
                    continue
                if found is None:
                    rec.insert("attribute_values", {"attribute_id": attr_ids[name], "case_id": case_id, "value": value})
                    report.values_added += 1
                elif found[1] != value:
                    rec.update("attribute_values", found[0], {"value": value})
                    report.values_changed += 1
                    report.changes.append(f"{case} {name}: {found[1]} -> {value}")
                else:
                    report.values_unchanged += 1

    @staticmethod
    def _fits(project, attribute_id: int, type_: str) -> bool:
        rows = project.conn.execute("SELECT value FROM attribute_values WHERE attribute_id = ?", (attribute_id,))
        return all(parse_value(r[0], type_) is not None for r in rows)


class SetAttributeValue(Command):
    """Set (or clear with '') one attribute value of a case or source."""

    def __init__(self, attribute_id: int, value: str, case_id: int | None = None, source_id: int | None = None):
        super().__init__()
        self.attribute_id, self.value, self.case_id, self.source_id = attribute_id, value.strip(), case_id, source_id
        self.name = "Edit attribute"

    def apply(self, project, rec: Recorder) -> bool:
        attr = next(a for a in project.attributes.all() if a.id == self.attribute_id)
        check_value(self.value, attr.type, f"attribute {attr.name!r}")
        found = project.attributes.value_id(self.attribute_id, self.case_id, self.source_id)
        if self.value == "":
            if found is None:
                return False
            rec.delete("attribute_values", found[0])
            return True
        if found is None:
            rec.insert("attribute_values", {"attribute_id": self.attribute_id, "case_id": self.case_id,
                                            "source_id": self.source_id, "value": self.value})
            return True
        return rec.update("attribute_values", found[0], {"value": self.value})


def import_attributes(project, path, type_overrides=None, create_cases: bool = False) -> AttributeReport:
    from .attribute_table import read_attribute_table  # it builds on the types above

    table = read_attribute_table(path, type_overrides)
    cmd = ImportAttributes(table, create_cases=create_cases)
    project.execute(cmd)
    return cmd.result


class AddAttribute(Command):
    """A new, empty attribute for cases (or sources)."""

    def __init__(self, name: str, type_: str = "text", applies_to: str = "case"):
        super().__init__()
        self.attr_name = name.strip()
        if not self.attr_name:
            raise UsageError("an attribute name cannot be empty")
        if type_ not in TYPES:
            raise UsageError(f"unknown attribute type {type_!r} (text, number, date or boolean)")
        if applies_to not in ("case", "source"):
            raise UsageError(f"attributes belong to cases or sources, not {applies_to!r}")
        self.type, self.applies_to = type_, applies_to
        self.name = f"New attribute '{self.attr_name}'"

    def apply(self, project, rec: Recorder) -> int:
        if project.attributes.by_name(self.attr_name, self.applies_to) is not None:
            from ...errors import DuplicateError

            raise DuplicateError(f"attribute '{self.attr_name}' already exists")
        return rec.insert("attributes", {"name": self.attr_name, "type": self.type, "applies_to": self.applies_to,
                                         "position": project.attributes.next_position()})
