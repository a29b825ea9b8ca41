"""A .qdpx import holds its sources' texts as UTF-8 (``refi.Source.pack``); the bytes a text
was read from are kept instead of a copy only when they are that UTF-8."""

from __future__ import annotations

from qualcoder_lite.core.formats.textnorm import normalise
from qualcoder_lite.core.services.refi import model as refi


def _packed(read: bytes, text: str) -> refi.Source:
    src = refi.Source(guid="g", name="s", text=normalise(text), raw=text)
    src.pack(read)
    return src


def test_the_bytes_read_are_kept_when_they_are_the_texts_utf8():
    read = "Café — naïve 🙂\nline two\n".encode("utf-8")
    src = _packed(read, read.decode("utf-8"))
    assert src.packed is not None and src.packed[0] is read and src.packed[1] is None
    assert src.full_text() == read.decode("utf-8")


def test_other_bytes_are_never_kept():
    cases = [("a\r\nb\rc", "a\r\nb\rc".encode("utf-8")),  # line ends normalised: raw text kept beside
             ("\ufeffbom", "\ufeffbom".encode("utf-8")),  # a BOM dropped
             ("Caf\xe9", "Caf\xe9".encode("cp1252")),  # another encoding
             ("text", "text".encode("utf-16"))]
    for raw, read in cases:
        src = _packed(read, raw)
        assert src.packed is not None and src.packed[0] == normalise(raw).encode("utf-8") and src.packed[0] != read
        with src.unpacked():
            assert (src.text, src.raw) == (normalise(raw), raw)
