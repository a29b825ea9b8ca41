"""The project file's schema and its forward migrations.

``MIGRATIONS[v]`` takes a database at version ``v - 1`` to version ``v``. Version 1 is the
first released schema; a new project runs every migration in order, so new and migrated
files are built by the same SQL and cannot drift apart. ``PRAGMA user_version`` holds the
version; the ``migrations`` table records when each step ran.
"""

from __future__ import annotations

V1 = """
CREATE TABLE settings (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    value TEXT
);
CREATE TABLE migrations (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    applied TEXT NOT NULL
);
CREATE TABLE coders (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    color TEXT,
    created TEXT NOT NULL
);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL DEFAULT 'transcript' CHECK (kind IN ('transcript', 'notes', 'other')),
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    words INTEGER NOT NULL DEFAULT 0,
    file_format TEXT,
    original_path TEXT,
    imported TEXT NOT NULL,
    imported_by INTEGER REFERENCES coders(id),
    memo TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sources_hash ON sources(text_hash);
CREATE INDEX sources_imported_by ON sources(imported_by);
CREATE TABLE speaker_turns (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    speaker TEXT,
    label_start INTEGER NOT NULL,
    label_end INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    timestamp TEXT,
    CHECK (label_start <= label_end AND label_end <= start AND start <= "end")
);
CREATE INDEX speaker_turns_source ON speaker_turns(source_id, start);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    memo TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL
);
CREATE TABLE case_sources (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    source_id INTEGER NOT NULL REFERENCES sources(id),
    UNIQUE (case_id, source_id)
);
CREATE INDEX case_sources_source ON case_sources(source_id);
CREATE TABLE attributes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean')),
    applies_to TEXT NOT NULL DEFAULT 'case' CHECK (applies_to IN ('case', 'source')),
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (name, applies_to)
);
CREATE TABLE attribute_values (
    id INTEGER PRIMARY KEY,
    attribute_id INTEGER NOT NULL REFERENCES attributes(id),
    case_id INTEGER REFERENCES cases(id),
    source_id INTEGER REFERENCES sources(id),
    value TEXT NOT NULL,
    CHECK ((case_id IS NULL) <> (source_id IS NULL)),
    UNIQUE (attribute_id, case_id),
    UNIQUE (attribute_id, source_id)
);
CREATE INDEX attribute_values_case ON attribute_values(case_id);
CREATE INDEX attribute_values_source ON attribute_values(source_id);
CREATE TABLE codes (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES codes(id),
    name TEXT NOT NULL CHECK (length(name) > 0),
    description TEXT NOT NULL DEFAULT '',
    color TEXT NOT NULL DEFAULT '#9e9e9e',
    memo TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL
);
CREATE UNIQUE INDEX codes_sibling_name ON codes(ifnull(parent_id, 0), name);
CREATE INDEX codes_parent ON codes(parent_id);
CREATE TABLE codings (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    code_id INTEGER NOT NULL REFERENCES codes(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    memo TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    CHECK (0 <= start AND start < "end"),
    UNIQUE (source_id, code_id, coder_id, start, "end")
);
CREATE INDEX codings_code ON codings(code_id, source_id, start);
CREATE INDEX codings_source ON codings(source_id, start);
CREATE INDEX codings_coder ON codings(coder_id);
CREATE TABLE memos (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('journal', 'project', 'source', 'case', 'code')),
    target_id INTEGER,
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    coder_id INTEGER REFERENCES coders(id),
    created TEXT NOT NULL,
    modified TEXT NOT NULL
);
CREATE INDEX memos_target ON memos(kind, target_id);
CREATE INDEX memos_coder ON memos(coder_id);
CREATE TABLE matrix_cells (
    id INTEGER PRIMARY KEY,
    row_kind TEXT NOT NULL CHECK (row_kind IN ('case', 'source')),
    row_id INTEGER NOT NULL,
    code_id INTEGER NOT NULL REFERENCES codes(id),
    summary TEXT NOT NULL DEFAULT '',
    coder_id INTEGER REFERENCES coders(id),
    modified TEXT NOT NULL,
    UNIQUE (row_kind, row_id, code_id)
);
CREATE INDEX matrix_cells_code ON matrix_cells(code_id);
CREATE INDEX matrix_cells_coder ON matrix_cells(coder_id);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('case', 'source', 'code')),
    memo TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, name)
);
CREATE TABLE set_members (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id),
    member_id INTEGER NOT NULL,
    UNIQUE (set_id, member_id)
);
-- (schema 8 drops this full-text index and its triggers: V8_SOURCE_KEYS)
CREATE VIRTUAL TABLE source_fts USING fts5(
    text, content='sources', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
);
CREATE TRIGGER sources_fts_insert AFTER INSERT ON sources BEGIN
    INSERT INTO source_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER sources_fts_delete AFTER DELETE ON sources BEGIN
    INSERT INTO source_fts(source_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER sources_fts_update AFTER UPDATE OF text ON sources BEGIN
    INSERT INTO source_fts(source_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO source_fts(rowid, text) VALUES (new.id, new.text);
END;
"""

# Version 2: speaker roles (mark the interviewer, whose turns stay out of quotes and
# autocode by default) and analyst-edited quotes (elisions, editorial insertions).
V2 = """
CREATE TABLE speaker_roles (
    id INTEGER PRIMARY KEY,
    speaker TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('interviewer', 'participant'))
);
ALTER TABLE codings ADD COLUMN quote_edit TEXT;
"""

# Version 3: preferences (pinned codes, remembered report options) move out of the undoable
# settings: they are written outside the undo history, and an insert there could take the
# row id an undone insert in settings would need again on redo.
V3 = """
CREATE TABLE preferences (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    value TEXT
);
INSERT INTO preferences(key, value)
    SELECT key, value FROM settings WHERE key IN ('pinned_codes', 'report_options');
DELETE FROM settings WHERE key IN ('pinned_codes', 'report_options');
"""

# Version 4: the search word index of each source (``store.word_index.build_word_index``: the
# start of every word token, grouped by case key, with the length and CRC-32 of the text it
# was built from). Every writer of ``sources.text`` stores it in the same row, so undo and
# redo restore it together with the text, and a deleted source takes it along. SQL cannot
# compute it: ``database.complete_word_index`` fills it in for existing sources after this
# migration (and for any source found without one when a project is opened for writing).
# Until then, or where it does not belong to the text, search scans the text: same hits.
V4 = """
ALTER TABLE sources ADD COLUMN word_index BLOB;
"""

# Version 5 (issue 19, "annotations and links"): notes anchored to a passage, see-also links
# from a passage to another passage or a whole source, and links from a phrase of a matrix
# summary to the passage it rests on. Every anchor is a (source_id, start, "end") triple of
# code points (see ``ANCHORED_SPANS``), so an edit of a source's text can shift them all alike.
V5_ANNOTATIONS_LINKS = """
CREATE TABLE annotations (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    coder_id INTEGER REFERENCES coders(id),
    created TEXT NOT NULL,
    CHECK (0 <= start AND start < "end")
);
CREATE INDEX annotations_source ON annotations(source_id, start);
CREATE INDEX annotations_coder ON annotations(coder_id);
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    target_source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    target_start INTEGER,
    target_end INTEGER,
    coder_id INTEGER REFERENCES coders(id),
    created TEXT NOT NULL,
    CHECK (0 <= start AND start < "end"),
    CHECK ((target_start IS NULL AND target_end IS NULL)
           OR (0 <= target_start AND target_start < target_end))
);
CREATE INDEX links_source ON links(source_id, start);
CREATE INDEX links_target ON links(target_source_id, target_start);
CREATE INDEX links_coder ON links(coder_id);
CREATE TABLE summary_links (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES matrix_cells(id) ON DELETE CASCADE,
    phrase TEXT NOT NULL CHECK (length(phrase) > 0),
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    coder_id INTEGER REFERENCES coders(id),
    created TEXT NOT NULL,
    CHECK (0 <= start AND start < "end"),
    UNIQUE (cell_id, phrase)
);
CREATE INDEX summary_links_cell ON summary_links(cell_id);
CREATE INDEX summary_links_source ON summary_links(source_id, start);
CREATE INDEX summary_links_coder ON summary_links(coder_id);
"""

# Version 6 (issue 19, survey import): which source holds which survey answer, so that
# importing the same survey again updates those sources (same GUIDs, codings kept) instead
# of adding copies. ``respondent`` is '' for a --by-question source (one per question).
V6_SURVEY_ANSWERS = """
CREATE TABLE survey_answers (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL UNIQUE REFERENCES sources(id),
    dataset TEXT NOT NULL,
    question TEXT NOT NULL,
    respondent TEXT NOT NULL DEFAULT '',
    UNIQUE (dataset, question, respondent)
);
"""

# Version 7 (issue 17, speed): what is derived from each source's text moves out of its row,
# so that listing sources, checking a span or searching reads a few bytes instead of every
# page of every text (SQLite walks a row's overflow pages to reach any column after the
# text). ``source_facts`` holds each source's length in characters (code points, SQLite's
# ``length()``), its search word index (formerly ``sources.word_index``) and the CRC-32 of
# its UTF-8 text (which search compares with the one the index was built from, as it did
# with the text itself). Triggers keep it current whoever writes ``sources``: a new text
# gets its length, a changed text its new length, and neither an index nor a CRC (SQL cannot
# compute them); a deleted source takes its row along. The recorder then writes the CRC of
# the text it wrote and the word index of a ``sources`` row image (its ``word_index`` key,
# as before). Until both are there, search reads the text and checks as before.
# ``sources_list`` covers the columns of the source list, so listing reads that index only;
# ``codings_code`` now covers a code's segments as retrieval and coverage read them (no
# lookup of 50,000 scattered rows for the busiest code).
V7_SOURCE_FACTS = """
CREATE TABLE source_facts (
    source_id INTEGER PRIMARY KEY,
    length INTEGER NOT NULL,
    text_crc INTEGER,
    word_index BLOB
);
INSERT INTO source_facts(source_id, length, word_index) SELECT id, length(text), word_index FROM sources;
ALTER TABLE sources DROP COLUMN word_index;
CREATE INDEX sources_list ON sources(name, id, guid, kind, words, file_format, memo);
DROP INDEX codings_code;
CREATE INDEX codings_code ON codings(code_id, source_id, start, "end", coder_id);
CREATE TRIGGER sources_facts_insert AFTER INSERT ON sources BEGIN
    INSERT OR REPLACE INTO source_facts(source_id, length) VALUES (new.id, length(new.text));
END;
CREATE TRIGGER sources_facts_text AFTER UPDATE OF text ON sources WHEN new.text IS NOT old.text BEGIN
    UPDATE source_facts SET length = length(new.text), text_crc = NULL, word_index = NULL
        WHERE source_id = new.id;
END;
CREATE TRIGGER sources_facts_delete AFTER DELETE ON sources BEGIN
    DELETE FROM source_facts WHERE source_id = old.id;
END;
"""

# Version 8 (issue 17, speed): the FTS5 table goes. Its trigger tokenised every text a second
# time on every import (about 40% of the import's database work) only to pick the sources
# search should look at; the word index answers that. ``source_keys`` holds each source's
# index keys, one per line ("\n" + key + "\n" ...; ``store.source_keys``), and the length and
# CRC-32 of the text the index was built from, so search reads a few kilobytes per source to
# skip the ones that lack a term. Only the recorder (and ``complete_word_index``) writes it,
# from the index it writes; a trigger drops it whenever its source's facts change (a new or
# changed text, a new index, a deleted source), so a row there always belongs to the current
# index, and a source without one is always read (as every source was before the index).
V8_SOURCE_KEYS = """
DROP TRIGGER IF EXISTS sources_fts_insert;
DROP TRIGGER IF EXISTS sources_fts_delete;
DROP TRIGGER IF EXISTS sources_fts_update;
DROP TABLE IF EXISTS source_fts;
CREATE TABLE source_keys (
    source_id INTEGER PRIMARY KEY,
    length INTEGER NOT NULL,
    text_crc INTEGER NOT NULL,
    keys BLOB NOT NULL
);
CREATE TRIGGER source_facts_keys_insert AFTER INSERT ON source_facts BEGIN
    DELETE FROM source_keys WHERE source_id = new.source_id;
END;
CREATE TRIGGER source_facts_keys_update AFTER UPDATE ON source_facts BEGIN
    DELETE FROM source_keys WHERE source_id IN (old.source_id, new.source_id);
END;
CREATE TRIGGER source_facts_keys_delete AFTER DELETE ON source_facts BEGIN
    DELETE FROM source_keys WHERE source_id = old.source_id;
END;
"""

# Version 9 (issue 17, speed): word postings (``store.postings``): each word key's tokens
# across a block of up to 64 sources, so that a search for a word or a two-word phrase
# reads two rows a block instead of every source's whole index. Derived from the word
# indexes and made after them (in the background). A block records the index layout and
# Unicode version it was made under and is never changed, only deleted (its rows and
# members go with it; its number is never used again). A trigger deletes a block whenever
# one of its sources' facts change, so a block always belongs to the indexes now stored,
# and a source in no block is read from its own index.
V9_WORD_POSTINGS = """
CREATE TABLE word_postings_blocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    format INTEGER NOT NULL,
    unicode INTEGER NOT NULL
);
CREATE TABLE word_postings_members (
    source_id INTEGER PRIMARY KEY,
    block INTEGER NOT NULL,
    served INTEGER NOT NULL,
    length INTEGER NOT NULL,
    text_crc INTEGER NOT NULL
);
CREATE INDEX word_postings_members_block ON word_postings_members(block);
CREATE TABLE word_postings (
    block INTEGER NOT NULL,
    key TEXT NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (block, key)
);
CREATE TRIGGER word_postings_blocks_delete AFTER DELETE ON word_postings_blocks BEGIN
    DELETE FROM word_postings WHERE block = old.id;
    DELETE FROM word_postings_members WHERE block = old.id;
END;
CREATE TRIGGER source_facts_postings_insert AFTER INSERT ON source_facts BEGIN
    DELETE FROM word_postings_blocks WHERE id IN
        (SELECT block FROM word_postings_members WHERE source_id = new.source_id);
END;
CREATE TRIGGER source_facts_postings_update AFTER UPDATE ON source_facts BEGIN
    DELETE FROM word_postings_blocks WHERE id IN
        (SELECT block FROM word_postings_members WHERE source_id IN (old.source_id, new.source_id));
END;
CREATE TRIGGER source_facts_postings_delete AFTER DELETE ON source_facts BEGIN
    DELETE FROM word_postings_blocks WHERE id IN
        (SELECT block FROM word_postings_members WHERE source_id = old.source_id);
END;
"""

MIGRATIONS: dict[int, str] = {1: V1, 2: V2, 3: V3, 4: V4, 5: V5_ANNOTATIONS_LINKS, 6: V6_SURVEY_ANSWERS,
                              7: V7_SOURCE_FACTS, 8: V8_SOURCE_KEYS, 9: V9_WORD_POSTINGS}
LATEST = max(MIGRATIONS)

# Tables every undoable change may touch, in the order child rows must be deleted before
# their parents. The undo recorder and integrity tests use it.
TABLES = (
    "settings",
    "coders",
    "sources",
    "speaker_turns",
    "cases",
    "case_sources",
    "attributes",
    "attribute_values",
    "codes",
    "codings",
    "memos",
    "matrix_cells",
    "sets",
    "set_members",
    "speaker_roles",
    "survey_answers",
    "preferences",  # only ever updated by commands (pseudonymisation); preferences are inserted outside
    "annotations",
    "links",
    "summary_links",
)

# Every passage anchor in the project: (table, source column, start column, end column).
# Offsets are code points into ``sources.text``; an edit of a source's text shifts each of
# them (a NULL start/end, e.g. a link to a whole source, stays NULL).
ANCHORED_SPANS = (
    ("codings", "source_id", "start", "end"),
    ("annotations", "source_id", "start", "end"),
    ("links", "source_id", "start", "end"),
    ("links", "target_source_id", "target_start", "target_end"),
    ("summary_links", "source_id", "start", "end"),
)

# Child rows the database deletes with their parent (ON DELETE CASCADE), as
# parent table -> ((child table, foreign key column), ...). The undo recorder deletes
# them itself first, recorded, so undoing the parent's deletion brings them back too.
CASCADES = {
    "sources": (("annotations", "source_id"), ("links", "source_id"), ("links", "target_source_id"),
                ("summary_links", "source_id")),
    "matrix_cells": (("summary_links", "cell_id"),),
}
