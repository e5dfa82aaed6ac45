"""Calendar feed benchmark: prints a table.

1. Render time of a 10-year series with 50 exceptions: a cold render (build + render_calendar +
   store) and a cached serve (what every later request costs), through the Flask test client.
2. Requests per second for /calendar/SLUG.ics served by gunicorn (2 sync workers) on a temporary
   SQLite database migrated with ``flask db upgrade``, next to a static file of the same bytes
   served by the same gunicorn processes (a minimal WSGI wrapper in front of the app), their
   ratio, and the rate of 304 answers to If-None-Match.

Load: N threads, each with its own http.client connection (reconnecting when a sync worker
closes it), for a fixed number of seconds on loopback.

    .venv/bin/python bench/feeds.py [--seconds 5] [--threads 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "bench"

WRAPPER = '''\
"""A static file served by the same gunicorn process as the app (bench only)."""
import os
from wsgi import app as flask_app

STATIC_PATH = "/bench-static/feed.ics"
FILE = os.environ["BENCH_STATIC_FILE"]


def app(environ, start_response):
    if environ.get("PATH_INFO") == STATIC_PATH:
        with open(FILE, "rb") as fh:
            body = fh.read()
        start_response("200 OK", [("Content-Type", "text/calendar; charset=utf-8"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    return flask_app(environ, start_response)
'''


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


def render_times(app, repeat: int = 200) -> tuple[float, float, float, int, int]:  # type: ignore[no-untyped-def]
    """(cold render ms, cached serve by the view ms, cached serve by FastFeeds ms, bytes, VEVENTs)."""
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
        app.wsgi_app.replays.clear()
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(
    port: int,
    path: str,
    seconds: float,
    threads: int,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> float:
    """Requests per second answered with ``expect`` over ``seconds``."""
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < stop:
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                if response.status == expect:
                    counts[n] += 1
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cadence-bench-") as tmp:
        tmpdir = Path(tmp)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmpdir / 'bench.sqlite'}",
            "SECRET_KEY": secrets.token_hex(32),
            "CADENCE_INSTANCE": str(tmpdir / "instance"),
            "CADENCE_BASE_URL": "https://cadence.example.org",
        }
        python = sys.executable
        subprocess.run(
            [python, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        os.environ.update(env)
        from webapp import create_app

        app = create_app()
        populate(app)
        cold_ms, view_ms, fast_ms, size, vevents = render_times(app)
        with app.app_context():
            from webapp.extensions import db

            db.engine.dispose()

        static_file = tmpdir / "feed.ics"
        client = app.test_client()
        feed = client.get(f"/calendar/{SLUG}.ics")
        static_file.write_bytes(feed.data)
        etag = feed.headers["ETag"]
        (tmpdir / "bench_wsgi.py").write_text(WRAPPER)
        (tmpdir / "gunicorn.conf.py").write_text("")
        port = free_port()
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        server = subprocess.Popen(  # noqa: S603 - our own command line
            [
                str(gunicorn),
                "--config",
                str(tmpdir / "gunicorn.conf.py"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--pythonpath",
                f"{ROOT},{tmpdir}",
                "bench_wsgi:app",
            ],
            cwd=tmpdir,
            env={**env, "BENCH_STATIC_FILE": str(static_file)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.time() + 20
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.time() > deadline or server.poll() is not None:
                        raise SystemExit(
                            "gunicorn did not start: "
                            + (server.stderr.read().decode() if server.stderr else "")
                        ) from None
                    time.sleep(0.2)
            feed_path = f"/calendar/{SLUG}.ics"
            load(port, feed_path, 1, args.threads)  # warm both workers' caches
            load(port, "/bench-static/feed.ics", 1, args.threads)
            # Interleaved rounds, median of each: the machine's other load shifts all three alike.
            runs: dict[str, list[float]] = {"feed": [], "static": [], "304": []}
            for _ in range(args.rounds):
                runs["feed"].append(load(port, feed_path, args.seconds, args.threads))
                runs["static"].append(
                    load(port, "/bench-static/feed.ics", args.seconds, args.threads)
                )
                runs["304"].append(
                    load(
                        port,
                        feed_path,
                        args.seconds,
                        args.threads,
                        headers={"If-None-Match": etag},
                        expect=304,
                    )
                )
            feed_rps, static_rps, not_modified_rps = (
                statistics.median(runs[k]) for k in ("feed", "static", "304")
            )
        finally:
            server.terminate()
            server.wait(timeout=20)

    rows = [
        ("feed", f"10-year series, 50 exceptions: {vevents} VEVENTs, {size / 1024:.1f} KiB"),
        ("cold render (build, render, store, serve)", f"{cold_ms:.1f} ms"),
        ("cached serve, Flask view (test client)", f"{view_ms:.2f} ms"),
        ("cached serve, FastFeeds (test client)", f"{fast_ms:.2f} ms"),
        ("gunicorn 2 workers: /calendar/SLUG.ics", f"{feed_rps:,.0f} req/s"),
        ("gunicorn 2 workers: same bytes as a static file", f"{static_rps:,.0f} req/s"),
        ("ratio feed / static", f"{feed_rps / static_rps:.2f}"),
        ("gunicorn 2 workers: 304 (If-None-Match)", f"{not_modified_rps:,.0f} req/s"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"| {'-' * width} | ----- |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    print(
        f"\n({args.threads} client threads, median of {args.rounds} interleaved {args.seconds:g} s runs, {datetime.now(UTC).date().isoformat()}, Python {sys.version.split()[0]})"
    )


if __name__ == "__main__":
    main()
