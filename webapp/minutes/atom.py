"""The Atom 1.0 feed of published minutes: data in, bytes out, the same bytes for the same data.

The feed is bounded: the latest ``FEED_ENTRIES`` minutes, each with a summary and its notes as
HTML (rendered once per revision) unless they are longer than ``CONTENT_LIMIT`` characters, in
which case the entry links to the page instead of carrying them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import url_for

from webapp import audit
from webapp.minutes.rendering import notes_html
from webapp.models import Minutes
from webapp.urls import external_url, site_host

NS = "http://www.w3.org/2005/Atom"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: How many minutes the feed carries (the newest meetings first).
FEED_ENTRIES = 20
#: Notes longer than this are not copied into the feed.
CONTENT_LIMIT = 20_000


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def entry_updated(minutes: Minutes) -> datetime:
    """When the entry last changed for readers: minutes last written by an import are dated by
    their meeting (their ``published_at``), not by the day the archive was imported."""
    if minutes.updated_by == audit.CLI.label and minutes.published_at is not None:
        return minutes.published_at
    return minutes.updated_at


def _entry(root: ET.Element, minutes: Minutes, host: str) -> None:
    series, day = minutes.occurrence.series, minutes.occurrence.key
    entry = _sub(root, "entry")
    _sub(entry, "id", f"tag:{host},2019:cadence/minutes/{series.slug}/{day}")
    _sub(entry, "title", f"{series.title}: minutes of {day}")
    _sub(entry, "updated", _stamp(entry_updated(minutes)))
    if minutes.published_at is not None:
        _sub(entry, "published", _stamp(minutes.published_at))
    page = url_for("minutes.minutes_page", slug=series.slug, day=day)
    _sub(entry, "link", rel="alternate", type="text/html", href=external_url(page))
    related = external_url(f"/meetings/{series.slug}/{day}")
    _sub(entry, "link", rel="related", type="text/html", href=related)
    names = ", ".join(p.name for p in minutes.attendees)
    _sub(entry, "summary", f"Attendees: {names}" if names else "Minutes", type="text")
    if len(minutes.notes) <= CONTENT_LIMIT:
        _sub(entry, "content", str(notes_html(minutes)), type="html")


def feed(items: Sequence[Minutes]) -> bytes:
    host = site_host()
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}feed")
    _sub(root, "id", f"tag:{host},2019:cadence/minutes")
    _sub(root, "title", "Minutes")
    updated = max((entry_updated(m) for m in items), default=EPOCH)
    _sub(root, "updated", _stamp(updated))
    self_href = external_url(url_for("minutes.feed"))
    _sub(root, "link", rel="self", href=self_href, type="application/atom+xml")
    _sub(root, "link", rel="alternate", href=external_url("/"), type="text/html")
    _sub(_sub(root, "author"), "name", "Cadence")
    for minutes in items:
        _entry(root, minutes, host)
    ET.indent(root)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(root, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )
