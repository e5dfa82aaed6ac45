"""Private calendar feeds: an account's meetings and follow-ups, a speaker's talks.

Each lives at ``/calendar/private/TOKEN.ics``. The token is stored as its SHA-256 (looked up)
and sealed (shown again to its owner); resetting replaces it, and the old address is refused at
once: the view looks the token up on every request (the feeds' fast path never answers these
addresses) and the stored render is keyed by the token's hash. Renders are stored like the public
feeds' (``webapp.meetings.feeds``), keyed by the data version that every committed change moves.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.private_feeds.views import bp

    app.register_blueprint(bp)
