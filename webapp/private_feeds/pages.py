"""What the account page and the speaker's page show of their private feeds."""

from __future__ import annotations

import contextlib
from typing import Any

from webapp import sealed
from webapp.ical import google_calendar_url, webcal_url
from webapp.models import PrivateFeed, Speaker, User
from webapp.private_feeds import services


def _links(url: str) -> dict[str, str]:
    links = {"url": url, "webcal": webcal_url(url)}
    with contextlib.suppress(ValueError):  # longer than Google accepts: offer the others
        links["google"] = google_calendar_url(url)
    return links


def _feed_links(feed: PrivateFeed | None) -> dict[str, Any]:
    """The address's links, or ``unreadable`` when the sealed token no longer opens (the secret
    key changed without a fallback): the address still works (it is looked up by its hash), but
    only a Reset can show one again."""
    if feed is None:
        return {"links": None, "unreadable": False}
    try:
        return {"links": _links(services.address(feed)), "unreadable": False}
    except sealed.Unreadable:
        return {"links": None, "unreadable": True}


def account_context(user: User) -> dict[str, Any]:
    feed = services.feed_of(user=user)
    followed = services.followed_ids(user)
    return {
        **_feed_links(feed),
        "person": services.linked_person(user),
        "people": [(p.id, services.person_label(p)) for p in services.people_to_link(user)],
        "series": [(s.id, s.title, s.id in followed) for s in services.visible_series(user)],
    }


def speaker_context(speaker: Speaker) -> dict[str, Any]:
    return _feed_links(services.feed_of(speaker=speaker))
