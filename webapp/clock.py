"""The current instant for views: ``CADENCE_NOW`` in app config (an aware datetime or a
callable returning one) lets tests and demos fix the clock; otherwise the real UTC time."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def now() -> datetime:
    fixed = current_app.config.get("CADENCE_NOW")
    if callable(fixed):
        return fixed()  # type: ignore[no-any-return]
    if isinstance(fixed, datetime):
        return fixed
    return datetime.now(UTC)
