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
    _link_scribe()
    return password


def _link_scribe() -> None:
    """The demo scribe's account is the person with the most open follow-ups in the minutes, so
    that the private calendar on ``/account`` shows some (``webapp.private_feeds``)."""
    from webapp.models import FollowUp, FollowUpState

    owner = db.session.scalar(
        sa.select(FollowUp.owner_id)
        .where(FollowUp.state == FollowUpState.OPEN, FollowUp.owner_id.is_not(None))
        .group_by(FollowUp.owner_id)
        .order_by(sa.func.count().desc(), FollowUp.owner_id)
        .limit(1)
    )
    scribe = db.session.scalar(sa.select(User).where(User.email == "scribe@example.org"))
    if owner is not None and scribe is not None:
        scribe.person_id = owner
        db.session.flush()


def _area_loaders():  # type: ignore[no-untyped-def]
    """Each area's ``demo.load(now)``, in dependency order (minutes after meetings)."""
    from webapp.cfp import demo as cfp_demo
    from webapp.meetings import demo as meetings_demo
    from webapp.minutes import demo as minutes_demo

    return [meetings_demo.load, minutes_demo.load, cfp_demo.load]
