"""Import runs: every ``flask minutes import`` is recorded with what it changed, row by row,
so that ``flask minutes undo-import RUN`` puts the database back as it was.

While a run is on, the session carries a :class:`Journal` (``session.info``): SQLAlchemy's flush
events note each row of the minutes tables created, changed (its columns before) or deleted (its
columns). Minutes saved with the version check (an ``UPDATE`` the ORM does not see) are noted by
the importer itself (``Journal.before``). Undoing restores changed rows, deletes created ones
(newest first) and puts deleted ones back.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from webapp import audit
from webapp.extensions import db
from webapp.models import (
    FollowUp,
    ImportChange,
    ImportRun,
    Minutes,
    MinutesAttendee,
    MinutesRevision,
    Occurrence,
    Person,
    Review,
    ScheduleRule,
)

TRACKED: tuple[type, ...] = (Person, Minutes, MinutesAttendee, MinutesRevision, FollowUp, Review)
TRACKED += (Occurrence, ScheduleRule)
KEY = "import_journal"


class UndoError(ValueError):
    pass


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _columns(obj: Any, *, before: bool) -> dict[str, Any]:
    """The row's column values; ``before``: as loaded, before this flush's changes."""
    state = inspect(obj)
    out: dict[str, Any] = {}
    for column in state.mapper.column_attrs:
        name, column_name = column.key, column.columns[0].name
        if before:
            history = state.attrs[name].history
            if history.added or history.deleted:
                out[column_name] = _plain(history.deleted[0]) if history.deleted else None
                continue
            if name in state.unloaded:
                continue
        out[column_name] = _plain(getattr(obj, name))
    return out


def _key(obj: Any) -> str:
    return json.dumps(list(inspect(obj).mapper.primary_key_from_instance(obj)))


class Journal:
    """What one import run changed, noted as it flushes."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.pending: list[dict[str, Any]] = []
        self.created: set[tuple[str, str]] = set()
        self.seen: set[tuple[str, str]] = set()
        #: Rows noted so far (a run that changed nothing is not kept).
        self.written = 0

    def note(self, obj: Any, action: str, values: dict[str, Any] | None = None) -> None:
        table = obj.__table__.name
        where = (table, _key(obj))
        if action == "created":
            self.created.add(where)
        elif where in self.created or (action == "changed" and where in self.seen):
            return
        self.seen.add(where)
        before = json.dumps(values or {}, sort_keys=True)
        self.pending.append(
            {"run_id": self.run_id, "table_name": table, "row_key": where[1], "action": action,
             "before": before}
        )  # fmt: skip

    def before(self, obj: Any) -> None:
        """Note ``obj``'s columns now, before a change the ORM will not see."""
        self.note(obj, "changed", _columns(obj, before=False))

    def write(self) -> None:
        if self.pending:
            # A plain executemany of the table: the notes need no ORM objects of their own.
            db.session.execute(sa.insert(_table(ImportChange.__tablename__)), self.pending)
            self.written += len(self.pending)
        self.pending = []

    def forget(self) -> None:
        """A file rolled back: its notes go too."""
        self.pending = []


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    journal = session.info.get(KEY)
    if journal is None:
        return
    for obj in list(session.dirty):
        if isinstance(obj, TRACKED) and session.is_modified(obj, include_collections=False):
            journal.note(obj, "changed", _columns(obj, before=True))
    for obj in list(session.deleted):
        if isinstance(obj, TRACKED):
            journal.note(obj, "deleted", _columns(obj, before=True))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    journal = session.info.get(KEY)
    if journal is None:
        return
    for obj in list(session.new):
        if isinstance(obj, TRACKED):
            journal.note(obj, "created")


def start(command: str, actor: audit.Actor) -> Journal:
    """Record a new run (committed by the caller) and journal the session from now on."""
    run = ImportRun(actor=actor.label, command=command[:1000], summary="")
    db.session.add(run)
    db.session.flush()
    journal = Journal(run.id)
    db.session.info[KEY] = journal
    return journal


def stop() -> None:
    db.session.info.pop(KEY, None)


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def _values(table: sa.Table, raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in raw.items():
        column_type = table.c[name].type
        if isinstance(column_type, sa.TypeDecorator):
            column_type = column_type.impl_instance
        kind = column_type.python_type
        if isinstance(value, str) and kind in (datetime, date, time):
            value = kind.fromisoformat(value)
        out[name] = value
    return out


def _where(table: sa.Table, row_key: str) -> sa.ColumnElement[bool]:
    keys = json.loads(row_key)
    return sa.and_(*(c == k for c, k in zip(table.primary_key.columns, keys, strict=True)))


def undo(run_id: int, actor: audit.Actor, now: datetime) -> dict[str, int]:
    """Take back what run ``run_id`` did (flush only). Refused when it is undone already or a
    later run is still in place."""
    run = db.session.get(ImportRun, run_id)
    if run is None:
        raise UndoError(f"there is no import run {run_id}")
    if run.undone_at is not None:
        raise UndoError(f"import run {run_id} was undone already")
    later = db.session.scalar(
        sa.select(ImportRun.id).where(ImportRun.id > run_id, ImportRun.undone_at.is_(None))
    )
    if later is not None:
        raise UndoError(f"undo import run {later} first (it came after run {run_id})")
    changes = list(
        db.session.scalars(
            sa.select(ImportChange).where(ImportChange.run_id == run_id).order_by(ImportChange.id)
        )
    )
    created = {(c.table_name, c.row_key) for c in changes if c.action == "created"}
    counts = {"restored": 0, "deleted": 0, "put back": 0}
    db.session.flush()
    db.session.expunge_all()
    for c in changes:
        if c.action == "changed" and (c.table_name, c.row_key) not in created:
            table = _table(c.table_name)
            values = _values(table, json.loads(c.before))
            db.session.execute(sa.update(table).where(_where(table, c.row_key)).values(**values))
            counts["restored"] += 1
    for c in reversed(changes):
        if c.action == "created":
            table = _table(c.table_name)
            db.session.execute(sa.delete(table).where(_where(table, c.row_key)))
            counts["deleted"] += 1
    for c in reversed(changes):
        if c.action == "deleted" and (c.table_name, c.row_key) not in created:
            table = _table(c.table_name)
            db.session.execute(sa.insert(table).values(**_values(table, json.loads(c.before))))
            counts["put back"] += 1
    db.session.execute(sa.update(ImportRun).where(ImportRun.id == run_id).values(undone_at=now))
    summary = ", ".join(f"{n} rows {what}" for what, n in counts.items())
    audit.record(
        actor, "minutes.undo_import", "import_run", run_id, f"undid run {run_id}: {summary}"
    )
    return counts
