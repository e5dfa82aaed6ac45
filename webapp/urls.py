"""Addresses as the world sees them: every absolute URL comes from ``CADENCE_BASE_URL`` here."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def base_url() -> str:
    """``CADENCE_BASE_URL`` without a trailing slash, e.g. ``https://cadence.example.org``."""
    return str(current_app.config.get("CADENCE_BASE_URL", "")).rstrip("/")


def external_url(path: str) -> str:
    """``path`` (``/meetings/x/2026-01-01``, from ``url_for``) as an absolute URL."""
    if not path.startswith("/"):
        path = "/" + path
    return base_url() + path


def site_host() -> str:
    """The host name of the site, for iCal UIDs and Message-IDs."""
    return urlsplit(base_url()).hostname or "localhost"
