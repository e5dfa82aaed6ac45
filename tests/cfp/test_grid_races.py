"""Two organizers move two talks into one slot at the same moment (PostgreSQL): one wins, the
other is refused naming the winner, never both placed."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import _confirmed
from tests.cfp.test_races import _held, _together
from webapp.cfp.services import conflicts
from webapp.extensions import db
from webapp.models import Submission


@pytest.fixture
def database(pg_schema_url: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The race needs row locks: the app runs on PostgreSQL in the SQLite pass too."""
    return pg_schema_url


def test_two_moves_into_one_slot_at_once_place_one(
    app, make_conference, client_as, monkeypatch
) -> None:
    c = make_conference()
    first, second = _confirmed(app, c, "First talk"), _confirmed(app, c, "Second talk")
    one, two = client_as("organizer"), client_as("organizer")
    barrier = threading.Barrier(2)
    monkeypatch.setattr(conflicts, "check", _held(barrier, conflicts.check))
    url = "/organize/conferences/bhyvecon-2027/programme/move"

    def move(client: Any, code: str) -> Any:
        return client.post(
            url,
            data={"item": code, "room": str(c.rooms[0].id), "day": "2027-06-10", "start": "10:00"},
        )

    answers = _together(lambda: move(one, first), lambda: move(two, second))
    assert sorted(a.status_code for a in answers) == [200, 409]
    refused = next(a for a in answers if a.status_code == 409).get_json()["error"]
    assert refused.startswith("Main hall is taken then by “")
    with app.app_context():
        placed = db.session.scalars(sa.select(Submission).where(Submission.starts_at.is_not(None)))
        assert len(list(placed)) == 1
