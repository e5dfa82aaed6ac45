"""The current instant for views and CLI commands; tests set ``CADENCE_NOW`` to move it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """An aware UTC datetime. Services never call this: they take ``now`` as an argument."""
    if has_app_context():
        override = current_app.config.get("CADENCE_NOW")
        if override is not None:
            value = override() if callable(override) else override
            return value.astimezone(UTC)
    return datetime.now(UTC)
