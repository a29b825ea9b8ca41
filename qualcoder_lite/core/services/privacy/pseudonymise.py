"""Pseudonymisation: replace real names by pseudonyms across the whole project.

The **key table** (real name -> pseudonym, e.g. ``"Dr Smith" -> "[GP_A]"``) lives in the project
settings under ``pseudonym_key`` until the principal investigator exports it (``export_key``)
and removes it for good (``remove_key``, irreversible: secure delete, VACUUM, backups purged).

``Pseudonymise(mapping)`` is one undoable command. It merges ``mapping`` into the key and
applies the whole key to:

* every source's text, shifting every coding and speaker turn (see below);
* source names, memos and original paths; case names and memos; speaker labels and speaker
  roles; text attribute values and attribute names; code names, descriptions and memos;
  coding memos and edited quotes; memos (title and body); matrix summaries and their linked
  phrases; annotations; set names and memos; string values inside other project settings.
  Annotations, see-also links and summary links move with the text like codings.

Coder names (the researchers) and each source's ``text_hash`` (the SHA-256 of the text as
imported, used to recognise re-imports and colleagues' copies) are left as they are.

**Matching** is whole-word and case-sensitive; the longest key wins and matches never overlap:
one regular expression alternation of the escaped keys, sorted longest first. A "word"
character, for the boundary test, is anything ``\\w`` matches plus combining marks and the
zero-width (non-)joiners, so ``Jose`` does not match inside ``José`` written with a
combining accent.

**Offsets** are code points. A position outside every replaced name moves by how much the
names before it grew or shrank. A position strictly inside a replaced name snaps outwards:
a start to the start of the pseudonym, an end to its end. So a coding that began or ended
inside a name now covers the whole pseudonym, and a coding that lay entirely inside one
name covers exactly its pseudonym; a coding never becomes empty. Two codings of the same
code by the same coder that become identical are merged (their memos joined), because the
schema allows only one. Speaker turns map the same way (label and body starts snap left,
ends right, kept in order). Codings that would take the current place of another moving
coding are first parked beyond any real offset, so the unique index never trips mid-way.
Every write goes through the ``Recorder``, so undo restores every row byte for byte (the
word index and its search keys follow the text).

Applying always applies the whole stored key, so sources imported later are caught by
applying again (``suggest`` lists stored names that still occur, kind ``key``).

The work is split by responsibility: ``pseudonym_key`` (the key table and its pattern),
``pseudonym_suggest`` (candidate names), ``pseudonym_apply`` (replacing with offset shifts) and
``pseudonym_removal`` (removing the key for good). This module is their public surface.
"""

from __future__ import annotations

from .pseudonym_apply import (FIELDS, OldToNewOffsets, Pseudonymise, PseudonymiseResult, occurrences,
                              replace_text)
from .pseudonym_key import (KEY_SETTING, REMOVED_SETTING, KeyEntry, KeyTableError, check_mapping, compile_key,
                            export_key, key_removed, load_key, read_key_csv, write_key_csv)
from .pseudonym_removal import IRREVERSIBLE_WARNING, RemoveKey, RemoveKeyReport, remove_key
from .pseudonym_suggest import Suggestion, suggest

__all__ = [
    "KEY_SETTING", "KeyEntry", "KeyTableError", "OldToNewOffsets", "Pseudonymise", "PseudonymiseResult",
    "RemoveKey", "RemoveKeyReport", "Suggestion", "IRREVERSIBLE_WARNING", "check_mapping", "compile_key",
    "export_key", "load_key", "occurrences", "read_key_csv", "remove_key", "replace_text",
    "suggest", "FIELDS", "REMOVED_SETTING", "key_removed", "write_key_csv",
]
