"""Subscription links: ``webcal://`` for desktop clients, Google's "add by URL" link."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

__all__ = ["GOOGLE_URL_LIMIT", "google_calendar_url", "webcal_url"]

# Google Calendar silently ignores subscription URLs longer than about this.
GOOGLE_URL_LIMIT = 256


def webcal_url(https_url: str) -> str:
    """``https://host/x.ics`` -> ``webcal://host/x.ics`` (what calendar apps register)."""
    parts = urlsplit(https_url)
    if parts.scheme not in ("http", "https", "webcal") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {https_url!r}")
    return urlunsplit(("webcal", *parts[1:]))


def google_calendar_url(feed_url: str) -> str:
    """Google Calendar's "add by URL" link for a feed (http, https or webcal URL).

    Google wants the feed as ``cid=webcal://...``, percent-encoded as a query value.
    Raises ValueError if the feed URL is longer than Google accepts.
    """
    feed = webcal_url(feed_url)
    if len(feed) > GOOGLE_URL_LIMIT:
        raise ValueError(f"feed URL is longer than {GOOGLE_URL_LIMIT} characters")
    return "https://calendar.google.com/calendar/r?cid=" + quote(feed, safe=":/")
