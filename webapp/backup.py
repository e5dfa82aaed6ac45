"""Backups as versioned JSON: every row of every table, readable without Cadence.

Format (version 1)::

    {"format": "cadence-backup", "version": 1, "schema_revision": "0002" | null,
     "tables": {"<table>": {"columns": ["id", ...], "rows": [[...], ...]}, ...}}

Instants are ISO 8601 UTC strings ending in ``Z``, dates ``YYYY-MM-DD``, times ``HH:MM:SS``,
binary data base64, JSON columns as JSON. Tables are written in dependency order and rows by
primary key, so the same data always gives the same file. A restore goes into an empty database
of the same schema revision, in one transaction, on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from webapp import data_version
from webapp.extensions import db

FORMAT = "cadence-backup"
VERSION = 1


class BackupError(ValueError):
    """A backup file that cannot be restored here; the message says why."""


def _tables() -> list[sa.Table]:
    """The tables a backup holds (the data version is derived state: a restore bumps it)."""
    return [
        t for t in db.metadata.sorted_tables if t.name not in ("alembic_version", "data_version")
    ]


def schema_revision() -> str | None:
    inspector = sa.inspect(db.session.connection())
    if not inspector.has_table("alembic_version"):
        return None
    return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _load_value(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.Time):
        return time.fromisoformat(value)
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    return value


def dump() -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for table in _tables():
        columns = [c.name for c in table.columns]
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(sa.select(*table.columns).order_by(*order)).all()
        tables[table.name] = {
            "columns": columns,
            "rows": [[_dump_value(v) for v in row] for row in rows],
        }
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema_revision": schema_revision(),
        "tables": tables,
    }


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0] if text else ''}"


def write(path: Path) -> dict[str, int]:
    try:
        data = dump()
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(
            f"cannot read the database ({_first_line(exc)}); is it migrated (flask db upgrade)?"
        ) from None
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    tmp = path.with_name(path.name + ".partial")
    try:
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(path)  # a crash never leaves half a backup under the real name
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise BackupError(f"{path}: cannot write the backup: {exc.strerror or exc}") from None
    return {name: len(t["rows"]) for name, t in data["tables"].items()}


def read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except OSError as exc:
        raise BackupError(f"{path}: cannot read the backup: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path}: not a Cadence backup (not JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f'{path}: not a Cadence backup (no "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise BackupError(
            f"{path}: backup format version {data.get('version')!r}; this Cadence reads {VERSION}"
        )
    if not isinstance(data.get("tables"), dict):
        raise BackupError(f"{path}: the backup has no tables")
    return data


def is_empty() -> bool:
    return all(
        db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar() == 0
        for t in _tables()
    )


def restore(data: dict[str, Any]) -> dict[str, int]:
    """Load ``data`` into this empty database. Flushes; the caller commits or rolls back."""
    if not is_empty():
        raise BackupError(
            "the database is not empty: restore goes into a freshly migrated, empty database"
        )
    here = schema_revision()
    theirs = data.get("schema_revision")
    if here and theirs and here != theirs:
        raise BackupError(
            f"the backup is of schema revision {theirs} but this database is at {here}; "
            "migrate one of them to match (flask db upgrade / downgrade)"
        )
    known = {t.name: t for t in _tables()}
    unknown = sorted(set(data["tables"]) - set(known))
    if unknown:
        raise BackupError(f"the backup has tables this Cadence does not know: {', '.join(unknown)}")
    counts: dict[str, int] = {}
    data_version.mark_changed(db.session())  # rows written below the ORM: pages must see them
    connection = db.session.connection()
    for table in _tables():
        rows = _rows_of(table, data["tables"].get(table.name))
        if not rows:
            continue
        try:
            with connection.begin_nested():
                connection.execute(table.insert(), rows)
        except sa.exc.SQLAlchemyError as exc:
            raise BackupError(
                f"table {table.name}: the database refused the rows ({_first_line(exc)})"
            ) from None
        counts[table.name] = len(rows)
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection)
    return counts


def _rows_of(table: sa.Table, block: Any) -> list[dict[str, Any]]:
    """The rows of one table's block, as values for ``table``; BackupError when malformed."""
    if not block:
        return []
    if not isinstance(block, dict) or not isinstance(block.get("columns"), list):
        raise BackupError(f"table {table.name}: malformed (expected columns and rows)")
    columns = block["columns"]
    missing = [str(c) for c in columns if c not in table.columns]
    if missing:
        raise BackupError(f"table {table.name}: unknown columns {', '.join(missing)}")
    try:
        return [
            {c: _load_value(table.columns[c], v) for c, v in zip(columns, row, strict=True)}
            for row in block.get("rows") or []
        ]
    except (TypeError, ValueError, AttributeError, binascii.Error) as exc:
        raise BackupError(f"table {table.name}: malformed row ({exc})") from None


def _reset_sequences(connection: sa.Connection) -> None:
    """Inserting explicit ids leaves PostgreSQL's sequences behind: move them past the data."""
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer) or not pk[0].autoincrement:
            continue
        seq = connection.execute(
            sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
        ).scalar()
        if seq:
            # Names come from our own metadata, never from input.
            query = f"SELECT setval(:s, COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"  # noqa: S608, E501
            connection.execute(sa.text(query), {"s": seq})
