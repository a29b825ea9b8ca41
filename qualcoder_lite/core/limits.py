"""Resource limits for foreign files, in one place (README "Your data" lists them).

A file past a limit is refused, or the part past it is left out, and the import report
says which and how much. The numbers are far above what a study needs (6-200
transcripts, a few thousand codings, a few dozen attributes) and far below what takes a
laptop's memory: a hostile file costs seconds and tens of megabytes, not gigabytes.
The size limits of the readers themselves (100 MB of text per source, 500 MB per
document, 200 MB unpacked per archive) are in ``formats.checks`` and ``formats.safezip``.
"""

from __future__ import annotations

#: Levels of the code tree (NVivo exports go 7 deep; deeper is not a tree a person made).
MAX_CODE_DEPTH = 100

# ----------------------------------------------------------------------------- REFI-QDA (.qdpx, .qde)
#: Distinct selections imported from one source; the rest of that source's are left out.
MAX_SELECTIONS_PER_SOURCE = 50_000
#: Distinct selections imported from one project file (all sources together).
MAX_SELECTIONS = 250_000
#: Codings (a code applied to a selection) imported from one project file.
MAX_CODINGS = 500_000
#: Identical selections (same source, span, codes, coders and notes as an earlier one) are
#: dropped and counted; a file with more than this many is refused as generated or damaged.
MAX_DUPLICATE_SELECTIONS = 100_000
#: Elements inside one selection (its codings, code and note references).
MAX_SELECTION_ELEMENTS = 1_000
#: Elements of the project XML besides selections (codes, cases, notes, values, links, sets).
MAX_XML_ELEMENTS = 1_000_000

# ----------------------------------------------------------------------------- attribute tables (CSV, .xlsx)
#: Data rows (cases) in one attributes file; a longer file is refused.
MAX_ATTRIBUTE_ROWS = 100_000
#: Attribute columns (besides the case column) in one attributes file.
MAX_ATTRIBUTE_COLUMNS = 200
#: Cells (rows x attribute columns) in one attributes file.
MAX_ATTRIBUTE_CELLS = 1_000_000
#: Characters in one value.
MAX_ATTRIBUTE_VALUE_CHARS = 2_000
#: Characters in a case id or an attribute name.
MAX_ATTRIBUTE_NAME_CHARS = 200
#: Size of an attributes CSV on disk.
MAX_ATTRIBUTE_FILE_BYTES = 50 * 1024 * 1024
#: Ids that match no case, named in a warning before "and N more".
UNMATCHED_SHOWN = 10
