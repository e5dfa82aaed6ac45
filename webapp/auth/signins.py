"""Sign-ins: one revocable token per sign-in, stored only as its hash.

Flask-Login keeps the token (not the account id) in the session cookie and in the "keep me
signed in" cookie (``login_manager.id_attribute`` is ``User.session_token``), and the user loader
finds the account through :func:`resolve`. Revoking a sign-in therefore ends it in every copy of
its cookies at once: signing out revokes the current one, "sign out everywhere", a password
change and a deactivation revoke all of an account's. Services flush; the view commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import SignIn, User

#: A sign-in's last use is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=1)
#: Revoked and expired sign-ins are deleted when their account signs in again after this long.
KEEP_ENDED = timedelta(days=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Lifetimes:
    """How long a sign-in lasts: ``session`` after its last request, ``remember`` in all."""

    session: timedelta
    remember: timedelta

    @classmethod
    def of(cls, config: Any) -> Lifetimes:
        return cls(config["PERMANENT_SESSION_LIFETIME"], config["REMEMBER_COOKIE_DURATION"])


def start(user: User, remember: bool, user_agent: str, now: datetime, lifetimes: Lifetimes) -> str:
    """A new sign-in of ``user``; returns its token (shown once, to go into the cookies)."""
    token = secrets.token_urlsafe(32)
    db.session.execute(
        sa.delete(SignIn).where(
            SignIn.user_id == user.id,
            sa.or_(SignIn.expires_at < now - KEEP_ENDED, SignIn.revoked_at < now - KEEP_ENDED),
        )
    )
    db.session.add(
        SignIn(
            user_id=user.id,
            token_hash=token_hash(token),
            remember=remember,
            user_agent=" ".join(user_agent.split())[:200],
            created_at=now,
            last_seen_at=now,
            expires_at=now + (lifetimes.remember if remember else lifetimes.session),
        )
    )
    db.session.flush()
    user.sign_in_token = token
    user.sign_in_remember = remember
    return token


@dataclass(frozen=True)
class Found:
    id: int
    user_id: int
    remember: bool


def resolve(token: str, now: datetime, lifetimes: Lifetimes) -> Found | None:
    """The live sign-in of ``token``, or None. Notes its use (and, for a session sign-in, moves
    its end) in a short transaction of its own, so a GET commits nothing of the request's."""
    table = cast(sa.Table, SignIn.__table__)
    with db.engine.connect() as conn:
        row = conn.execute(
            sa.select(table.c.id, table.c.user_id, table.c.remember, table.c.last_seen_at).where(
                table.c.token_hash == token_hash(token),
                table.c.revoked_at.is_(None),
                table.c.expires_at > now,
            )
        ).first()
        if row is None:
            return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        values: dict[str, Any] = {"last_seen_at": now}
        if not row.remember:
            values["expires_at"] = now + lifetimes.session
        # Busy (a SQLite writer): noting the use can wait for the next request.
        with contextlib.suppress(sa.exc.OperationalError), db.engine.begin() as conn:
            conn.execute(sa.update(table).where(table.c.id == row.id).values(**values))
    return Found(row.id, row.user_id, row.remember)


def load_user(token: str, now: datetime, lifetimes: Lifetimes) -> User | None:
    """Flask-Login's user loader: the active account of a live sign-in."""
    found = resolve(token, now, lifetimes)
    if found is None:
        return None
    user = db.session.get(User, found.user_id)
    if user is None or not user.active:
        return None
    user.sign_in_id = found.id
    user.sign_in_token = token
    user.sign_in_remember = found.remember
    return user


def revoke(sign_in_id: int, now: datetime) -> None:
    db.session.execute(
        sa.update(SignIn)
        .where(SignIn.id == sign_in_id, SignIn.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_all(user_id: int, now: datetime) -> None:
    """End every sign-in of an account."""
    db.session.execute(
        sa.update(SignIn)
        .where(SignIn.user_id == user_id, SignIn.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def live(user_id: int, now: datetime) -> list[SignIn]:
    """The account's signed-in devices, most recently used first."""
    return list(
        db.session.scalars(
            sa.select(SignIn)
            .where(SignIn.user_id == user_id, SignIn.revoked_at.is_(None), SignIn.expires_at > now)
            .order_by(SignIn.last_seen_at.desc(), SignIn.id.desc())
        )
    )
