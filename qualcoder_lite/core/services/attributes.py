"""Case attributes: typed values, CSV import with type inference, one undoable step."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..commands import Command
from ..errors import InputError, UsageError
from ..store.recorder import Recorder

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
            "attributes_created": len(self.attributes_created),
            "values_added": self.values_added,
            "values_changed": self.values_changed,
            "values_unchanged": self.values_unchanged,
            "values_cleared": self.values_cleared,
        }

    def summary(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count:,} {word}" + ("" if count == 1 else "s")

        return (
            f"{n(len(self.cases_created), 'new case')}, {n(len(self.attributes_created), 'new attribute')}, "
            f"{n(self.values_added, 'value')} added, {self.values_changed:,} changed, "
            f"{self.values_cleared:,} cleared, {self.values_unchanged:,} unchanged"
        )


def _decode_csv(path: Path) -> str:
    from ..formats.textfile import read_text_file

    return read_text_file(path).text


def read_attribute_csv(path: str | Path, type_overrides: dict[str, str] | None = None) -> AttributeTable:
    """Parse and check an attributes CSV (first column case id, header = attribute names)."""
    path = Path(path)
    text = _decode_csv(path)
    from ..formats.csvread import read_rows

    rows = read_rows(path, text)
    return _table_from_rows(path, rows, type_overrides)


def _table_from_rows(path: Path, rows: list[list[str]], type_overrides: dict[str, str] | None) -> AttributeTable:
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(path, "has no header row")
    header = [h.strip() for h in rows[0]]
    if len(header) < 2:
        raise InputError(path, "needs a case column and at least one attribute column")
    names = header[1:]
    for i, name in enumerate(names, start=2):
        if not name:
            raise InputError(path, f"column {i} has an empty attribute name in the header")
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise InputError(path, f"attribute {sorted(dupes)[0]!r} appears twice in the header")
    seen: dict[str, int] = {}
    parsed: list[tuple[str, dict[str, str]]] = []
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise InputError(path, f"row {lineno} has more cells ({len(row)}) than the header ({len(header)})")
        case = row[0].strip() if row else ""
        if not case:
            raise InputError(path, f"row {lineno}: the case id (first column) is empty")
        if case in seen:
            raise InputError(path, f"row {lineno}: case {case!r} appears twice (first on row {seen[case]})")
        seen[case] = lineno
        values = {n: (row[i + 1].strip() if i + 1 < len(row) else "") for i, n in enumerate(names)}
        parsed.append((case, values))
    types: dict[str, str] = {}
    overrides = dict(type_overrides or {})
    for name in names:
        col = [vals[name] for _, vals in parsed]
        t = overrides.pop(name, None) or infer_type(col)
        if t not in TYPES:
            raise UsageError(f"unknown attribute type {t!r} for {name!r} (text, number, date or boolean)")
        for (case, vals) in parsed:
            try:
                check_value(vals[name], t, f"{path}: case {case!r}, attribute {name!r}")
            except UsageError as exc:
                raise InputError(None, str(exc)) from None
        types[name] = t
    if overrides:
        raise UsageError(f"--type names attribute {sorted(overrides)[0]!r}, which is not in {path.name}")
    return AttributeTable(path, names, types, parsed)


class ImportAttributes(Command):
    def __init__(self, table: AttributeTable):
        super().__init__()
        self.table = table
        self.name = f"Import attributes from {table.path.name}"

    def apply(self, project, rec: Recorder) -> AttributeReport:
        report = AttributeReport()
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
        known = {c.name.casefold(): c.name for c in project.cases.all()}
        for case, values in self.table.rows:
            case_id, created = project.cases.ensure(rec, case)
            if created:
                report.cases_created.append(case)
                near = known.get(case.casefold())
                hint = f" (did you mean '{near}'?)" if near else ""
                report.warnings.append(f"{self.table.path.name}: case '{case}' is not in the project; "
                                       f"created it without sources{hint}")
            for name, value in values.items():
                found = project.attributes.value_id(attr_ids[name], case_id=case_id)
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
        return report

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


def import_attributes(project, path, type_overrides=None) -> AttributeReport:
    table = read_attribute_table(path, type_overrides)
    cmd = ImportAttributes(table)
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
            from ..errors import DuplicateError

            raise DuplicateError(f"attribute '{self.attr_name}' already exists")
        return rec.insert("attributes", {"name": self.attr_name, "type": self.type, "applies_to": self.applies_to,
                                         "position": project.attributes.next_position()})


def _cell_text(value) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_attribute_xlsx(path: str | Path, type_overrides: dict[str, str] | None = None) -> AttributeTable:
    """The first sheet of an .xlsx laid out like the CSV (first column the case id)."""
    import zipfile

    from openpyxl import load_workbook

    from xml.etree.ElementTree import ParseError

    from ..formats.safezip import open_zip

    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    with open_zip(path, "an Excel workbook"):  # size, ratio and member-name checks first (zip bombs)
        pass
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError) as exc:
        raise InputError(path, f"is not a readable Excel workbook ({exc.__class__.__name__})") from None
    try:
        ws = wb.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True, max_row=100_000)]
    except (zipfile.BadZipFile, KeyError, ValueError, ParseError, EOFError) as exc:
        raise InputError(path, f"is a damaged Excel workbook ({exc.__class__.__name__})") from None
    finally:
        wb.close()
    return _table_from_rows(path, rows, type_overrides)


def read_attribute_table(path: str | Path, type_overrides: dict[str, str] | None = None) -> AttributeTable:
    """CSV or .xlsx by extension."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return read_attribute_xlsx(path, type_overrides)
    return read_attribute_csv(path, type_overrides)
