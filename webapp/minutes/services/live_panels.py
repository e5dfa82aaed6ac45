"""What the call page shows around the shared notes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from webapp.models import Minutes, Series


def panels_context(
    series: Series, day: date, slot: Any, minutes: Minutes | None, now: datetime
) -> dict[str, Any]:
    """The template context of ``templates/minutes/live/_panels.html``."""
    return {}
