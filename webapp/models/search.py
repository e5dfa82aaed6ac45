"""The full-text index of minutes (notes, decisions and the attendees' names and handles,
``minutes.attendee_names``), outside the models' tables.

- SQLite: an FTS5 table ``minutes_fts`` (rowid = minutes.id; tokenizer ``unicode61``, no stemming)
  kept current by three triggers on ``minutes``.
- PostgreSQL: a stored generated column ``minutes.minutes_fts_vector`` =
  ``to_tsvector('simple', translate(notes || ' ' || decisions || ' ' || attendee_names,
  PUNCTUATION, spaces))`` (the ``simple`` configuration: lower case, no stemming, no stop
  words) with a GIN index ``minutes_fts_idx``: the database keeps it current.

Both split words the same way (runs of letters and digits; ASCII punctuation separates; case
ignored, no stems), so a word or a quoted phrase finds the same minutes on both. The objects
are made by migration 0019s (remade with the attendees by 0025l) and, for ``db.create_all``
(tests), by the ``after_create`` listener below; ``migrations/env.py`` keeps them out of
``flask db check`` (``is_search_object``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

PREFIX = "minutes_fts"


def _columns(attendees: bool) -> tuple[str, ...]:
    return ("notes", "decisions", "attendee_names") if attendees else ("notes", "decisions")


def pg_document(attendees: bool = True) -> str:
    """The document as PostgreSQL indexes and searches it (the index matches this expression)."""
    return " || ' ' || ".join(f"coalesce({column}, '')" for column in _columns(attendees))


#: ASCII punctuation becomes spaces before PostgreSQL's parser sees the text, so that it splits
#: words as FTS5's unicode61 does (it would otherwise keep URLs, e-mail addresses, versions like
#: 14.1 and hyphenated words whole, and skip <tags>).
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_SQL_PUNCTUATION = PUNCTUATION.replace("'", "''")
PG_DOCUMENT = pg_document()


def pg_vector(attendees: bool = True) -> str:
    return (
        f"to_tsvector('simple'::regconfig, translate({pg_document(attendees)}, "
        f"'{_SQL_PUNCTUATION}', '{' ' * len(PUNCTUATION)}'))"
    )


def sqlite_create(attendees: bool = True) -> tuple[str, ...]:
    # Only the column names of _columns() are formatted into these statements.
    columns = _columns(attendees)
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS minutes_fts USING fts5("
        f"{names}, tokenize = 'unicode61 remove_diacritics 0')",
        "CREATE TRIGGER IF NOT EXISTS minutes_fts_insert AFTER INSERT ON minutes BEGIN "  # noqa: S608
        "DELETE FROM minutes_fts WHERE rowid = new.id; "
        f"INSERT INTO minutes_fts(rowid, {names}) VALUES (new.id, {new}); "
        "END",
        f"CREATE TRIGGER IF NOT EXISTS minutes_fts_update AFTER UPDATE OF {names} ON minutes "  # noqa: S608
        "BEGIN DELETE FROM minutes_fts WHERE rowid = old.id; "
        f"INSERT INTO minutes_fts(rowid, {names}) VALUES (new.id, {new}); "
        "END",
        "CREATE TRIGGER IF NOT EXISTS minutes_fts_delete AFTER DELETE ON minutes BEGIN "
        "DELETE FROM minutes_fts WHERE rowid = old.id; END",
        # Minutes written before the index existed (or while a table rebuild had dropped the
        # triggers).
        f"INSERT INTO minutes_fts(rowid, {names}) SELECT id, {names} FROM minutes "  # noqa: S608
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


def pg_create(attendees: bool = True) -> tuple[str, ...]:
    return (
        f"ALTER TABLE minutes ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({pg_vector(attendees)}) STORED",
        f"CREATE INDEX IF NOT EXISTS minutes_fts_idx ON minutes USING gin ({PG_COLUMN})",
    )


PG_DROP = (
    "DROP INDEX IF EXISTS minutes_fts_idx",
    f"ALTER TABLE minutes DROP COLUMN IF EXISTS {PG_COLUMN}",
)


def install(connection: sa.Connection, attendees: bool = True) -> None:
    """Create the index for this connection's database (idempotent). ``attendees=False`` is
    the index as migration 0019s made it (before ``minutes.attendee_names`` existed)."""
    if connection.dialect.name == "sqlite":
        statements = sqlite_create(attendees)
    else:
        statements = pg_create(attendees)
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
