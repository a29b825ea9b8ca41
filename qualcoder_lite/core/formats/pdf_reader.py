"""PDF sources: the text layer of each page, pages separated by a blank line.

Scanned PDFs have no text layer and are refused with advice to run OCR. A PDF with
only an owner password (an empty user password) opens; any other encryption is
refused. Damaged files become ``InputError`` with pypdf's reason.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.checks import MAX_DOCUMENT_BYTES, check_file, require_text
from qualcoder_lite.core.formats.result import ReadResult
from qualcoder_lite.core.formats.textnorm import normalise

ENCRYPTED = "the PDF is encrypted (password-protected); save an unprotected copy first"
NO_TEXT_LAYER = "the PDF has no text layer (scanned?); run OCR first"
_HEADER_WINDOW = 1024
# Besides pypdf's own errors, a malformed file can surface as these from its parser.
_DAMAGED = (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError,
            struct.error, zlib.error, RecursionError)


def read_pdf(path: str | Path) -> ReadResult:
    """Read the text layer of a PDF; raise ``InputError`` for anything unreadable."""
    check_file(path, MAX_DOCUMENT_BYTES, "a PDF")
    _require_header(path)
    try:
        pages = _page_texts(path)
    except (FileNotDecryptedError, DependencyError):
        raise InputError(path, ENCRYPTED) from None
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
    except _DAMAGED as exc:
        raise InputError(path, f"the PDF is damaged ({exc or type(exc).__name__})") from None
    with_text = [t for t in pages if t.strip()]
    if not with_text:
        raise InputError(path, NO_TEXT_LAYER)
    warnings = []
    if len(with_text) < len(pages):
        missing = len(pages) - len(with_text)
        warnings.append(f"{missing} of {len(pages)} pages have no text layer and were skipped")
    text = "\n\n".join(t.strip("\n") for t in with_text)
    return ReadResult(text=require_text(path, normalise(text)), format="pdf", warnings=warnings)


def _require_header(path: str | Path) -> None:
    """A PDF starts with ``%PDF-`` within its first kilobyte."""
    try:
        with open(path, "rb") as f:
            head = f.read(_HEADER_WINDOW)
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
    if b"%PDF-" not in head:
        raise InputError(path, "not a PDF file (no %PDF header)")


def _page_texts(path: str | Path) -> list[str]:
    reader = PdfReader(path)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise FileNotDecryptedError("no empty user password")
    return [page.extract_text() or "" for page in reader.pages]
