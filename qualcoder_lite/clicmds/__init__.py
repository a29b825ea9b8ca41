"""Command groups added to the command line by feature (reports, REFI-QDA, matrix,
agreement ...). Each module defines ``register(add)`` where ``add(name, func, help,
writes=False)`` returns an argparse sub-parser; ``func(args) -> int`` runs the command
and raises core errors (UsageError -> exit 2, QualCoderError -> exit 1)."""

from __future__ import annotations

import importlib
import pkgutil


def register_all(add) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(add)
