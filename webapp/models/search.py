"""The full-text index of minutes (notes and decisions), outside the models' tables.

- SQLite: an FTS5 table ``minutes_fts`` (rowid = minutes.id; tokenizer ``unicode61``, no stemming)
  kept current by three triggers on ``minutes``.
- PostgreSQL: a stored generated column ``minutes.minutes_fts_vector`` =
  ``to_tsvector('simple', translate(notes || ' ' || decisions, PUNCTUATION, spaces))`` (the
  ``simple`` configuration: lower case, no stemming, no stop words) with a GIN index
  ``minutes_fts_idx``: the database keeps it current.

Both split words the same way (runs of letters and digits; ASCII punctuation separates; case
ignored, no stems), so a word or a quoted phrase finds the same minutes on both. The objects
are made by migration 0019s and, for ``db.create_all`` (tests), by the ``after_create`` listener
below; ``migrations/env.py`` keeps them out of ``flask db check`` (``is_search_object``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

PREFIX = "minutes_fts"
#: The document as PostgreSQL indexes and searches it (the index matches this exact expression).
PG_DOCUMENT = "coalesce(notes, '') || ' ' || coalesce(decisions, '')"
#: ASCII punctuation becomes spaces before PostgreSQL's parser sees the text, so that it splits
#: words as FTS5's unicode61 does (it would otherwise keep URLs, e-mail addresses, versions like
#: 14.1 and hyphenated words whole, and skip <tags>).
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_SQL_PUNCTUATION = PUNCTUATION.replace("'", "''")
PG_VECTOR = (
    f"to_tsvector('simple'::regconfig, translate({PG_DOCUMENT}, "
    f"'{_SQL_PUNCTUATION}', '{' ' * len(PUNCTUATION)}'))"
)

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS minutes_fts USING fts5("
    "notes, decisions, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS minutes_fts_insert AFTER INSERT ON minutes BEGIN "
    "DELETE FROM minutes_fts WHERE rowid = new.id; "
    "INSERT INTO minutes_fts(rowid, notes, decisions) VALUES (new.id, new.notes, new.decisions); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS minutes_fts_update AFTER UPDATE OF notes, decisions ON minutes "
    "BEGIN DELETE FROM minutes_fts WHERE rowid = old.id; "
    "INSERT INTO minutes_fts(rowid, notes, decisions) VALUES (new.id, new.notes, new.decisions); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS minutes_fts_delete AFTER DELETE ON minutes BEGIN "
    "DELETE FROM minutes_fts WHERE rowid = old.id; END",
    # Minutes written before the index existed (or while a table rebuild had dropped the triggers).
    "INSERT INTO minutes_fts(rowid, notes, decisions) SELECT id, notes, decisions FROM minutes "
    "WHERE id NOT IN (SELECT rowid FROM minutes_fts)",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS minutes_fts_insert",
    "DROP TRIGGER IF EXISTS minutes_fts_update",
    "DROP TRIGGER IF EXISTS minutes_fts_delete",
    "DROP TABLE IF EXISTS minutes_fts",
)
#: The vector is stored in a generated column, so ranking a thousand matches reads it instead of
#: parsing a thousand texts again.
PG_COLUMN = "minutes_fts_vector"
PG_CREATE = (
    f"ALTER TABLE minutes ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    f"CREATE INDEX IF NOT EXISTS minutes_fts_idx ON minutes USING gin ({PG_COLUMN})",
)
PG_DROP = (
    "DROP INDEX IF EXISTS minutes_fts_idx",
    f"ALTER TABLE minutes DROP COLUMN IF EXISTS {PG_COLUMN}",
)


def install(connection: sa.Connection) -> None:
    """Create the index for this connection's database (idempotent)."""
    statements = SQLITE_CREATE if connection.dialect.name == "sqlite" else PG_CREATE
    for statement in statements:
        connection.execute(sa.text(statement))  # text(): a literal % is escaped for the driver


def uninstall(connection: sa.Connection) -> None:
    statements = SQLITE_DROP if connection.dialect.name == "sqlite" else PG_DROP
    for statement in statements:
        connection.execute(sa.text(statement))


def is_search_object(name: str | None) -> bool:
    """For Alembic's ``include_object``: the index's tables (FTS5 makes shadow tables
    ``minutes_fts_data``, ``_idx``, ``_content``, ``_docsize``, ``_config``), column and index."""
    return bool(name and name.startswith(PREFIX))


def listen(table: sa.FromClause) -> None:
    def create(target: Any, connection: sa.Connection, **kw: Any) -> None:
        install(connection)

    def drop(target: Any, connection: sa.Connection, **kw: Any) -> None:
        uninstall(connection)

    sa.event.listen(table, "after_create", create)
    sa.event.listen(table, "before_drop", drop)
