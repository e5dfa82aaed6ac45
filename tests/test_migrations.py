"""Migrations build the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_test_config
from webapp import create_app
from webapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_upgrade_empty_sqlite_file_and_check(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "CADENCE_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    up = subprocess.run(
        [*flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert up.returncode == 0, up.stderr
    check = subprocess.run(
        [*flask, "db", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    down = subprocess.run(
        [*flask, "db", "downgrade", "base"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert down.returncode == 0, down.stderr


def test_upgrade_postgresql_and_check(tmp_path: Path, pg_schema_url) -> None:
    from flask_migrate import check, downgrade, upgrade

    url, options = pg_schema_url
    app = create_app(make_test_config(tmp_path, url, options))
    with app.app_context():
        upgrade()
        check()  # raises when models and migrations disagree
        downgrade(revision="base")
        db.engine.dispose()


def test_malformed_database_url_is_a_one_line_error_at_start(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "CADENCE_INSTANCE": str(tmp_path), "DATABASE_URL": "nonsense"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "cadence: configuration error: DATABASE_URL 'nonsense' is not a database URL "
        "(expected e.g. sqlite:///path.db or postgresql://user@host/dbname)"
    ]


@pytest.mark.parametrize("command", [["users", "list"]])
def test_cli_runs_against_migrated_database(tmp_path: Path, command: list[str]) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "CADENCE_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    result = subprocess.run([*flask, *command], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
