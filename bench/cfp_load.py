#!/usr/bin/env python3
"""Load test of the call for papers (a script, not a test): prints a table.

Starts gunicorn on a free loopback port against a fresh database (a temporary SQLite file, or a
fresh PostgreSQL database created on the server of ``--database-url`` and dropped afterwards),
with a real SMTP server (aiosmtpd) on loopback, creates a conference with an open CFP, then sends
N submissions from C concurrent clients, each like a browser: GET the form (session cookie, CSRF
token, form token), then POST it. The rate limit is lifted for the run (CFP_RATE_LIMIT).

    .venv/bin/python bench/cfp_load.py [--workers 2] [--requests 500] [--concurrency 50]
                                      [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from webapp.config import normalise_database_url  # noqa: E402

SLUG = "bench-conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201 - aiosmtpd API
        with self.lock:
            self.count += 1
        return "250 OK"


def fresh_database(url: str | None, tmp: Path) -> tuple[str, callable]:  # type: ignore[valid-type]
    if not url:
        return f"sqlite:///{tmp / 'bench.sqlite'}", lambda: None
    url = normalise_database_url(url)
    name = f"cfp_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    bench_url = sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return bench_url, drop


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def wait_for(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited at start")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer /healthz")


CSRF_RE = re.compile(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
FORMAT_RE = re.compile(r'<option value="(\d+)">Talk \(30 min\)</option>')


def one_submission(port: int, n: int) -> tuple[int, float, float]:
    """(status of the POST, seconds for GET, seconds for POST); status 0 = connection error."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        t0 = time.perf_counter()
        conn.request("GET", f"/conferences/{SLUG}/cfp")
        response = conn.getresponse()
        page = response.read().decode()
        t1 = time.perf_counter()
        cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        body = urllib.parse.urlencode({
            "csrf_token": CSRF_RE.search(page).group(1),  # type: ignore[union-attr]
            "form_token": TOKEN_RE.search(page).group(1),  # type: ignore[union-attr]
            "title": f"Bench talk number {n}",
            "format": FORMAT_RE.search(page).group(1),  # type: ignore[union-attr]
            "track": "0",
            "abstract": "An abstract long enough to look real, about bhyve and its friends.",
            "speaker_name": f"Speaker {n}",
            "email": f"speaker{n}@example.org",
            "consent": "y",
            "website": "",
            "send": "1",
        })
        conn.request("POST", f"/conferences/{SLUG}/cfp", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
        })
        response = conn.getresponse()
        response.read()
        t2 = time.perf_counter()
        conn.close()
        return response.status, t1 - t0, t2 - t1
    except (OSError, AttributeError, http.client.HTTPException):
        return 0, 0.0, 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server to create a fresh database on")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cfp-bench-"))
    db_url, drop = fresh_database(args.database_url, tmp)
    sink = Sink()
    smtp_port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": db_url,
        "SECRET_KEY": secrets.token_hex(32),
        "CADENCE_INSTANCE": str(tmp / "instance"),
        "CFP_RATE_LIMIT": "1000000 per second",  # the bench measures the app, not the limiter
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
    }
    gunicorn = None
    try:
        flask(env, "db", "upgrade")
        today = datetime.now(UTC)
        flask(env, "conference", "create", SLUG, "--name", "Bench conference", "--timezone", "Europe/Amsterdam",
              "--starts", (today + timedelta(days=90)).date().isoformat(),
              "--ends", (today + timedelta(days=91)).date().isoformat(),
              "--cfp-opens", (today - timedelta(days=2)).strftime("%Y-%m-%d 12:00"),
              "--cfp-closes", (today + timedelta(days=30)).strftime("%Y-%m-%d 12:00"),
              "--format", "Talk:30", "--format", "Lightning talk:10")
        port = free_port()
        log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the process
        gunicorn = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
             "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        wait_for(port, gunicorn)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            results = list(pool.map(lambda n: one_submission(port, n), range(args.requests)))
        elapsed = time.perf_counter() - started
        time.sleep(0.5)

        engine = sa.create_engine(normalise_database_url(db_url))
        with engine.connect() as conn:
            stored = conn.scalar(sa.text("SELECT count(*) FROM submissions"))
            outbox = dict(conn.execute(sa.text("SELECT state, count(*) FROM outbox_messages GROUP BY state")).all())
        engine.dispose()
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        smtp.stop()
        drop()

    ok = [r for r in results if r[0] in range(200, 400)]
    bad = [r for r in results if r[0] not in range(200, 400)]
    five_xx = sum(1 for r in results if r[0] >= 500)
    errors = sum(1 for r in results if r[0] == 0)
    post_ms = [r[2] * 1000 for r in ok]
    get_ms = [r[1] * 1000 for r in ok]
    rows = [
        ("database", "PostgreSQL (fresh database)" if args.database_url else "SQLite (temporary file)"),
        ("gunicorn workers", args.workers),
        ("clients (threads)", args.concurrency),
        ("submissions sent", args.requests),
        ("wall time", f"{elapsed:.2f} s"),
        ("throughput", f"{len(ok) / elapsed:.1f} submissions/s (GET form + POST)"),
        ("POST latency p50", f"{statistics.median(post_ms) if post_ms else 0:.1f} ms"),
        ("POST latency p99", f"{percentile(post_ms, 99):.1f} ms"),
        ("GET form latency p50 / p99", f"{statistics.median(get_ms) if get_ms else 0:.1f} / {percentile(get_ms, 99):.1f} ms"),
        ("responses 2xx/3xx", len(ok)),
        ("responses not 2xx/3xx", f"{len(bad)} (5xx: {five_xx}, connection errors: {errors})"),
        ("submissions stored", stored),
        ("lost (sent OK - stored)", len(ok) - stored),
        ("outbox messages", ", ".join(f"{k} {v}" for k, v in sorted(outbox.items())) or "0"),
        ("mails received by SMTP", sink.count),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'metric'.ljust(width)} | value")
    print(f"{'-' * width}-+-{'-' * 40}")
    for key, value in rows:
        print(f"{key.ljust(width)} | {value}")
    if bad or len(ok) != stored:
        sys.exit(1)


if __name__ == "__main__":
    main()
