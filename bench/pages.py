"""Public pages benchmark: prints a table.

Each public page (home, series, meeting, minutes, people, conferences, conference, programme,
programme changes, talk) is requested anonymously with ``wrk`` from Cadence under gunicorn with
the project's own ``gunicorn.conf.py`` (2 workers, on a temporary SQLite database migrated with
``flask db upgrade``: the 10-year series and the 120-talk programme of ``bench/feeds.py``, with
minutes of 20 KB), and from a bare WSGI app serving the same bytes and headers under the same
gunicorn and ``gunicorn.conf.py``, one after the other (each first in turn). The table gives the
median rates and the median of the rounds' ratios (goal: 0.8 or more),
the rate of 304 answers to ``If-None-Match``, and the time of a render by Flask (the first
request after a change).

    .venv/bin/python bench/pages.py [--seconds 5] [--connections 8] [--rounds 3]

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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.feeds import SLUG, populate, populate_programme  # noqa: E402
from bench.serving import answers, both_servers, migrated_site, wrk  # noqa: E402

NOTES = (
    "## Attendees\n* Ada Lovelace\n* Rod Grimes\n\n"
    + "**Rod:** looked at the ACPI tables; see D19468 and https://reviews.freebsd.org/D19468.\n\n"
    * 200
    + "| Item | Owner |\n|---|---|\n| ACPI | Rod |\n\n- [ ] post the patch\n- [x] review D12345\n"
)


def populate_pages(app: Any, slug: str) -> dict[str, str]:
    """Minutes for the series' last meeting; the page paths (the programme is released)."""
    from webapp import audit
    from webapp.extensions import db
    from webapp.meetings import services as meetings
    from webapp.minutes import services as minutes
    from webapp.models import Submission

    now = datetime.now(UTC)
    with app.app_context():
        series = meetings.get_series(SLUG)
        past = meetings.occurrences(series, now - timedelta(days=30), now)
        day = [s for s in past if s.status == "scheduled" and s.end < now][-1].original_date
        record = minutes.start_minutes(series, day, audit.CLI, now)
        minutes.save_minutes(
            record,
            record.version,
            minutes.MinutesInput(NOTES, "Ship it.", ["Ada Lovelace", "Rod Grimes"], "published"),
            audit.CLI,
            now,
        )
        code = db.session.scalars(sa_select_code(Submission)).first()
        db.session.commit()
    meeting = f"/meetings/{SLUG}/{day.isoformat()}"
    return {
        "home": "/",
        "series": f"/series/{SLUG}",
        "meeting": meeting,
        "minutes (20 KB)": f"{meeting}/minutes",
        "people": "/people/",
        "conferences": "/conferences/",
        "conference": f"/conferences/{slug}/",
        "programme (120 talks)": f"/conferences/{slug}/program",
        "programme changes": f"/conferences/{slug}/program/changes",
        "talk": f"/conferences/{slug}/talks/{code}",
    }


def sa_select_code(model: Any) -> Any:
    import sqlalchemy as sa

    return sa.select(model.code).order_by(model.id)


def render_ms(app: Any, path: str, repeat: int = 5) -> float:
    """A render by Flask (the cache off), best of ``repeat``."""
    client = app.test_client()
    app.config["PAGE_CACHE"] = False
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        assert client.get(path).status_code == 200, path
        best = min(best, time.perf_counter() - t0)
    app.config["PAGE_CACHE"] = True
    return best * 1000


def wsgi_microseconds(app: Any, path: str, calls: int = 2000) -> float:
    """One call of ``app`` (a WSGI callable) for ``path``, in µs: the best of five loops."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "localhost",
        "SERVER_PORT": "80", "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1",
    }  # fmt: skip

    def start_response(*_args: Any) -> None:
        return None

    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(calls):
            b"".join(app(dict(environ), start_response))
        best = min(best, time.perf_counter() - t0)
    return best / calls * 1e6


def bare_app(routes: dict[str, Any]) -> Any:
    loaded = {p: (h, Path(b).read_bytes()) for p, (h, b) in routes.items()}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        headers, body = loaded[environ["PATH_INFO"]]
        start_response("200 OK", headers)
        return [body]

    return app


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
        paths = populate_pages(app, populate_programme(app))
        renders = {path: render_ms(app, path) for path in paths.values()}
        routes, sizes, etags = answers(app, list(paths.values()), tmpdir)
        app.config["FEED_VERSION_TTL"] = 1  # as served
        bare_wsgi = bare_app(routes)
        in_process = {
            path: (wsgi_microseconds(app.wsgi_app, path), wsgi_microseconds(bare_wsgi, path))
            for path in paths.values()
        }
        cadence, bare = both_servers(app, env, tmpdir, routes)
        try:
            runs: dict[tuple[str, str], list[float]] = {}
            ratios: dict[str, list[float]] = {}
            for path in paths.values():  # warm every worker's memory
                wrk(cadence.port, path, 1, args.connections)
            sides = [("app", cadence), ("bare", bare)]
            for _ in range(args.rounds):  # interleaved: the machine's other load hits all alike
                for path in paths.values():
                    for side, server in sides:
                        rate = wrk(server.port, path, args.seconds, args.connections)
                        runs.setdefault((side, path), []).append(rate)
                    ratios.setdefault(path, []).append(
                        runs[("app", path)][-1] / runs[("bare", path)][-1]
                    )
                    sides.reverse()  # each side goes first as often as the other
                home = paths["home"]
                runs.setdefault(("304", home), []).append(
                    wrk(cadence.port, home, args.seconds, args.connections,
                        f"If-None-Match: {etags[home]}")
                )  # fmt: skip
        finally:
            cadence.stop()
            bare.stop()

    rate = {key: statistics.median(values) for key, values in runs.items()}
    print("| page | size | render by Flask | stored page, in-process | Cadence req/s "
          "| bare WSGI, same bytes, req/s | ratio |")  # fmt: skip
    print("| ---- | ---- | --------------- | ----------------------- | ------------- "
          "| ------------ | ----- |")  # fmt: skip
    for name, path in paths.items():
        app_rps, bare_rps = rate[("app", path)], rate[("bare", path)]
        ratio = statistics.median(ratios[path])
        ours, theirs = in_process[path]
        print(f"| {name} | {sizes[path] / 1024:.1f} KiB | {renders[path]:.1f} ms "
              f"| {ours:.0f} µs (bare: {theirs:.0f} µs) | {app_rps:,.0f} "
              f"| {bare_rps:,.0f} | {ratio:.2f} |")  # fmt: skip
    not_modified = rate[("304", paths["home"])]
    print(f"| 304 for the home page (If-None-Match) | 0 | | {not_modified:,.0f} | | |")
    print(
        f"\n(wrk, 2 threads, {args.connections} connections; gunicorn with gunicorn.conf.py, "
        f"2 workers, on both sides; median of {args.rounds} interleaved {args.seconds:g} s runs; "
        f"{datetime.now(UTC).date().isoformat()}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
