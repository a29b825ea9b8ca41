"""Every command of the command line, one module per group (project, safety, sources, coding,
retrieval, reports, matrix, queries, team ...). Each module's ``PARSERS`` maps a command name
to a function ``parser(add)`` that builds its sub-parser, where ``add(name, func, help,
writes=False)`` returns an argparse sub-parser; ``func(args) -> int`` runs the command and
raises core errors (UsageError -> exit 2, QualCoderError -> exit 1). Modules whose name
starts with ``_`` hold what the commands share."""

from __future__ import annotations

import importlib
import pkgutil

# the order `qualcoder-lite --help` lists the commands in; a command not named here comes last
ORDER = (
    "new", "encrypt", "decrypt", "restore", "import", "import-survey", "update-source", "attributes", "export-attributes", "codes", "autocode",
    "segments", "search", "info", "speakers", "cases", "open", "thematic-map", "export-qdpx", "import-qdpx",
    "export-qdc", "import-qdc", "matrix", "compare", "project", "participants", "demo", "pseudonymise",
    "coverage", "cooccurrence", "words", "summary", "report", "codebook", "export-source", "coders",
    "agreement", "merge", "annotate", "annotations", "link", "links",
)


def parsers() -> dict:
    """Every command's ``parser(add)`` function, by command name, in ``ORDER``."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, parser in getattr(module, "PARSERS", {}).items():
            if name in found:
                raise RuntimeError(f"command {name!r} is defined twice (clicmds.{info.name})")
            found[name] = parser
    rank = {name: i for i, name in enumerate(ORDER)}
    return dict(sorted(found.items(), key=lambda item: rank.get(item[0], len(ORDER))))


def register_all(add) -> None:
    for parser in parsers().values():
        parser(add)
