"""Archive mode: an imported archive does not flood the next agenda with old follow-ups.

After the files of ``flask minutes import --archive``, every follow-up raised by one of them
that is still open, and that no later imported file still lists as open, is closed at the newest
imported meeting of its series, as "closed in the archive" (state dropped, with that note). So
at most the follow-ups the newest meetings still list stay open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes.services.follow_ups import set_follow_up_state
from webapp.models import FollowUp, FollowUpState, Occurrence, Series

NOTE = "closed in the archive"


@dataclass
class Imported:
    """The meetings a run imported, and when each open follow-up was last listed."""

    days: dict[int, set[date]] = field(default_factory=dict)
    last_listed: dict[int, date] = field(default_factory=dict)

    def add(self, series: Series, day: date, listed: list[int]) -> None:
        self.days.setdefault(series.id, set()).add(day)
        for follow_up_id in listed:
            if self.last_listed.get(follow_up_id, date.min) < day:
                self.last_listed[follow_up_id] = day


def close_stale(imported: Imported, actor: audit.Actor) -> int:
    """Close what the archive left open (one flush); returns how many were closed."""
    closed = 0
    for series_id, days in imported.days.items():
        series = db.session.get(Series, series_id)
        assert series is not None  # noqa: S101 - imported into it in this run
        newest = max(days)
        occ = None
        query = (
            sa.select(FollowUp)
            .join(Occurrence, FollowUp.raised_occurrence_id == Occurrence.id)
            .where(
                FollowUp.series_id == series_id,
                FollowUp.state == FollowUpState.OPEN,
                Occurrence.original_date.in_(days),
            )
            .order_by(FollowUp.id)
        )
        for item in db.session.scalars(query).all():
            listed = imported.last_listed.get(item.id, item.raised_at.original_date)
            if listed >= newest:
                continue
            occ = occ or meetings.occurrence_row(series, newest)
            item.close_note = NOTE
            set_follow_up_state(
                item, FollowUpState.DROPPED, series, newest, actor, occ=occ, flush=False
            )
            closed += 1
    db.session.flush()
    return closed
