"""Demo data for the calls: the bhyve bi-weekly call since January 2019, with a cancelled and a
moved meeting in the weeks after ``now``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from webapp import audit
from webapp.announcements import settings as announcements
from webapp.meetings import schedule, services

DEMO = audit.Actor(label="demo")

DESCRIPTION = """\
The bhyve community's call: production users and developers of the bhyve hypervisor compare
notes, walk through the review queue and plan releases. Everyone is welcome.

Minutes of every meeting are published here; see the
[bhyve documentation](https://docs.freebsd.org/en/books/handbook/virtualization/) to get started.
"""

AGENDA = """\
1. Introductions
2. Review queue
3. Production reports
4. Follow-ups from the last call
"""


def load(now: datetime) -> None:
    series = services.create_series(
        "bhyve",
        services.SeriesDetails(
            title="bhyve bi-weekly call",
            description=DESCRIPTION,
            join_url="https://meet.example.org/bhyve-call",
            agenda_template=AGENDA,
        ),
        "America/New_York",
        date(2019, 1, 24),  # so 2019-02-07 and 2019-02-21 are meetings
        time(16, 0),
        60,
        DEMO,
        interval_weeks=2,
    )
    ahead = services.occurrences(series, now + timedelta(days=1), now + timedelta(weeks=8))
    if len(ahead) >= 3:
        services.cancel(
            series, ahead[1].original_date, DEMO, reason="Most of us are at the developer summit"
        )
        moved = ahead[2]
        tz = schedule.zone(series.timezone)
        later = moved.start.astimezone(tz) + timedelta(days=1)
        services.move(series, moved.original_date, later.date(), time(17, 0), DEMO)
    # Set after the changes above: loading the demo mails nobody.
    announcements.change(
        series,
        DEMO,
        to=["bhyve-virtualization@example.org"],
        zones=["Europe/Amsterdam", "America/Los_Angeles"],
    )
