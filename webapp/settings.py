"""The effective site settings: the admin's choices from the database over the app's config.

Read once per request (cached on ``g``), so pages, feeds and mail agree within a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.models import SiteSettings

#: The bhyve community's references: Phabricator reviews and FreeBSD bugs (``PR 1234``,
#: ``pr 1234``, ``Bug #1234``).
DEFAULT_REFERENCE_PATTERNS: list[tuple[str, str]] = [
    (r"\bD(\d{3,7})\b", "https://reviews.freebsd.org/D{1}"),
    (
        r"\b(?:[Bb]ug|PR|pr)\s+#?(\d{3,7})\b",
        "https://bugs.freebsd.org/bugzilla/show_bug.cgi?id={1}",
    ),
]


def as_dicts(patterns: Any) -> list[dict[str, str]]:
    """Patterns as ``{"pattern", "url"}`` dicts, from dicts or ``(regex, url)`` pairs."""
    return [
        dict(p) if isinstance(p, dict) else {"pattern": str(p[0]), "url": str(p[1])}
        for p in patterns
    ]


@dataclass(frozen=True)
class Effective:
    community_name: str
    default_timezone: str
    mail_sender: str
    feed_past_months: int
    reference_patterns: list[dict[str, str]] = field(default_factory=list)


def stored() -> SiteSettings | None:
    return db.session.get(SiteSettings, 1)


def current() -> Effective:
    if has_request_context() and "cadence_settings" in g:
        return g.cadence_settings  # type: ignore[no-any-return]
    config = current_app.config
    try:
        row = stored()
    except SQLAlchemyError:  # the database is down or not migrated: pages still render
        db.session.rollback()
        row = None
    value = Effective(
        community_name=(row and row.community_name) or config["COMMUNITY_NAME"],
        default_timezone=(row and row.default_timezone) or config["DEFAULT_TIMEZONE"],
        mail_sender=(row and row.mail_sender) or config["MAIL_DEFAULT_SENDER"],
        feed_past_months=(row and row.feed_past_months) or int(config["FEED_PAST_MONTHS"]),
        reference_patterns=(
            row.reference_patterns
            if row and row.reference_patterns is not None
            else as_dicts(config.get("REFERENCE_PATTERNS") or DEFAULT_REFERENCE_PATTERNS)
        ),
    )
    if has_request_context():
        g.cadence_settings = value
    return value


def save(values: dict[str, Any]) -> SiteSettings:
    """Store the admin's settings (None clears one back to the config default). Flushes."""
    row = stored() or SiteSettings(id=1)
    for name, value in values.items():
        setattr(row, name, value)
    db.session.add(row)
    db.session.flush()
    if has_request_context():
        g.pop("cadence_settings", None)
    return row
