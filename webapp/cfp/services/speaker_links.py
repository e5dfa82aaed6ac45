"""Speakers' private links: only the SHA-256 of a token is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.models import Speaker, SpeakerLink
from webapp.urls import external_url


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_speaker_link(speaker: Speaker, now: datetime) -> str:
    """A new private link for ``speaker`` (earlier ones stay valid); returns its URL."""
    token = secrets.token_urlsafe(32)
    db.session.add(SpeakerLink(speaker=speaker, token_hash=hash_token(token), created_at=now))
    return external_url(f"/cfp/s/{token}")


def speaker_by_token(token: str) -> Speaker | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(Speaker)
        .join(SpeakerLink)
        .where(SpeakerLink.token_hash == hash_token(token))
        .options(selectinload(Speaker.submission))
    )
