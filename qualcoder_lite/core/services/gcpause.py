"""The cyclic garbage collector paused while a long export builds its output.

A report or a ``.qdpx`` export makes a few objects per quote or coding (hundreds of
thousands at 10x) that live until the file is written and hold no cycles; the collector
would walk that growing heap again and again (~15 % of a report's CPU time at 10x)."""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic collector for the block (reference counting still frees what is
    dropped); it is enabled again afterwards only if it was enabled before."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
