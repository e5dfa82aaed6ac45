"""What the call page needs to show the shared notes."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import g, url_for
from flask_login import current_user

from webapp.live import store
from webapp.live.service import service
from webapp.models import Minutes, Series


def notes_context(series: Series, day: date, minutes: Minutes | None) -> dict[str, Any]:
    """The template context of ``templates/minutes/live/_notes.html``. Opening the page makes
    the shared document (from the minutes' notes) when nobody has opened it before."""
    day_text = day.isoformat()
    if minutes is None:
        return {
            "notes": None,
            "notes_start_url": url_for("live.start", slug=series.slug, day=day_text),
        }
    loaded = store.load_or_create(service().engine, minutes.id, minutes.notes)
    # CodeMirror adds its own style elements: this page's CSP allows them by this nonce.
    g.csp_style_nonce = secrets.token_urlsafe(18)
    return {
        "notes": {
            # A websocket route's url_for is absolute (ws://): the page wants its path only.
            "socket": urlsplit(url_for("live.socket", slug=series.slug, day=day_text)).path,
            "save": url_for("live.save", slug=series.slug, day=day_text),
            "key": loaded.key,
            "text": store.text_of(loaded.doc()),
            "user": current_user.display_name,
            "nonce": g.csp_style_nonce,
            "edit": url_for("minutes.edit", slug=series.slug, day=day_text),
            "history": url_for("minutes.history", slug=series.slug, day=day_text),
            "published": minutes.published,
            "version": minutes.version,
            "public": url_for("minutes.minutes_page", slug=series.slug, day=day_text),
        }
    }
