"""The minutes pages, one module per concept; ``bp`` is registered by
``webapp.minutes.init_app``."""

from __future__ import annotations

from webapp.minutes.views import (  # noqa: F401 - each module adds its routes to bp
    agenda,
    editing,
    feed,
    follow_ups,
    live,
    live_actions,
    pages,
    people,
    reviews,
    search,
)
from webapp.minutes.views.helpers import bp

__all__ = ["bp"]
