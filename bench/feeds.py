"""Calendar feed benchmark: prints a table.

1. Render time of a 10-year series with 50 exceptions: a cold render (build + render_calendar +
   store) and a cached serve (what every later request costs), through the Flask test client.
2. Requests per second, measured with ``wrk`` (a C client: Python threads would cap both sides),
   for three feeds served by gunicorn with the project's own ``gunicorn.conf.py`` (2 workers) on
   a temporary SQLite database migrated with ``flask db upgrade``: a 10-year series
   (``/calendar/SLUG.ics``), ``/calendar.ics``, and a 120-talk programme (``program.ics`` and
   ``schedule.json``). Next to each, the same bytes and headers from a bare WSGI app under the
   same gunicorn and the same ``gunicorn.conf.py``, and the ratio; and the rate of 304 answers.

    .venv/bin/python bench/feeds.py [--seconds 5] [--connections 8] [--rounds 3]

Needs ``wrk`` (Debian: ``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import answers, both_servers, migrated_site, wrk  # noqa: E402

SLUG = "bench"

#: A conference whose programme has this many placed talks.
TALKS = 120


def populate(app) -> None:  # type: ignore[no-untyped-def]
    """A series that began ten years ago, with 50 exceptions inside the feed window."""
    from webapp import audit
    from webapp.extensions import db
    from webapp.meetings import services

    with app.app_context():
        today = datetime.now(UTC).date()
        first = today - timedelta(days=3653)
        first -= timedelta(days=(first.weekday() - 3) % 7)  # a Thursday
        series = services.create_series(
            SLUG,
            services.SeriesDetails(
                title="Bench call",
                description="A long-running call.",
                join_url="https://meet.example.org/bench",
            ),
            "America/New_York",
            first,
            clock(16),
            60,
            audit.CLI,
        )
        start = datetime.now(UTC) - timedelta(days=300)
        slots = services.occurrences(series, start, start + timedelta(days=3 * 365))
        for i, slot in enumerate(slots[:50]):
            day = slot.original_date
            if i % 3 == 0:
                services.cancel(series, day, audit.CLI, reason=f"reason {i}")
            elif i % 3 == 1:
                services.move(series, day, day + timedelta(days=1), clock(17), audit.CLI)
            else:
                services.add_extra(
                    series, day + timedelta(days=4), clock(11), audit.CLI, title=f"extra {i}"
                )
        db.session.commit()


def fast_feeds(app):  # type: ignore[no-untyped-def]
    """The ``FastFeeds`` middleware among the app's (the page cache may stand in front of it)."""
    layer = app.wsgi_app
    while not hasattr(layer, "replays"):
        layer = layer.wsgi_app
    return layer


def render_times(app, repeat: int = 200) -> tuple[float, float, float, int, int]:  # type: ignore[no-untyped-def]
    """(cold render ms, cached serve by the view ms, cached serve by FastFeeds ms, bytes,
    VEVENTs)."""
    from webapp.extensions import db
    from webapp.meetings.feeds import cache
    from webapp.models import RenderedFeed

    client = app.test_client()
    path = f"/calendar/{SLUG}.ics"
    colds = []
    for _ in range(5):
        with app.app_context():
            db.session.query(RenderedFeed).delete()
            db.session.commit()
        cache.memory.clear()
        fast_feeds(app).replays.clear()
        t0 = time.perf_counter()
        body = client.get(path).data
        colds.append(time.perf_counter() - t0)

    def timed(fast: bool) -> float:
        app.config["FEED_FAST_PATH"] = fast
        client.get(path)
        t0 = time.perf_counter()
        for _ in range(repeat):
            assert client.get(path).status_code == 200
        return (time.perf_counter() - t0) / repeat * 1000

    view, fast = timed(False), timed(True)
    return min(colds) * 1000, view, fast, len(body), body.count(b"BEGIN:VEVENT")


def populate_programme(app) -> str:  # type: ignore[no-untyped-def]
    """A published three-day conference in four rooms with ``TALKS`` placed, confirmed talks,
    released."""
    import uuid
    from datetime import date

    from webapp import audit
    from webapp.cfp import services
    from webapp.extensions import db
    from webapp.models import Speaker, Submission, SubmissionState

    now = datetime.now(UTC)
    with app.app_context():
        conference = services.create_conference(
            services.ConferenceData(
                slug="benchcon",
                name="Benchcon",
                timezone="Europe/Amsterdam",
                starts_on=date(2027, 6, 9),
                ends_on=date(2027, 6, 11),
                cfp_opens_local=services.parse_local_datetime("2027-01-10 09:00", "opens"),
                cfp_closes_local=services.parse_local_datetime("2027-03-01 23:59", "closes"),
                place="Amsterdam",
                formats=[("Talk", 30)],
                tracks=["Core", "Operations"],
                rooms=["Main hall", "Room 2", "Room 3", "Workshop room"],
                anonymous_review=False,
            ),
            audit.CLI,
            now,
        )
        db.session.flush()
        for n in range(TALKS):
            day, slot = divmod(n, 40)
            room, index = divmod(slot, 10)
            start = datetime(2027, 6, 9 + day, 7 + index, tzinfo=UTC)
            talk = Submission(
                conference_id=conference.id,
                code=services.new_code(),
                state=SubmissionState.CONFIRMED,
                title=f"Talk {n}: running a hypervisor in production",
                format_id=conference.formats[0].id,
                track_id=conference.tracks[n % 2].id,
                room_id=conference.rooms[room].id,
                starts_at=start,
                ends_at=start + timedelta(minutes=30),
                abstract="What we learned. " * 20,
                description="Details for the reviewers.",
                form_token=uuid.uuid4().hex,
                submitted_at=now,
                created_at=now,
                updated_at=now,
            )
            talk.speakers.append(Speaker(name=f"Speaker {n}", email=f"s{n}@example.org"))
            db.session.add(talk)
        db.session.flush()
        # Released: the public programme, its ICS and schedule.json show the latest release.
        services.release(conference, "First programme.", audit.CLI, now, notify=False)
        db.session.commit()
    return "benchcon"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    with tempfile.TemporaryDirectory(prefix="cadence-bench-") as tmp:
        tmpdir = Path(tmp)
        env, app = migrated_site(tmpdir)
        populate(app)
        slug = populate_programme(app)
        cold_ms, view_ms, fast_ms, size, vevents = render_times(app)
        paths = {
            "10-year series": f"/calendar/{SLUG}.ics",
            "/calendar.ics": "/calendar.ics",
            f"programme ICS ({TALKS} talks)": f"/conferences/{slug}/program.ics",
            f"schedule.json ({TALKS} talks)": f"/conferences/{slug}/schedule.json",
        }
        routes, sizes, etags = answers(app, list(paths.values()), tmpdir)
        cadence, bare = both_servers(app, env, tmpdir, routes)
        try:
            runs: dict[tuple[str, str], list[float]] = {}
            for path in paths.values():  # warm every worker's caches
                wrk(cadence.port, path, 1, args.connections)
            for _ in range(args.rounds):  # interleaved: the machine's other load hits all alike
                for path in paths.values():
                    for side, server in (("app", cadence), ("bare", bare)):
                        rate = wrk(server.port, path, args.seconds, args.connections)
                        runs.setdefault((side, path), []).append(rate)
                series = paths["10-year series"]
                runs.setdefault(("304", series), []).append(
                    wrk(
                        cadence.port,
                        series,
                        args.seconds,
                        args.connections,
                        f"If-None-Match: {etags[series]}",
                    )  # fmt: skip
                )
        finally:
            cadence.stop()
            bare.stop()

    rate = {key: statistics.median(values) for key, values in runs.items()}
    print(f"10-year series, 50 exceptions: {vevents} VEVENTs, {size / 1024:.1f} KiB; "
          f"cold render {cold_ms:.1f} ms; cached serve: Flask view {view_ms:.2f} ms, "
          f"FastFeeds {fast_ms:.2f} ms (test client)\n")  # fmt: skip
    print("| feed | size | Cadence req/s | bare WSGI, same bytes, req/s | ratio |")
    print("| ---- | ---- | ------------- | ---------------------------- | ----- |")
    for name, path in paths.items():
        app_rps, bare_rps = rate[("app", path)], rate[("bare", path)]
        print(f"| {name} | {sizes[path] / 1024:.1f} KiB | {app_rps:,.0f} | {bare_rps:,.0f} "
              f"| {app_rps / bare_rps:.2f} |")  # fmt: skip
    print(
        "| 304 for the series (If-None-Match) | 0 | "
        f"{rate[('304', paths['10-year series'])]:,.0f} | | |"
    )
    print(
        f"\n(wrk, 2 threads, {args.connections} connections; gunicorn with gunicorn.conf.py, "
        f"2 workers, on both sides; median of {args.rounds} interleaved {args.seconds:g} s runs; "
        f"{datetime.now(UTC).date().isoformat()}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
