"""One app's live machinery in this process: the writer, the fan-out, the janitor."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from flask import Flask, current_app

from webapp.extensions import db
from webapp.live import store
from webapp.live.fanout import Fanout
from webapp.live.hub import HUB, Limits
from webapp.live.store import Stored, Writer

EXTENSION_KEY = "cadence_live"
_lock = threading.Lock()


class Service:
    def __init__(self, app: Flask, engine: sa.Engine) -> None:
        config = app.config
        self.app, self.engine = app, engine
        self.fanout = Fanout(
            config["LIVE_FANOUT_KIND"],
            engine,
            config["LIVE_CHANNEL"],
            config.get("REDIS_URL") or "",
        )
        self.writer = Writer(engine, self.fanout.in_transaction, self.after_commit)
        self.limits = Limits(**config["LIVE_LIMITS"])

    def start(self) -> None:
        """Start this process's listener and janitor (after a fork: in the worker)."""
        from webapp.live import janitor

        self.fanout.ensure_started()
        janitor.ensure_started(self.app)

    def stop(self) -> None:
        """This app is done (a test's app at teardown): its janitor ends, and its listener
        stops polling and does not reconnect."""
        from webapp.live import janitor

        self.fanout.stopping.set()
        janitor.stop(self.app)

    def after_commit(self, items: list[Stored]) -> None:
        self.fanout.after_commit(items)  # the other nodes first: their path is the longer
        HUB.stored(items)

    def load(self, minutes_id: int, text: str) -> tuple[str, list[bytes]]:
        loaded = store.load_or_create(self.engine, minutes_id, text)
        return loaded.key, loaded.updates


def service(app: Flask | None = None) -> Service:
    """The app's live service (made on first use, inside an app context)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        found: Service | None = app.extensions.get(EXTENSION_KEY)
        if found is None:
            found = app.extensions[EXTENSION_KEY] = Service(app, db.engine)
    return found
