"""A series with meetings, a person with follow-ups, and a scribe: the private feed's world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes.services import follow_ups, people

#: Thursday 3 December 2026, noon UTC: the bhyve call meets at 16:00 New York (21:00 UTC) today.
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    ada_id: int
    bob_id: int
    due_id: int
    undated_id: int
    closed_id: int
    others_id: int


@pytest.fixture
def world(app) -> World:  # type: ignore[no-untyped-def]
    app.config["CADENCE_NOW"] = NOW
    with app.app_context():
        series = meetings.create_series(
            "bhyve",
            meetings.SeriesDetails(title="bhyve bi-weekly call"),
            "America/New_York",
            date(2026, 10, 22),
            time(16),
            60,
            audit.CLI,
        )
        meetings.create_series(
            "docs",
            meetings.SeriesDetails(title="Docs sync"),
            "Europe/Berlin",
            date(2026, 11, 2),
            time(10),
            30,
            audit.CLI,
        )
        ada = people.create_person("Ada Lovelace", audit.CLI, handle="ada")
        bob = people.create_person("Bob Example", audit.CLI, handle="bob")
        raised = date(2026, 11, 19)
        due = follow_ups.add_follow_up(
            series, raised, ada, "Review the vmm patch", audit.CLI, due=date(2026, 12, 10)
        )
        undated = follow_ups.add_follow_up(series, raised, ada, "Write the NVMe notes", audit.CLI)
        closed = follow_ups.add_follow_up(series, raised, ada, "Old task", audit.CLI)
        follow_ups.set_follow_up_state(closed, "done", series, raised, audit.CLI)
        others = follow_ups.add_follow_up(series, raised, bob, "Bob's own task", audit.CLI)
        db.session.commit()
        return World(ada.id, bob.id, due.id, undated.id, closed.id, others.id)
