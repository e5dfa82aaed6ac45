"""The production pieces run for real: gunicorn with several workers, and a database restart."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.servers import Gunicorn
from webapp import zonedata


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def migrate(env: dict[str, str]) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_serves_with_two_workers(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite'}",
        "CADENCE_INSTANCE": str(tmp_path),
        "SECRET_KEY": "s" * 40,
        "CADENCE_ENV": "production",
    }
    migrate(env)
    with Gunicorn(env, workers=2) as server:
        assert len(server.worker_pids()) == 2
        status, body = get(server.url + "/healthz")
        assert status == 200
        # (the zone data version joined the report: issue 13)
        assert json.loads(body) == {"status": "ok", "database": "ok", "tzdata": zonedata.version()}


def test_database_restart_costs_seconds_not_a_dead_app(tmp_path: Path, private_postgres) -> None:
    env = {
        "DATABASE_URL": private_postgres.url,
        "CADENCE_INSTANCE": str(tmp_path),
        "SECRET_KEY": "s" * 40,
    }
    migrate(env)
    with Gunicorn(env, workers=2) as server:
        assert get(server.url + "/healthz")[0] == 200
        private_postgres.down("immediate")
        assert get(server.url + "/healthz")[0] == 503  # an honest answer while it is down
        private_postgres.up()
        deadline = time.monotonic() + 10
        statuses = []
        while time.monotonic() < deadline:
            statuses.append(get(server.url + "/healthz")[0])
            if statuses[-3:] == [200, 200, 200]:
                break
        assert statuses[-3:] == [200, 200, 200], statuses
        assert len(statuses) < 30, f"took {len(statuses)} requests to recover: {statuses}"
