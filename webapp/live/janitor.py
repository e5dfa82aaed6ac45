"""Automatic revisions and compaction of the documents open in this process.

Every few seconds: a document whose typing has paused (``LIVE_PAUSE_SECONDS``) and whose last
revision is older than ``LIVE_REVISION_INTERVAL`` gets a revision of the shared text (several
pauses within the interval make one revision: coalesced); then the updates kept in a revision
are merged into the document's snapshot. With ``webapp.live.store`` this module is the
documented exception to "one commit per request": no request runs here.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from webapp import clock
from webapp.extensions import db
from webapp.live import store
from webapp.live.hub import HUB
from webapp.live.revisions import snapshot
from webapp.live.store import DOCS, UPDATES
from webapp.models import Minutes

log = logging.getLogger(__name__)
INTERVAL = 2.0
_started: dict[int, tuple[int, threading.Event]] = {}
_lock = threading.Lock()


def ensure_started(app: Flask) -> None:
    with _lock:
        found = _started.get(id(app))
        if found is not None and found[0] == os.getpid():
            return
        stopping = threading.Event()
        _started[id(app)] = (os.getpid(), stopping)
    threading.Thread(target=_loop, args=(app, stopping), name="live-janitor", daemon=True).start()


def stop(app: Flask) -> None:
    """End this app's janitor (an app that is done: a test's, or one being shut down)."""
    with _lock:
        found = _started.pop(id(app), None)
    if found is not None:
        found[1].set()


def _loop(app: Flask, stopping: threading.Event) -> None:
    while not stopping.wait(INTERVAL):
        keep = 2 * app.config["LIVE_REVISION_INTERVAL"] + app.config["LIVE_PAUSE_SECONDS"] + 60
        for minutes_id in HUB.tended_ids(keep):
            try:
                with app.app_context():
                    tend(app, minutes_id)
            except Exception:
                log.exception("live: tending document %s failed", minutes_id)


def due(app: Flask, minutes_id: int) -> bool:
    """Typed since the last revision, paused, and the last revision old enough."""
    now = clock.now()
    with db.engine.connect() as conn:
        doc = conn.execute(sa.select(DOCS).where(DOCS.c.minutes_id == minutes_id)).first()
        last = conn.execute(
            sa.select(sa.func.max(UPDATES.c.seq), sa.func.max(UPDATES.c.at)).where(
                UPDATES.c.minutes_id == minutes_id
            )
        ).first()
    if doc is None or last is None or last[0] is None or last[0] <= doc.revised_seq:
        return False
    at = last[1] if last[1].tzinfo else last[1].replace(tzinfo=now.tzinfo)
    paused = now - at >= timedelta(seconds=app.config["LIVE_PAUSE_SECONDS"])
    interval = timedelta(seconds=app.config["LIVE_REVISION_INTERVAL"])
    revised = doc.revised_at
    if revised is not None and revised.tzinfo is None:
        revised = revised.replace(tzinfo=now.tzinfo)
    return paused and (revised is None or now - revised >= interval)


def tend(app: Flask, minutes_id: int) -> None:
    if due(app, minutes_id):
        minutes = db.session.get(Minutes, minutes_id)
        if minutes is not None:
            try:
                snapshot(minutes, None, clock.now(), how="automatic")
                db.session.commit()
            except (ValueError, sa.exc.IntegrityError):  # someone saved first: next time
                db.session.rollback()
    db.session.remove()
    store.compact(db.engine, minutes_id)
