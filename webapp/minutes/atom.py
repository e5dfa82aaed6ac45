"""The Atom 1.0 feed of published minutes: data in, bytes out, the same bytes for the same data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import url_for

from webapp.markdown import render_markdown
from webapp.models import Minutes

NS = "http://www.w3.org/2005/Atom"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def feed(items: Sequence[Minutes], base_url: str) -> bytes:
    host = urlsplit(base_url).hostname or "localhost"
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}feed")
    _sub(root, "id", f"tag:{host},2019:cadence/minutes")
    _sub(root, "title", "Minutes")
    updated = max((m.updated_at for m in items), default=EPOCH)
    _sub(root, "updated", _stamp(updated))
    _sub(
        root,
        "link",
        rel="self",
        href=base_url + url_for("minutes.feed"),
        type="application/atom+xml",
    )
    _sub(root, "link", rel="alternate", href=base_url + "/", type="text/html")
    _sub(_sub(root, "author"), "name", "Cadence")
    for minutes in items:
        series, day = minutes.occurrence.series, minutes.occurrence.original_date.isoformat()
        entry = _sub(root, "entry")
        _sub(entry, "id", f"tag:{host},2019:cadence/minutes/{series.slug}/{day}")
        _sub(entry, "title", f"{series.title}: minutes of {day}")
        _sub(entry, "updated", _stamp(minutes.updated_at))
        if minutes.published_at is not None:
            _sub(entry, "published", _stamp(minutes.published_at))
        _sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=base_url + url_for("minutes.minutes_page", slug=series.slug, day=day),
        )
        _sub(
            entry,
            "link",
            rel="related",
            type="text/html",
            href=f"{base_url}/meetings/{series.slug}/{day}",
        )
        names = ", ".join(p.name for p in minutes.attendees)
        _sub(entry, "summary", f"Attendees: {names}" if names else "Minutes", type="text")
        _sub(entry, "content", str(render_markdown(minutes.notes)), type="html")
    ET.indent(root)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(root, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )
