"""One version for all the data: a counter in the database, bumped by every change.

Stored renders of public pages (``webapp.page_cache``) are keyed by it. It is bumped by session
hooks, not by a list of tables: a flush that writes any row (of any model, including the ones
added after this module was written) or an ORM ``UPDATE``/``DELETE``/``INSERT`` statement marks
the transaction, and its commit bumps ``data_version.counter`` in the same transaction. So the
counter moves exactly when committed data does, every worker and node reads the same one, and
no change can be forgotten. The bump runs just before the commit, so the row lock it takes is
held for the commit only.

``QUIET_TABLES`` lists the few tables that never show on a public page and change for reasons
of their own (stored renders, this counter, the outbox's delivery state, sign-in and
wrong-password bookkeeping): writes to them alone do not bump.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session

from webapp import clock
from webapp.extensions import db

QUIET_TABLES = frozenset(
    {
        "rendered_feeds",
        "data_version",
        "outbox_messages",
        "sign_ins",
        "password_throttles",
        # A private feed's token: a reset shows on no public page (the feed is keyed by it).
        "private_feeds",
        # The import's undo journal, and the live notes (unpublished until a revision is saved,
        # which writes the minutes): keystrokes during a call must not invalidate every page.
        "import_runs",
        "import_changes",
        "live_documents",
        "live_updates",
        "live_presence",
    }
)
_CHANGED = "cadence.data_changed"
_SQL = "SELECT counter, changed_at FROM data_version WHERE id = 1"


def _table_of(obj: Any) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(_CHANGED):
        return
    for obj in chain(session.new, session.deleted, session.dirty):
        if _table_of(obj) in QUIET_TABLES:
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        session.info[_CHANGED] = True
        return


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in QUIET_TABLES:
        state.session.info[_CHANGED] = True


def mark_changed(session: Session) -> None:
    """For writes below the ORM (plain connection statements): the commit bumps the version."""
    session.info[_CHANGED] = True


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction's commit bumps, once
    session.flush()  # what the commit would flush, so that its changes are seen above
    if not session.info.pop(_CHANGED, False):
        return
    values = {"now": clock.now()}
    connection = session.connection()
    done = connection.execute(
        sa.text("UPDATE data_version SET counter = counter + 1, changed_at = :now WHERE id = 1"),
        values,
    )
    if not done.rowcount:  # a database made without the migration's first row
        connection.execute(
            sa.text("INSERT INTO data_version (id, counter, changed_at) VALUES (1, 1, :now)"),
            values,
        )


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_CHANGED, None)


def current(connection: sa.Connection) -> tuple[int, datetime]:
    """``(counter, changed_at)`` as committed."""
    row = connection.exec_driver_sql(_SQL).first()
    if row is None:
        return 0, clock.now().replace(microsecond=0)
    changed = row[1]
    if isinstance(changed, str):  # SQLite through plain SQL: stored as naive UTC text
        changed = datetime.fromisoformat(changed)
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=UTC)
    return int(row[0]), changed


def init_app() -> None:
    """Install the hooks on ``db``'s sessions (once: every app shares the extension)."""
    hooks = (
        ("before_flush", _before_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
        ("after_rollback", _forget),  # a real rollback (not a savepoint's): nothing was written
    )
    for name, fn in hooks:
        if not sa.event.contains(db.session.session_factory, name, fn):
            sa.event.listen(db.session.session_factory, name, fn)
