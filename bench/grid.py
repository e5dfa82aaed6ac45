"""The schedule grid at scale: prints a table.

Builds a three-day conference with R rooms and T placed talks (default 8 rooms, 240 talks: 80 a
day, 10 a room, 30 minutes back to back from 09:00) plus a lunch across all rooms each day, in a
temporary SQLite file (and in PostgreSQL with ``--database-url``, a fresh schema dropped
afterwards), then measures through the Flask test client: the grid page of the first day, the
programme page, one move (and its way back), and a release. A small build (a tenth) shows that
the statements per request do not depend on the size.

    .venv/bin/python bench/grid.py [--requests 20] [--talks 240] [--rooms 8]
                                   [--database-url postgresql://postgres@127.0.0.1:5432/x]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
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
FIRST = date(2027, 6, 10)


def build(talks: int, rooms: int) -> str:
    conference = services.create_conference(
        services.ConferenceData(
            slug="bench-2027",
            name="Bench 2027",
            timezone="Europe/Amsterdam",
            starts_on=FIRST,
            ends_on=FIRST + timedelta(days=2),
            cfp_opens_local=datetime(2027, 1, 1, 9, 0),  # noqa: DTZ001 - local wall time
            cfp_closes_local=datetime(2027, 3, 1, 23, 59),  # noqa: DTZ001 - local wall time
            formats=[("Talk", 30)],
            rooms=[f"Room {i}" for i in range(rooms)],
        ),
        ACTOR,
        NOW,
    )
    conference.day_ends = conference.day_ends.replace(hour=20)
    fmt = conference.formats[0]
    db.session.flush()
    room_rows = list(db.session.scalars(sa.select(Room).order_by(Room.position)))
    for i in range(talks):
        sub = Submission(
            conference=conference,
            code=f"G{i:05d}",
            state=SubmissionState.CONFIRMED,
            title=f"Talk number {i}",
            format=fmt,
            abstract="About it.",
            form_token=f"grid-bench-{i:06d}",
            submitted_at=NOW,
            created_at=NOW,
            updated_at=NOW,
        )
        sub.speakers.append(Speaker(name=f"Speaker {i}", email=f"s{i}@example.org", invited_at=NOW))
        db.session.add(sub)
        day, rest = divmod(i, talks // 3 or 1)
        room, slot = divmod(rest, max(1, (talks // 3) // rooms))
        minute = 9 * 60 + slot * 30 + (60 if slot >= 6 else 0)  # lunch 12:00-13:00
        local = datetime.combine(FIRST + timedelta(days=min(day, 2)), datetime.min.time())
        local += timedelta(minutes=minute)
        sub.room = room_rows[room % rooms]
        sub.starts_at = services.local_to_utc(local, conference.zone)
        sub.ends_at = sub.starts_at + timedelta(minutes=30)
    db.session.flush()
    for d in range(3):
        day = FIRST + timedelta(days=d)
        data = services.BlockData(
            "Lunch", "break", None, datetime.combine(day, datetime.min.time()).replace(hour=12), 60
        )
        services.save_block(conference, None, data, ACTOR, NOW)
    db.session.flush()
    return "G00000"


def run(kind: str, url: str | None, requests: int, talks: int, rooms: int) -> list[dict[str, Any]]:
    rows = []
    with organizer_site(kind, url, NOW, lambda: build(talks, rooms)) as (app, client, code):
        with app.app_context():
            room_id = db.session.scalar(sa.select(Room.id).where(Room.name == "Room 0"))
        base = "/organize/conferences/bench-2027/programme"
        there = {"item": code, "room": str(room_id), "day": "2027-06-12", "start": "19:00"}
        back = {"item": code, "room": str(room_id), "day": "2027-06-10", "start": "09:00"}
        flip = [there, back]

        def move() -> None:
            flip.reverse()
            assert client.post(f"{base}/move", data=flip[0]).status_code == 200

        checks: dict[str, Callable[[], Any]] = {
            "grid day 1": lambda: client.get(f"{base}/grid/2027-06-10"),
            "programme": lambda: client.get(base),
            "move": move,
        }
        for name, call in checks.items():
            call()  # warm-up
            with app.app_context(), count_queries(db.engine) as counter:
                call()
            p50, p95 = timed(call, requests)
            rows.append(
                {
                    "database": kind,
                    "size": f"{talks}/{rooms}",
                    "what": name,
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
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--talks", type=int, default=240)
    parser.add_argument("--rooms", type=int, default=8)
    parser.add_argument("--database-url", help="also run on this PostgreSQL server")
    args = parser.parse_args()
    sizes = [(max(args.talks // 10, 6), max(args.rooms // 4, 2)), (args.talks, args.rooms)]
    rows = [
        row
        for kind, url in kinds(args.database_url)
        for talks, rooms in sizes
        for row in run(kind, url, args.requests, talks, rooms)
    ]
    print(f"Schedule grid: talks/rooms, {args.requests} requests (Flask test client)")
    print(
        f"{'database':<12} {'size':>7} {'request':<11} "
        f"{'p50 (ms)':>9} {'p95 (ms)':>9} {'queries':>8}"
    )
    for r in rows:
        print(
            f"{r['database']:<12} {r['size']:>7} {r['what']:<11} {r['p50']:>9.1f} "
            f"{r['p95']:>9.1f} {r['queries']:>8}"
        )


if __name__ == "__main__":
    main()
