"""Fault tests: the app under gunicorn on loopback, with real databases and a real SMTP server.

Helpers here speak HTTP like a browser (``FormSession``: GET the form for its cookie, CSRF token
and form token, then POST it) and check the database for whole submissions
(``check_whole``: submission + speakers + outbox rows, nothing half-written).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from webapp import sealed

SLUG = "faultcon"
CSRF_RE = re.compile(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
FORMAT_RE = re.compile(r'<option value="(\d+)">Talk \(30 min\)</option>')
SECRET = "fault-test-secret-key-" + "k" * 30


def subprocess_database_url(app: Flask) -> str:
    """The test app's database as a DATABASE_URL for gunicorn and the CLI (keeps the PG schema)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {}).get("options")
    if options and url.get_backend_name() == "postgresql":
        url = url.update_query_dict({"options": options})
    return url.render_as_string(hide_password=False)


def server_env(app: Flask, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": subprocess_database_url(app),
        "CADENCE_INSTANCE": str(tmp_path / "served-instance"),
        "SECRET_KEY": SECRET,
        "CADENCE_ENV": "development",
        "CFP_RATE_LIMIT": "100000 per minute",  # these tests are about faults, not the limiter
        "MAIL_TIMEOUT": "3",
    }
    env.update(extra)
    return env


def create_open_conference(app: Flask, organizer_email: str = "organizer@example.org") -> None:
    """A conference whose CFP is open by the real clock (gunicorn has no test clock), and one
    organizer, who gets a ``cfp_new_submission`` message per submission."""
    from webapp import audit
    from webapp.auth import services as auth
    from webapp.cfp import services
    from webapp.extensions import db

    now = datetime.now(UTC)
    with app.app_context():
        services.create_conference(
            services.ConferenceData(
                slug=SLUG,
                name="Fault conference",
                timezone="UTC",
                starts_on=(now + timedelta(days=90)).date(),
                ends_on=(now + timedelta(days=91)).date(),
                cfp_opens_local=services.parse_local_datetime(
                    (now - timedelta(days=2)).strftime("%Y-%m-%d %H:%M"), "opens"
                ),
                cfp_closes_local=services.parse_local_datetime(
                    (now + timedelta(days=30)).strftime("%Y-%m-%d %H:%M"), "closes"
                ),
                formats=[("Talk", 30), ("Lightning talk", 10)],
            ),
            audit.CLI,
            now,
        )
        auth.create_user(
            organizer_email, "organizer password 123", {"organizer"}, audit.CLI, name="Orga"
        )
        db.session.commit()


@dataclass
class FormSession:
    """One speaker's browser: a filled-in form (with its cookie and tokens), sent as often as
    needed."""

    port: int
    n: int
    co_speaker: bool = False
    cookie: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    outcomes: list[Any] = field(default_factory=list)

    @property
    def token(self) -> str:
        return self.fields["form_token"]

    @property
    def emails(self) -> list[str]:
        found = [self.fields["email"]]
        if self.co_speaker:
            found.append(self.fields["co_speakers-0-email"])
        return found

    def fetch(self, timeout: float = 10) -> None:
        """GET the form; raises OSError/HTTPException, or AssertionError on a non-200."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", f"/conferences/{SLUG}/cfp")
            response = conn.getresponse()
            page = response.read().decode()
        finally:
            conn.close()
        assert response.status == 200, (response.status, page[:300])
        self.cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        tag = secrets.token_hex(4)
        self.fields = {
            "csrf_token": CSRF_RE.search(page).group(1),  # type: ignore[union-attr]
            "form_token": TOKEN_RE.search(page).group(1),  # type: ignore[union-attr]
            "title": f"Fault talk {self.n}",
            "format": FORMAT_RE.search(page).group(1),  # type: ignore[union-attr]
            "track": "0",
            "abstract": "What happens to a submission when the servers fall over.",
            "speaker_name": f"Speaker {self.n}",
            "email": f"speaker{self.n}-{tag}@example.org",
            "consent": "y",
            "website": "",
            "send": "1",
        }
        if self.co_speaker:
            self.fields["co_speakers-0-name"] = f"Co-speaker {self.n}"
            self.fields["co_speakers-0-email"] = f"co{self.n}-{tag}@example.org"

    def post(self, timeout: float = 30) -> tuple[int, str]:
        """POST the form: (status, Location); status 0 with the error's name when the
        connection broke."""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                conn.request(
                    "POST",
                    f"/conferences/{SLUG}/cfp",
                    body=urllib.parse.urlencode(self.fields),
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": self.cookie,
                    },
                )
                response = conn.getresponse()
                body = response.read().decode(errors="replace")
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            outcome = (0, type(exc).__name__)
        else:
            location = response.getheader("Location", "")
            outcome = (response.status, location if response.status in (302, 303) else body[:400])
        self.outcomes.append(outcome)
        return outcome

    def succeeded(self, outcome: tuple[int, str]) -> bool:
        status, location = outcome
        return status in (302, 303) and location.endswith(f"/cfp/received/{self.token}")


def database_state(url: str, engine_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Submissions (by form token) with their speakers' emails, and every outbox row."""
    from webapp.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url), **(engine_options or {}))
    try:
        with engine.connect() as conn:
            subs = conn.execute(sa.text("SELECT id, code, form_token FROM submissions")).all()
            speakers = conn.execute(
                sa.text("SELECT submission_id, email FROM speakers ORDER BY position")
            ).all()
            outbox = conn.execute(
                sa.text(
                    "SELECT template, to_addr, subject, message_id, context FROM outbox_messages"
                )
            ).all()
    finally:
        engine.dispose()
    by_id = {s.id: {"code": s.code, "token": s.form_token, "speakers": []} for s in subs}
    for sp in speakers:
        by_id[sp.submission_id]["speakers"].append(sp.email)
    return {"submissions": {v["token"]: v for v in by_id.values()}, "outbox": outbox}


def _names(row: Any, secret: str) -> str:
    """What a message names: its subject once sent, else its (sealed) context."""
    return row.subject or sealed.unseal(row.context or "", keys=(secret,))


def check_whole(state: dict[str, Any], organizers: int = 1, secret: str = SECRET) -> None:
    """Every stored submission is whole: ≥1 speaker, a ``cfp_received`` to the submitting speaker
    (co-speakers are invited later, from that speaker's link) and a ``cfp_new_submission`` per
    organizer naming its code. Nothing else is in the outbox."""
    received = [(r.to_addr) for r in state["outbox"] if r.template == "cfp_received"]
    new = [_names(r, secret) for r in state["outbox"] if r.template == "cfp_new_submission"]
    for token, sub in state["submissions"].items():
        assert sub["speakers"], f"submission {sub['code']} ({token}) has no speaker"
        main, *co = sub["speakers"]
        assert received.count(main) == 1, f"{main} of {sub['code']}: {received.count(main)}"
        for email in co:
            assert received.count(email) == 0, f"co-speaker {email} mailed before the invitation"
        assert sum(sub["code"] in s for s in new) == organizers, f"organizer mail of {sub['code']}"
    assert len(received) == len(state["submissions"])
    assert len(new) == organizers * len(state["submissions"])


def flask_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    import sys

    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=Path(__file__).resolve().parent.parent.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
