"""Demo data for ``make run``: an admin, and each area's content from its own ``demo`` module."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa

from webapp import audit
from webapp.auth import services
from webapp.extensions import db
from webapp.models import User

DEMO_ACTOR = audit.Actor(label="demo")


def has_data() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) != 0


def load(now: datetime | None = None) -> str:
    """Load everything; returns the admin's generated password. The caller commits."""
    now = now or datetime.now(UTC)
    password = secrets.token_urlsafe(12)
    services.create_user("admin@example.org", password, {"admin"}, DEMO_ACTOR, name="Demo Admin")
    for email, name, role in (
        ("organizer@example.org", "Olivia Organizer", "organizer"),
        ("reviewer@example.org", "Rui Reviewer", "reviewer"),
        ("scribe@example.org", "Sam Scribe", "scribe"),
    ):
        services.create_user(email, password, {role}, DEMO_ACTOR, name=name)
    for loader in _area_loaders():
        loader(now)
    return password


def _area_loaders():  # type: ignore[no-untyped-def]
    """Each area's ``demo.load(now)``, in dependency order (minutes after meetings)."""
    from webapp.cfp import demo as cfp_demo
    from webapp.meetings import demo as meetings_demo
    from webapp.minutes import demo as minutes_demo

    return [meetings_demo.load, minutes_demo.load, cfp_demo.load]
