"""Organizer accounts and their roles."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, TimestampMixin


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    REVIEWER = "reviewer"
    SCRIBE = "scribe"


ROLE_VALUES = tuple(r.value for r in Role)


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __allow_unmapped__ = True

    #: The sign-in this object was loaded through (webapp.auth.signins); per request, not stored.
    sign_in_id: int | None = None
    sign_in_token: str | None = None
    sign_in_remember: bool = False

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    #: The participant of the calls this account is (accounts and people are separate records):
    #: its open follow-ups are in the account's private feed. One account per person.
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"), unique=True
    )
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def session_token(self) -> str:
        """What Flask-Login keeps in the session and remember cookies (its ``id_attribute``):
        the token of this sign-in, never the account id, so that revoking the sign-in ends it."""
        if not self.sign_in_token:
            raise RuntimeError("session_token() of a user that has not signed in")
        return self.sign_in_token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users a session
        return self.active

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def set_roles(self, roles: set[str] | list[str]) -> None:
        wanted = set(roles)
        unknown = wanted - set(ROLE_VALUES)
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        self.role_rows = [r for r in self.role_rows if r.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - self.roles)
        ]

    def has_role(self, *roles: str) -> bool:
        """True when the user holds any of ``roles``; admins hold every role."""
        mine = self.roles
        return Role.ADMIN in mine or bool(mine.intersection(roles))

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (sa.CheckConstraint(sa.column("role").in_(ROLE_VALUES), name="role_known"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")


class SignIn(Base):
    """One sign-in of one account on one device: its session (and "keep me signed in" cookie)
    carries a random token, stored here only as its SHA-256. Signing out revokes it; a password
    change or deactivation revokes every sign-in of the account."""

    __tablename__ = "sign_ins"
    __table_args__ = (sa.Index("ix_sign_ins_user_id_revoked_at", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: "Keep me signed in": lasts REMEMBER_COOKIE_DURATION; otherwise it ends
    #: PERMANENT_SESSION_LIFETIME after the last request.
    remember: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class PasswordThrottle(Base):
    """Wrong passwords given for one account (by its address's key, whether or not the account
    exists): after a few, each next check waits longer (``webapp.auth.throttle``)."""

    __tablename__ = "password_throttles"

    account_key: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    next_allowed_at: Mapped[datetime]
