"""Fixtures for the minutes area: the bhyve series and the real minutes of 2019-02-07."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "webapp" / "minutes" / "demo_minutes" / "2019-02-07.md"
SHARED_FIXTURE = ROOT.parent / "shared" / "fixtures" / "minutes" / "000_089de6db5526fc8f.txt"


def create_bhyve(agenda: str = "") -> None:
    meetings.create_series(
        "bhyve",
        meetings.SeriesDetails(title="bhyve bi-weekly call", agenda_template=agenda),
        "America/New_York",
        date(2019, 1, 24),
        time(16),
        60,
        audit.CLI,
    )


@pytest.fixture
def bhyve(app):
    with app.app_context():
        create_bhyve("* Roll call\n* Reviews, in priority order (see D12345)")
        db.session.commit()
    return "bhyve"


def counts() -> dict[str, int]:
    """Rows in every table: "nothing half-written" means these do not change."""
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
