"""How a command's error reaches the user: one line on stderr, never a traceback, and an
exit code (0 success; 1 failure; 2 usage error; 130 interrupted)."""

from __future__ import annotations

import sys
from typing import Callable

from ..core.errors import QualCoderError, UsageError
from ..core.store.database import db_errors, last_saved
from ._common import PROG, InterruptedAfterCommand, close_writes, finish_writes


def run_reporting_errors(args, run: Callable[[], int]) -> int:
    """``run()``'s exit code; an error it raises becomes one line on stderr and its exit code."""
    before = last_saved()
    try:
        code = run()
        if code == 0:
            finish_writes()  # search postings of what the command wrote, after its report
        return code
    except BrokenPipeError:
        return _stdout_closed()
    except UsageError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 2
    except QualCoderError as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return 1
    except InterruptedError as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return 1
    except InterruptedAfterCommand:
        sys.stderr.write(f"{PROG}: interrupted after the command had finished (its change is saved), while "
                         "search was being prepared for speed; it finds the same hits, more slowly, until the "
                         "next command that writes\n")
        return 130
    except KeyboardInterrupt:
        if last_saved() != before:  # the interrupt came after the command had saved its change
            sys.stderr.write(f"{PROG}: interrupted after the change was saved: it is in the project, "
                             "but the command did not finish (its report was not printed)\n")
        else:
            sys.stderr.write(f"{PROG}: interrupted; nothing was changed by the unfinished command\n")
        return 130
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"{PROG}: {where}{exc.strerror or exc}\n")
        return 1
    except db_errors() as exc:  # disk full, busy for too long, damage found while working
        from ..core.store.database import error_kind, io_error

        if error_kind(exc) == "io":
            sys.stderr.write(f"{PROG}: {io_error(getattr(args, 'project', ''), exc, 'written' if getattr(args, 'writes', False) else 'read')}; nothing was changed\n")
            return 1
        sys.stderr.write(f"{PROG}: {_db_error_message(args, exc)}\n")
        return 1
    finally:
        close_writes()


def _db_error_message(args, exc: BaseException) -> str:
    """One line naming the project and the cause; never the row values an SQLite message
    may quote (transcript text)."""
    from ..core.store.database import db_error_reason, is_damage

    where = getattr(args, "project", "") or ""
    reason = db_error_reason(exc)
    if is_damage(exc):
        return f"{where}: the file is damaged and cannot be read ({reason}); nothing was changed"
    if not getattr(args, "opened_for_writing", getattr(args, "writes", False)):
        return f"{where}: cannot be read ({reason}); nothing was changed"
    return f"{where}: the database refused the change ({reason}); nothing was changed"


def _stdout_closed() -> int:
    """The reader of our output went away (``| head``): what it read is what it wanted.
    Later writes, and the flush at exit, go to devnull (as the Python docs recommend)."""
    import contextlib
    import os

    # no file descriptor behind stdout (a test capturing it): there is nothing left to flush
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0
