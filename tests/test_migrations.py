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


def test_upgrade_seals_unsent_outbox_bodies_and_redacts_sent_ones(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from webapp import sealed

    app = create_app(make_test_config(tmp_path, f"sqlite:///{tmp_path / 'm.sqlite'}", {}))
    link = "https://cadence.example.org/cfp/s/Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4"
    with app.app_context():
        upgrade(revision="0008s")
        with db.engine.begin() as conn:
            for n, state in enumerate(("pending", "failed", "sent")):
                conn.execute(
                    sa.text(
                        "INSERT INTO outbox_messages (id, created_at, template, message_id,"
                        " to_addr, subject, body, state, attempts, next_attempt_at, last_error)"
                        " VALUES (:id, '2026-11-30 12:00:00', 'cfp_received', :mid, 'a@b.org',"
                        " 's', :body, :state, 0, '2026-11-30 12:00:00', '')"
                    ),
                    {
                        "id": n + 1,
                        "mid": f"<{n}@x>",
                        "body": f"Your link: {link}\n",
                        "state": state,
                    },
                )
        upgrade()
        with db.engine.connect() as conn:
            bodies = dict(conn.execute(sa.text("SELECT state, body FROM outbox_messages")).all())
        assert link not in "".join(bodies.values())
        assert sealed.unseal(bodies["pending"]) == f"Your link: {link}\n"
        assert sealed.unseal(bodies["failed"]) == f"Your link: {link}\n"
        assert bodies["sent"] == "Your link: https://cadence.example.org/cfp/s/[redacted]\n"
        downgrade(revision="0008s")
        with db.engine.connect() as conn:
            bodies = dict(conn.execute(sa.text("SELECT state, body FROM outbox_messages")).all())
        assert bodies["pending"] == f"Your link: {link}\n"
        db.engine.dispose()


def test_upgrade_keys_speakers_addresses_and_keeps_queued_bodies_sendable(tmp_path: Path) -> None:
    """0014m: speakers get their counting key; a message queued before it (a sealed body, no
    context) still goes out as it was written."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from webapp import mail, sealed
    from webapp.models import OutboxMessage

    app = create_app(make_test_config(tmp_path, f"sqlite:///{tmp_path / 'k.sqlite'}", {}))
    with app.app_context():
        upgrade(revision="0011c")
        with db.engine.begin() as conn:
            conn.execute(sa.text("PRAGMA foreign_keys=OFF"))  # a speaker row alone is enough
            conn.execute(
                sa.text(
                    "INSERT INTO speakers (id, submission_id, position, name, email, affiliation,"
                    " bio) VALUES (1, 1, 0, 'Ada', 'Ada+cfp@EXAMPLE.org', '', '')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO outbox_messages (id, created_at, template, message_id, to_addr,"
                    " subject, body, state, attempts, next_attempt_at, last_error) VALUES (1,"
                    " '2026-11-30 12:00:00', 'cfp_received', '<1@x>', 'a@b.org', 'Old subject',"
                    " :body, 'pending', 0, '2026-11-30 12:00:00', '')"
                ),
                {"body": sealed.seal("Queued before the upgrade.\n")},
            )
        upgrade()
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT email_key FROM speakers")) == "ada@example.org"
        message = db.session.get(OutboxMessage, 1)
        assert mail.compose(message) == ("Old subject", "Queued before the upgrade.\n", "")
        db.session.remove()
        db.engine.dispose()
