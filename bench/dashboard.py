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
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.testclient import organizer_site, timed  # noqa: E402
from tests.dashboard.bigdata import NOW, build  # noqa: E402
from tests.querycount import count_queries  # noqa: E402
from webapp.extensions import db  # noqa: E402


def run(kind: str, url: str | None, requests: int, years: int, submissions: int) -> dict[str, Any]:
    took: dict[str, float] = {}

    def timed_build() -> None:
        started = time.perf_counter()
        build(NOW, years=years, submissions=submissions)
        took["build"] = time.perf_counter() - started

    with organizer_site(kind, url, NOW, timed_build) as (app, client, _):
        client.get("/dashboard/")  # warm-up: templates compiled, caches filled
        with app.app_context(), count_queries(db.engine) as counter:
            assert client.get("/dashboard/").status_code == 200

        def dashboard() -> None:
            assert client.get("/dashboard/").status_code == 200

        p50, p95 = timed(dashboard, requests)
    return {
        "database": kind,
        "build_s": took["build"],
        "requests": requests,
        "p50": p50,
        "p95": p95,
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
