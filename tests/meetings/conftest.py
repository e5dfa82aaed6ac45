"""Meetings tests run at a pinned "now" (config CADENCE_NOW) so pages and feed windows are
reproducible."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.setdefault("CADENCE_NOW", NOW)
    app_config.setdefault("FEED_VERSION_TTL", 0)  # every request sees the latest change
    return app_config


def dump(app) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of the tables a schedule change touches, for before/after comparisons."""
    from webapp.extensions import db

    tables = ("series", "schedule_rules", "occurrences", "audit_entries", "rendered_feeds")
    with app.app_context():
        inspector = sa.inspect(db.engine)
        names = set(inspector.get_table_names())
        out = {}
        for table in tables:
            if table in names:
                rows = db.session.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")).all()  # noqa: S608 - fixed names
                out[table] = [tuple(r) for r in rows]
        return out
