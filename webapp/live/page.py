"""What the call page needs to show the shared notes."""

from __future__ import annotations

from datetime import date
from typing import Any

from webapp.models import Minutes, Series


def notes_context(series: Series, day: date, minutes: Minutes | None) -> dict[str, Any]:
    """The template context of ``templates/minutes/live/_notes.html``."""
    return {}
