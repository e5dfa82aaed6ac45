"""Dashboard benchmark: prints a table.

Builds the big community (10 years of a bi-weekly series with minutes and follow-ups, a weekly
series, 2,000 submissions scored by three reviewers, an outbox and an audit trail; see
``tests/dashboard/bigdata.py``) in a temporary SQLite file, and in PostgreSQL with
``--database-url`` (a fresh schema, dropped afterwards), then requests ``/dashboard/`` N times
through the Flask test client signed in as an organizer and reports p50/p95 latency and the
number of SQL statements per request.

    .venv/bin/python bench/dashboard.py [--requests 50] [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from tests.dashboard.bigdata import NOW, build  # noqa: E402
from tests.querycount import count_queries  # noqa: E402
from webapp import audit, create_app  # noqa: E402
from webapp.auth import services as accounts  # noqa: E402
from webapp.config import normalise_database_url  # noqa: E402
from webapp.extensions import db  # noqa: E402

PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway account in a temporary database


@contextmanager
def database(kind: str, url: str | None, tmp: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.sqlite'}", {}
        return
    assert url is not None
    url = normalise_database_url(url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(kind: str, url: str | None, requests: int, years: int, submissions: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory() as tmpdir,
        database(kind, url, Path(tmpdir)) as (db_url, options),
    ):
        config: dict[str, Any] = {
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "INSTANCE_PATH": str(Path(tmpdir) / "instance"),
            "SQLALCHEMY_DATABASE_URI": db_url,
            "FAST_PASSWORD_HASH": True,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,  # the sign-in POST; only GET /dashboard/ is measured
            "CADENCE_NOW": NOW,
        }
        if options:
            config["SQLALCHEMY_ENGINE_OPTIONS"] = options
        app = create_app(config)
        started = time.perf_counter()
        with app.app_context():
            db.create_all()
            build(NOW, years=years, submissions=submissions)
            accounts.create_user("olivia@example.org", PASSWORD, {"organizer"}, audit.CLI)
            db.session.commit()
        built = time.perf_counter() - started
        client = app.test_client()
        assert (
            client.post(
                "/login", data={"email": "olivia@example.org", "password": PASSWORD}
            ).status_code
            == 302
        )
        client.get("/dashboard/")  # warm-up: templates compiled, caches filled
        with app.app_context(), count_queries(db.engine) as counter:
            assert client.get("/dashboard/").status_code == 200
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get("/dashboard/")
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    times.sort()
    return {
        "database": kind,
        "build_s": built,
        "requests": requests,
        "p50": statistics.median(times),
        "p95": times[max(int(len(times) * 0.95) - 1, 0)],
        "queries": counter.count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument(
        "--database-url", help="also run on this PostgreSQL server (a temporary schema)"
    )
    args = parser.parse_args()
    rows = [run("sqlite", None, args.requests, args.years, args.submissions)]
    if args.database_url:
        rows.append(
            run("postgresql", args.database_url, args.requests, args.years, args.submissions)
        )
    print(
        f"Dashboard as an organizer: {args.years} years of meetings, "
        f"{args.submissions} submissions, "
        f"{args.requests} requests (Flask test client)"
    )
    print(f"{'database':<12} {'build (s)':>10} {'p50 (ms)':>10} {'p95 (ms)':>10} {'queries':>8}")
    for r in rows:
        print(
            f"{r['database']:<12} {r['build_s']:>10.1f} "
            f"{r['p50']:>10.1f} {r['p95']:>10.1f} {r['queries']:>8}"
        )


if __name__ == "__main__":
    main()
