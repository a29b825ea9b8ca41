"""A small study whose coded passages exercise every quote rule at once, and readers that
take the quotes back out of each file format. Shared by the core and the GUI agreement
tests: the same passages must read the same wherever a quote is shown or written.

Passages (project quote style ``bjgp``, citation ``({case}, {years_in_post} years)``):

* A (ann) and B (bob) overlap under Change/Reforms; B crosses an interviewer turn, so the
  merged passage has ``[…]``; A holds a time marker, a note, the speaker's dots, reported
  speech and a spaced dash;
* C (ann, Change/GPs): a joined dash and a note with a time in it;
* D (ann, Money): an analyst-edited quote with an insertion, a note and an omission;
* E (ann, Money): another case, apostrophes, with a value for the citation's second field.
"""

from __future__ import annotations

import csv
from pathlib import Path

LW04 = (
    "**Interviewer:** [00:01:02] How did the reforms land?\n\n"
    "**LW04:** [00:01:10] Honestly? It was \"chaos\" at first - we're talking months [laughs] of it... "
    "I was like \"Obviously. Amazing.\" But the link workers held it together. [00:02:40] They did.\n\n"
    "**Interviewer:** Right. So what changed?\n\n"
    "**LW04:** And the GPs--they came round, eventually. [inaudible 00:12] We got there.\n"
)
PC02 = (
    "**Interviewer:** And funding?\n\n"
    "**PC02:** It's the contract, isn't it? Nobody knows what happens in March.\n"
)
CODES = ("Change/Reforms", "Change/GPs", "Money")
SETTINGS = {"quote_style": "bjgp", "cite": "({case}, {years_in_post} years)"}
D_EDIT = "[it was] months [laughs] of it […]"

# what every place must print (bjgp: ‘single’ outer marks, “double” inner, spaced em dash)
MERGED_AB = ("Honestly? It was “chaos” at first — we’re talking months [laughs] of it... I was like "
             "“Obviously. Amazing.” But the link workers held it together. They did. […] And the GPs — they "
             "came round, eventually. [inaudible 00:12] We got there.")
C_TEXT = "And the GPs — they came round, eventually. [inaudible 00:12] We got there."
D_TEXT = "[it was] months [laughs] of it […]"
E_TEXT = "It’s the contract, isn’t it? Nobody knows what happens in March."
EXPECTED = {  # code path -> [(quote in its marks, citation)]
    "Change/Reforms": [(f"‘{MERGED_AB}’", "(LW04)")],
    "Change/GPs": [(f"‘{C_TEXT}’", "(LW04)")],
    "Money": [(f"‘{D_TEXT}’", "(LW04)"), (f"‘{E_TEXT}’", "(PC02, 12 years)")],
}
NOTES = {"[laughs]", "[inaudible 00:12]"}


def build(project) -> dict[str, int]:
    """Fill an empty project; returns the coding ids by letter."""
    from qualcoder_lite.core.services.sources.attributes import AttributeTable, ImportAttributes
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode, SetQuoteEdit
    from qualcoder_lite.core.services.coding.speakers import SetSpeakerRole
    from tests.helpers import add_text_source

    ids = {"LW04": add_text_source(project, "LW04", LW04, case="LW04"),
           "PC02": add_text_source(project, "PC02", PC02, case="PC02")}
    project.execute(SetSpeakerRole("Interviewer", "interviewer"))
    project.execute(ImportAttributes(AttributeTable(Path("cases.csv"), ["years_in_post"], {"years_in_post": "number"},
                                                    [("LW04", {"years_in_post": ""}),
                                                     ("PC02", {"years_in_post": "12"})])))
    for path in CODES:
        project.execute(AddCode(path))

    def code(source, code_path, first, last, coder):
        text = {"LW04": LW04, "PC02": PC02}[source]
        start = text.index(first)
        end = text.index(last, start) + len(last)
        cmd = ApplyCode(ids[source], project.codes.find(code_path).id, start, end, coder=coder)
        project.execute(cmd)
        return cmd.result[0]

    codings = {
        "A": code("LW04", "Change/Reforms", "Honestly?", "They did.", "ann"),
        "B": code("LW04", "Change/Reforms", "I was like", "We got there.", "bob"),
        "C": code("LW04", "Change/GPs", "And the GPs", "We got there.", "ann"),
        "D": code("LW04", "Money", "we're talking months", "of it...", "ann"),
        "E": code("PC02", "Money", "It's the contract", "in March.", "ann"),
    }
    project.execute(SetQuoteEdit(codings["D"], D_EDIT))
    project.settings.put("report_options", dict(SETTINGS))
    return codings


# ----------------------------------------------------------------------------- readers
def report_docx(path) -> dict[str, list[tuple[str, str, list[str]]]]:
    """Quote report: table caption's code -> [(quote cell, citation cell, italic run texts)]."""
    import docx

    doc = docx.Document(path)
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    out = {}
    for cap, table in zip(captions, doc.tables):
        code = cap.split(" ", 2)[2].replace(" › ", "/")
        rows = []
        head = [c.text for c in table.rows[0].cells]  # no Sub-theme column where a table has none
        qi, pi = head.index("Quote"), head.index("Participant")
        for row in table.rows[1:]:
            cell = row.cells[qi]
            italics = [r.text for p in cell.paragraphs for r in p.runs if r.italic]
            rows.append((cell.text, row.cells[pi].text, italics))
        out[code] = rows
    return out


def matrix_docx(path) -> dict[tuple[str, str], list[tuple[str, list[str]]]]:
    """Matrix .docx: (case, column header) -> [(quote line, italic run texts)]."""
    import docx

    doc = docx.Document(path)
    (table,) = doc.tables
    head = [c.text for c in table.rows[0].cells]
    out = {}
    for row in table.rows[1:]:
        case = row.cells[0].text
        for header, cell in zip(head[1:], row.cells[1:]):
            lines = [(p.text, [r.text for r in p.runs if r.italic]) for p in cell.paragraphs
                     if p.text.startswith(("‘", "“"))]
            if lines:
                out[(case, header)] = lines
    return out


def matrix_xlsx(path) -> dict[tuple[str, str], list[str]]:
    import openpyxl

    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    out = {}
    for r in rows[1:]:
        for header, value in zip(head[1:], r[1:]):
            lines = [x for x in (value or "").split("\n") if x.startswith(("‘", "“"))]
            if lines:
                out[(r[0], header)] = lines
    return out


def matrix_csv(path) -> dict[tuple[str, str], list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    out = {}
    for r in rows[1:]:
        for header, value in zip(head[1:], r[1:]):
            if header.endswith(" (quotes)") and value:
                out[(r[0], header[: -len(" (quotes)")])] = value.split("\n")
    return out


def segments_table(path) -> list[tuple[str, int, int, str]]:
    """Segments export (.csv or .xlsx): [(code, start, end, quote)]."""
    if str(path).endswith(".csv"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    else:
        import openpyxl

        ws = openpyxl.load_workbook(path).active
        values = list(ws.iter_rows(values_only=True))
        rows = [dict(zip(values[0], r)) for r in values[1:]]
    return [(r["Code"], int(r["Start"]), int(r["End"]), r["Quote"]) for r in rows]


def segments_docx(path) -> list[tuple[str, str, list[str]]]:
    """Segments .docx: [(code, quote cell, italic run texts)]."""
    import docx

    (table,) = docx.Document(path).tables
    out = []
    for row in table.rows[1:]:
        cell = row.cells[3]
        out.append((row.cells[2].text, cell.text, [r.text for p in cell.paragraphs for r in p.runs if r.italic]))
    return out


def cli_segment_lines(out: str) -> list[tuple[str, int, int, str]]:
    """``segments`` text output: [(code, start, end, quote)]."""
    rows = []
    for line in out.splitlines():
        head, _, quote = line.partition(": ")
        parts = head.split()
        start, end = parts[2].split("-")
        code = head[head.index("[") + 1:head.index("]")]
        rows.append((code, int(start), int(end), quote))
    return rows
