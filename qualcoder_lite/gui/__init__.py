"""The PySide6 desktop application (imports the core, never the other way round)."""

from __future__ import annotations

import sys


def _make_none_immortal() -> None:
    """Work around a reference-count bug of PySide6 6.12.0 on CPython 3.11.

    Each call of a binding that returns nothing (``QTextCursor.setPosition``,
    ``QPainter.fillRect``, ``QWidget.repaint`` ...) drops one reference to ``None`` without
    having taken it: about 20 per repaint of the transcript's stripe margin. After a few
    thousand such calls - a minute of scrolling - the interpreter aborts with "Fatal Python
    error: none_dealloc: deallocating None". PySide6 6.11 does not do it, and Python 3.12 made
    ``None`` immortal (PEP 683), which hides it. Do what 3.12 does: give ``None`` a reference
    count that no session can exhaust. Found by ``benchmarks/run.py``; checked by
    ``tests/benchmarks/test_bench_quick.py``.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import PySide6

    if PySide6.__version__ != "6.12.0":  # pyproject.toml excludes it; this guards other installs
        return
    import ctypes

    refcnt = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    if refcnt.value < 1 << 40:
        refcnt.value += 1 << 40


_make_none_immortal()
