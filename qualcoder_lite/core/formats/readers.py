"""One entry point for every source format: ``read_source`` picks the reader by extension."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.docx_reader import read_docx
from qualcoder_lite.core.formats.odt_reader import read_odt
from qualcoder_lite.core.formats.result import ReadResult
from qualcoder_lite.core.formats.rtf_reader import read_rtf
from qualcoder_lite.core.formats.subtitles import read_srt, read_vtt
from qualcoder_lite.core.formats.textfile import read_text_file

_TEXT_EXTENSIONS = (".txt", ".text", ".md", ".markdown")
#: Extensions ``read_source`` accepts (lower case, with the dot).
SUPPORTED_EXTENSIONS: tuple[str, ...] = (*_TEXT_EXTENSIONS, ".docx", ".odt", ".rtf", ".pdf", ".srt", ".vtt")

_Reader = Callable[[Path, str | None], ReadResult]

_READERS: dict[str, _Reader] = {
    **{ext: read_text_file for ext in _TEXT_EXTENSIONS},
    ".srt": read_srt,
    ".vtt": read_vtt,
    ".docx": lambda path, _encoding: read_docx(path),
    ".odt": lambda path, _encoding: read_odt(path),
    ".rtf": lambda path, _encoding: read_rtf(path),
    ".pdf": lambda path, _encoding: _read_pdf(path),
}


def _read_pdf(path: Path) -> ReadResult:
    from qualcoder_lite.core.formats.pdf_reader import read_pdf  # pypdf takes ~0.2 s to import: on use

    return read_pdf(path)


def read_source(path: str | Path, encoding: str | None = None) -> ReadResult:
    """Read any supported source file into normalised, non-blank text.

    ``encoding`` forces the codec of text and subtitle files (ignored for the other
    formats, whose encoding is inside the file). Raises ``InputError`` naming the
    file and the reason: no such file, a folder, an unsupported extension, or
    whatever the format's reader refuses.
    """
    path = Path(path)
    if not os.path.exists(path):
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    ext = path.suffix.lower()
    reader = _READERS.get(ext)
    if reader is None:
        shown = f"'{ext}'" if ext else "(no extension)"
        legacy = {".doc": "Word", ".wpd": "WordPerfect", ".pages": "Pages", ".xls": "Excel", ".xlsx": "Excel"}
        if ext in (".doc", ".wpd", ".pages"):
            raise InputError(path, f"old or foreign {legacy[ext]} format {shown}: save it as .docx (or .odt, "
                                   ".rtf, .txt) and import that")
        raise InputError(
            path, f"unsupported file type {shown} (supported: {', '.join(SUPPORTED_EXTENSIONS)})"
        )
    return reader(path, encoding)
