"""Backups: demo data round-trips through a backup file, on SQLite and between SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import make_test_config
from webapp import create_app
from webapp.extensions import db
from webapp.models import User


def fresh_app(tmp_path: Path, name: str, url: str | None = None, options: dict | None = None):
    app = create_app(
        make_test_config(
            tmp_path / name, url or f"sqlite:///{tmp_path / name}.sqlite", options or {}
        )
    )
    with app.app_context():
        db.create_all()
    return app


def tables_of(path: Path) -> dict:
    return json.loads(path.read_text())["tables"]


def test_demo_data_round_trip_on_sqlite(app, runner, tmp_path: Path) -> None:
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    first = tmp_path / "first.json"
    result = runner.invoke(args=["backup", str(first)])
    assert result.exit_code == 0, result.output
    assert "backup: wrote" in result.output

    other = fresh_app(tmp_path, "other")
    out = other.test_cli_runner().invoke(args=["restore", str(first)])
    assert out.exit_code == 0, out.output
    second = tmp_path / "second.json"
    assert other.test_cli_runner().invoke(args=["backup", str(second)]).exit_code == 0
    assert tables_of(first) == tables_of(second)
    assert first.read_bytes() == second.read_bytes()
    with other.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) >= 4
        db.engine.dispose()


def test_restored_accounts_still_sign_in_and_new_rows_get_new_ids(
    app, runner, tmp_path: Path
) -> None:
    from tests.conftest import TEST_PASSWORD, login

    runner.invoke(
        args=["users", "create", "a@example.org", "--role", "admin", "--password-stdin"],
        input=TEST_PASSWORD,
    )
    path = tmp_path / "b.json"
    runner.invoke(args=["backup", str(path)])
    other = fresh_app(tmp_path, "other")
    assert other.test_cli_runner().invoke(args=["restore", str(path)]).exit_code == 0
    assert login(other.test_client(), "a@example.org").status_code == 302
    r = other.test_cli_runner().invoke(
        args=["users", "create", "b@example.org", "--password-stdin"], input=TEST_PASSWORD
    )
    assert r.exit_code == 0, r.output
    with other.app_context():
        db.engine.dispose()


def test_restore_refuses_bad_files_and_non_empty_databases(app, runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(args=["restore", str(bad)])
    assert result.exit_code == 1
    assert "not a Cadence backup" in result.output

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"format": "cadence-backup", "version": 99, "tables": {}}))
    assert "this Cadence reads 1" in runner.invoke(args=["restore", str(wrong)]).output

    assert "no such file" in runner.invoke(args=["restore", str(tmp_path / "missing.json")]).output

    runner.invoke(args=["demo", "load"])
    good = tmp_path / "good.json"
    runner.invoke(args=["backup", str(good)])
    result = runner.invoke(args=["restore", str(good)])
    assert result.exit_code == 1
    assert "the database is not empty" in result.output


def test_round_trip_between_sqlite_and_postgresql(tmp_path: Path, pg_schema_url) -> None:
    url, options = pg_schema_url
    sqlite_app = fresh_app(tmp_path, "lite")
    sqlite_app.test_cli_runner().invoke(args=["demo", "load"])
    from_sqlite = tmp_path / "from-sqlite.json"
    assert sqlite_app.test_cli_runner().invoke(args=["backup", str(from_sqlite)]).exit_code == 0

    pg_app = fresh_app(tmp_path, "pg", url, options)
    result = pg_app.test_cli_runner().invoke(args=["restore", str(from_sqlite)])
    assert result.exit_code == 0, result.output
    from_pg = tmp_path / "from-pg.json"
    assert pg_app.test_cli_runner().invoke(args=["backup", str(from_pg)]).exit_code == 0
    assert from_sqlite.read_bytes() == from_pg.read_bytes()

    # and back into a new SQLite database
    again = fresh_app(tmp_path, "again")
    assert again.test_cli_runner().invoke(args=["restore", str(from_pg)]).exit_code == 0
    again_path = tmp_path / "again.json"
    again.test_cli_runner().invoke(args=["backup", str(again_path)])
    assert again_path.read_bytes() == from_sqlite.read_bytes()
    for a in (sqlite_app, pg_app, again):
        with a.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(
    "payload", [[], {"format": "x"}, {"format": "cadence-backup", "version": 1}]
)
def test_malformed_structures_are_refused(app, runner, tmp_path: Path, payload) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(payload))
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
