"""Minutes as HTML: rendered once per revision, when it is saved, and stored beside the text."""

from __future__ import annotations

from markupsafe import Markup

from webapp.models import Minutes
from webapp.stored_html import html_of


def notes_html(minutes: Minutes) -> Markup:
    """The notes of ``minutes`` as HTML, as stored with this revision (``webapp.stored_html``)."""
    return html_of(minutes, "notes")
