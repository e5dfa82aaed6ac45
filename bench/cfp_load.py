#!/usr/bin/env python3
"""Load test of the call for papers (a script, not a test): prints one table.

For each database (a temporary SQLite file; a fresh PostgreSQL database created on the server of
``--postgres-url`` and dropped afterwards) and each gunicorn worker count (2 and 4), it starts
gunicorn on a free loopback port with a real SMTP server (aiosmtpd) on loopback, creates a
conference with an open CFP, then sends N submissions from C concurrent clients, each like a
browser: GET the form (session cookie, CSRF token, form token), then POST it. The rate limit is
lifted for the run (CFP_RATE_LIMIT). PostgreSQL is skipped, with a note, when unreachable.
Exits non-zero if any submission was lost or any request failed.

    .venv/bin/python bench/cfp_load.py [--workers 2 4] [--requests 300] [--concurrency 50]
                                      [--databases sqlite postgresql]
                                      [--postgres-url postgresql://postgres@127.0.0.1:5432/test]
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
from dataclasses import dataclass
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
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
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
        body = urllib.parse.urlencode(
            {
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
            }
        )
        conn.request(
            "POST",
            f"/conferences/{SLUG}/cfp",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
            },
        )
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


@dataclass
class Result:
    database: str
    workers: int
    concurrency: int
    sent: int
    elapsed: float
    ok: int
    five_xx: int
    errors: int
    other: int
    post_p50: float
    post_p99: float
    stored: int
    mails: int

    @property
    def lost(self) -> int:
        return self.ok - self.stored

    @property
    def failed(self) -> bool:
        return self.ok != self.sent or self.lost != 0


def run(workers: int, postgres_url: str | None, requests: int, concurrency: int) -> Result:
    tmp = Path(tempfile.mkdtemp(prefix="cfp-bench-"))
    db_url, drop = fresh_database(postgres_url, tmp)
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
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    gunicorn = None
    try:
        flask(env, "db", "upgrade")
        today = datetime.now(UTC)
        flask(
            env,
            "conference",
            "create",
            SLUG,
            "--name",
            "Bench conference",
            "--timezone",
            "Europe/Amsterdam",
            "--starts",
            (today + timedelta(days=90)).date().isoformat(),
            "--ends",
            (today + timedelta(days=91)).date().isoformat(),
            "--cfp-opens",
            (today - timedelta(days=2)).strftime("%Y-%m-%d 12:00"),
            "--cfp-closes",
            (today + timedelta(days=30)).strftime("%Y-%m-%d 12:00"),
            "--format",
            "Talk:30",
            "--format",
            "Lightning talk:10",
        )
        port = free_port()
        log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the process
        gunicorn = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(port, gunicorn)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(lambda n: one_submission(port, n), range(requests)))
        elapsed = time.perf_counter() - started
        time.sleep(0.5)

        engine = sa.create_engine(normalise_database_url(db_url))
        with engine.connect() as conn:
            stored = conn.scalar(sa.text("SELECT count(*) FROM submissions"))
        engine.dispose()
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        smtp.stop()
        drop()

    ok = [r for r in results if r[0] in range(200, 400)]
    post_ms = [r[2] * 1000 for r in ok]
    return Result(
        database="PostgreSQL" if postgres_url else "SQLite",
        workers=workers,
        concurrency=concurrency,
        sent=requests,
        elapsed=elapsed,
        ok=len(ok),
        five_xx=sum(1 for r in results if r[0] >= 500),
        errors=sum(1 for r in results if r[0] == 0),
        other=sum(1 for r in results if 0 < r[0] < 500 and r[0] not in range(200, 400)),
        post_p50=statistics.median(post_ms) if post_ms else 0.0,
        post_p99=percentile(post_ms, 99),
        stored=stored,
        mails=sink.count,
    )


def postgres_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    engine = sa.create_engine(normalise_database_url(url), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except sa.exc.SQLAlchemyError as exc:
        return str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL server to create (and drop) a fresh database on",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="shorthand for --databases postgresql --postgres-url URL",
    )
    args = parser.parse_args()
    if args.database_url:
        args.databases, args.postgres_url = ["postgresql"], args.database_url

    notes = []
    if "postgresql" in args.databases:
        why = postgres_reachable(args.postgres_url)
        if why is not None:
            notes.append(f"PostgreSQL skipped: {args.postgres_url} is not reachable ({why})")
            args.databases = [d for d in args.databases if d != "postgresql"]

    rows: list[Result] = []
    for database in args.databases:
        for workers in args.workers:
            rows.append(
                run(
                    workers,
                    args.postgres_url if database == "postgresql" else None,
                    args.requests,
                    args.concurrency,
                )
            )

    header = (
        "database",
        "workers",
        "clients",
        "sent",
        "wall s",
        "subm/s",
        "POST p50 ms",
        "POST p99 ms",
        "failed (5xx/conn/other)",
        "stored",
        "lost",
        "mails",
    )
    table = [header] + [
        (
            r.database,
            str(r.workers),
            str(r.concurrency),
            str(r.sent),
            f"{r.elapsed:.1f}",
            f"{r.ok / r.elapsed:.1f}",
            f"{r.post_p50:.0f}",
            f"{r.post_p99:.0f}",
            f"{r.sent - r.ok} ({r.five_xx}/{r.errors}/{r.other})",
            str(r.stored),
            str(r.lost),
            str(r.mails),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in table[1:]:
        print(
            "| "
            + " | ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
            + " |"
        )
    print(
        "\nsubm/s: submissions per second, each a GET of the form and its POST; "
        "lost = accepted - stored"
    )
    for note in notes:
        print(note)
    if any(r.failed for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
