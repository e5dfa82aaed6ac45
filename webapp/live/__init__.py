"""Minutes written together, live: the shared notes document of the call page.

The browser edits a Yjs document (CodeMirror 6 with y-codemirror.next); the server holds the same
document in pycrdt, stores every update before acknowledging it (``store``), fans updates out to
the other workers and nodes (``fanout``), and turns the text into minutes revisions
(``revisions``, ``janitor``). ``protocol`` describes the socket's messages.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp.config import ConfigError

DEFAULTS: dict[str, Any] = {
    # auto: Redis when REDIS_URL is set, else PostgreSQL LISTEN/NOTIFY, else polling (SQLite).
    "LIVE_FANOUT": "auto",
    # The Redis channel and PostgreSQL NOTIFY channel of this site's updates.
    "LIVE_CHANNEL": "cadence_live",
    # Per socket: the largest message, a token bucket of messages, and how far a browser may
    # fall behind (messages or bytes waiting for it, seconds one send may block) before its
    # socket is closed (it reconnects and resyncs).
    "LIVE_LIMITS": {
        "max_bytes": 512 * 1024,
        "burst": 200.0,
        "per_second": 50.0,
        "queue_frames": 1000,
        "queue_bytes": 4 * 1024 * 1024,
        "send_seconds": 5.0,
    },
    # A revision is made once typing paused this long, at most once per interval.
    "LIVE_PAUSE_SECONDS": 10,
    "LIVE_REVISION_INTERVAL": 180,
}


def init_app(app: Flask) -> None:
    """Register the socket and the call page's buttons; refuse a configuration that cannot fan
    updates out to the other processes."""
    import os

    import sqlalchemy as sa

    from webapp.live import fanout, revisions
    from webapp.live.views import bp, sock

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    for key in ("LIVE_FANOUT", "LIVE_CHANNEL"):
        if os.environ.get(key) and not app.config.get("TESTING"):
            app.config[key] = os.environ[key]
    kind, reason = fanout.choose(app.config, app.config["SQLALCHEMY_DATABASE_URI"])
    if reason:
        raise ConfigError(reason)
    app.config["LIVE_FANOUT_KIND"] = kind
    # A partial LIVE_LIMITS keeps the defaults of the keys it leaves out.
    limits = app.config["LIVE_LIMITS"] = {**DEFAULTS["LIVE_LIMITS"], **app.config["LIVE_LIMITS"]}
    # A ping every 25 s: a browser that vanished without closing frees its thread within 50 s.
    app.config.setdefault(
        "SOCK_SERVER_OPTIONS", {"max_message_size": limits["max_bytes"], "ping_interval": 25}
    )
    app.register_blueprint(bp)
    sock.init_app(app)
    if not getattr(sa.orm.Session, "_cadence_live", False):
        sa.event.listen(sa.orm.Session, "after_commit", lambda _s: revisions.announce_committed())
        sa.event.listen(
            sa.orm.Session, "after_rollback", lambda s: s.info.pop("live_updates", None)
        )
        sa.orm.Session._cadence_live = True  # type: ignore[attr-defined]
