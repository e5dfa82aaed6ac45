"""CFP lists at scale: prints a table.

Builds a conference with N submissions (default 2,000) and R programme releases (default 20;
each moves a few talks) in a temporary SQLite file, and in PostgreSQL with ``--database-url``
(a fresh schema, dropped afterwards), then requests the organizers' submissions list (page 1,
the last page, a search) and the public changes page and its Atom feed through the Flask test
client, and reports p50/p95 latency and the SQL statements per request. A second, small build
(a tenth of the submissions, two releases) shows the statement counts do not depend on size.

    .venv/bin/python bench/cfp_lists.py [--requests 30] [--submissions 2000] [--releases 20]
                                        [--database-url postgresql://postgres@127.0.0.1:5432/x]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.testclient import kinds, organizer_site, timed  # noqa: E402
from tests.querycount import count_queries  # noqa: E402
from webapp import audit  # noqa: E402
from webapp.cfp import services  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Room, Speaker, Submission, SubmissionState  # noqa: E402

NOW = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
ACTOR = audit.Actor(label="bench")


def _conference() -> Any:
    return services.create_conference(
        services.ConferenceData(
            slug="bench-2027",
            name="Bench 2027",
            timezone="Europe/Amsterdam",
            starts_on=date(2027, 6, 10),
            ends_on=date(2027, 6, 12),
            cfp_opens_local=datetime(2027, 1, 1, 9, 0),  # noqa: DTZ001 - local wall time
            cfp_closes_local=datetime(2027, 3, 1, 23, 59),  # noqa: DTZ001 - local wall time
            formats=[("Talk", 30), ("Lightning", 10), ("Tutorial", 90)],
            tracks=["Core", "Operations"],
            rooms=[f"Room {i}" for i in range(8)],
        ),
        ACTOR,
        NOW,
    )


def build(submissions: int, releases: int) -> None:
    conference = _conference()
    talk = conference.formats[0]
    placed: list[Submission] = []
    for i in range(submissions):
        confirmed = i < 120
        sub = Submission(
            conference=conference,
            code=f"B{i:05d}",
            state=SubmissionState.CONFIRMED if confirmed else SubmissionState.SUBMITTED,
            title=f"Talk number {i}",
            format=talk,
            abstract="About it.",
            form_token=f"bench-{i:06d}-{'x' * 10}",
            submitted_at=NOW - timedelta(days=60, minutes=i),
            created_at=NOW,
            updated_at=NOW,
        )
        sub.speakers.append(Speaker(name=f"Speaker {i}", email=f"s{i}@example.org", invited_at=NOW))
        db.session.add(sub)
        if confirmed:
            placed.append(sub)
    db.session.flush()
    rooms = list(db.session.scalars(sa.select(Room).order_by(Room.position)))
    for n, sub in enumerate(placed):
        day, slot = divmod(n, 40)
        room, hour = divmod(slot, 5)
        _slot(sub, rooms[room], conference, day, 9 + hour)
    for r in range(releases):
        if r:
            for sub in placed[(r * 3) % len(placed) :][:3]:
                _slot(sub, sub.room, conference, 2, 15 + r % 3, shift=r)
        services.release(conference, f"Release {r + 1}", ACTOR, NOW + timedelta(hours=r), False)
    db.session.flush()


def _slot(sub: Submission, room: Any, conference: Any, day: int, hour: int, shift: int = 0) -> None:
    local = datetime.combine(conference.starts_on + timedelta(days=day), datetime.min.time())
    local = local.replace(hour=hour, minute=(shift * 7) % 30)
    sub.room = room
    sub.starts_at = services.local_to_utc(local, conference.zone)
    sub.ends_at = sub.starts_at + timedelta(minutes=30)


PAGES = {
    "list p1": "/organize/conferences/bench-2027/submissions",
    "list last": "/organize/conferences/bench-2027/submissions?page=9999",
    "list search": "/organize/conferences/bench-2027/submissions?q=number%201&sort=score",
    "changes": "/conferences/bench-2027/program/changes",
    "changes.atom": "/conferences/bench-2027/program/changes.atom",
}


def run(
    kind: str, url: str | None, requests: int, size: int, releases: int
) -> list[dict[str, Any]]:
    rows = []
    with organizer_site(kind, url, NOW, lambda: build(size, releases)) as (app, client, _):
        for name, path in PAGES.items():
            client.get(path)  # warm-up
            with app.app_context(), count_queries(db.engine) as counter:
                assert client.get(path).status_code == 200, path

            def get(path: str = path) -> None:
                assert client.get(path).status_code == 200

            p50, p95 = timed(get, requests)
            rows.append(
                {
                    "database": kind,
                    "size": f"{size}/{releases}",
                    "page": name,
                    "p50": p50,
                    "p95": p95,
                    "queries": counter.count,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--releases", type=int, default=20)
    parser.add_argument("--database-url", help="also run on this PostgreSQL server")
    args = parser.parse_args()
    sizes = [(args.submissions // 10, 2), (args.submissions, args.releases)]
    rows = [
        row
        for kind, url in kinds(args.database_url)
        for size, releases in sizes
        for row in run(kind, url, args.requests, size, releases)
    ]
    print(f"CFP lists: submissions/releases, {args.requests} requests (Flask test client)")
    print(
        f"{'database':<12} {'size':>9} {'page':<13} {'p50 (ms)':>9} {'p95 (ms)':>9} {'queries':>8}"
    )
    for r in rows:
        print(
            f"{r['database']:<12} {r['size']:>9} {r['page']:<13} {r['p50']:>9.1f} "
            f"{r['p95']:>9.1f} {r['queries']:>8}"
        )


if __name__ == "__main__":
    main()
