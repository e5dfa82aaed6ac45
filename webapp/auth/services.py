"""Accounts: creation, passwords, roles. Services flush but never commit."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from webapp import addresses, audit, clock
from webapp.auth import signins
from webapp.extensions import db
from webapp.models import ROLE_VALUES, User, utcnow

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message is for the user."""


@cache
def _hasher(fast: bool) -> PasswordHasher:
    # Tests hash hundreds of passwords: they use the cheapest parameters argon2 allows.
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if fast else PasswordHasher()


def hasher() -> PasswordHasher:
    return _hasher(bool(current_app.config.get("FAST_PASSWORD_HASH")))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 1024:
        raise AccountError("The password may have at most 1024 characters.")


def normalise_email(email: str) -> str:
    """An account's address: ``webapp.addresses.normalise`` (IDNA domain), then lower-cased
    (accounts are case-insensitive); one the validator refuses is only stripped and lowered,
    so a typo finds no account rather than failing."""
    try:
        return addresses.normalise(email, smtputf8=True).lower()
    except addresses.AddressInvalid:
        return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def parse_roles(roles: list[str] | tuple[str, ...] | set[str]) -> set[str]:
    wanted = {r.strip().lower() for r in roles if r.strip()}
    unknown = wanted - set(ROLE_VALUES)
    if unknown:
        raise AccountError(
            f"Unknown role {', '.join(sorted(unknown))}; roles are {', '.join(ROLE_VALUES)}."
        )
    return wanted


def create_user(
    email: str, password: str, roles: set[str], actor: audit.Actor, name: str = ""
) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address.")
    if find_user(email) is not None:
        raise AccountError(f"There is already an account for {email}.")
    check_password_rules(password)
    user = User(email=email, name=name.strip(), password_hash=hasher().hash(password))
    user.set_roles(parse_roles(roles))
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor, "user.create", "user", user.id, f"created {email}", {"roles": sorted(user.roles)}
    )
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Upgrades old hashes on the way."""
    user = find_user(email)
    if user is None:
        hasher().hash(password)  # spend the same time as for a real account
        return None
    try:
        hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    user.last_login_at = utcnow()
    return user


def check_password(user: User, password: str) -> bool:
    """Whether ``password`` is the account's current one (no other effect)."""
    try:
        return bool(hasher().verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def set_password(
    user: User, password: str, actor: audit.Actor, now: datetime | None = None
) -> None:
    """A new password; every sign-in of the account ends (the caller may start a new one)."""
    check_password_rules(password)
    user.password_hash = hasher().hash(password)
    signins.revoke_all(user.id, now or clock.now())
    audit.record(actor, "user.password", "user", user.id, f"password changed for {user.email}")


def set_name(user: User, name: str, actor: audit.Actor) -> None:
    name = name.strip()
    if len(name) > 120:
        raise AccountError("A name may have at most 120 characters.")
    if name == user.name:
        return
    audit.record(
        actor, "user.update", "user", user.id, f"name of {user.email}", {"name": [user.name, name]}
    )
    user.name = name


def set_roles(user: User, roles: set[str], actor: audit.Actor) -> None:
    before = sorted(user.roles)
    user.set_roles(parse_roles(roles))
    if sorted(user.roles) == before:
        return
    audit.record(
        actor,
        "user.roles",
        "user",
        user.id,
        f"roles of {user.email}",
        {"roles": [before, sorted(user.roles)]},
    )


def set_active(user: User, active: bool, actor: audit.Actor, now: datetime | None = None) -> None:
    """(De)activate an account; deactivation ends every sign-in of it."""
    if user.active == active:
        return
    user.active = active
    if not active:
        signins.revoke_all(user.id, now or clock.now())
    audit.record(
        actor,
        "user.activate" if active else "user.deactivate",
        "user",
        user.id,
        f"{'reactivated' if active else 'deactivated'} {user.email}",
    )


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.email)))
