"""The call page's socket, and its Start, Save and Publish buttons."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_sock import Sock

from webapp import audit, clock
from webapp.extensions import db
from webapp.live import protocol
from webapp.live.hub import HUB, Connection, Room
from webapp.live.revisions import snapshot
from webapp.live.service import service
from webapp.live.store import Stored
from webapp.minutes import services as svc
from webapp.minutes.services.live_entry import cancelled_reason
from webapp.minutes.views.helpers import EDITORS, occurrence_or_404
from webapp.security import roles_required
from webapp.transaction import commit_or_show

bp = Blueprint("live", __name__)
sock = Sock()
log = logging.getLogger(__name__)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins() -> set[str]:
    """The site's own address, as configured and as this request reached it."""
    return {
        _origin(current_app.config["CADENCE_BASE_URL"]),
        f"{request.scheme}://{request.host}".lower(),
    }


@bp.before_request
def check_socket() -> None:
    """Before the handshake: a browser on another site is refused (browsers apply no CORS to
    WebSockets), and so is a meeting without minutes."""
    if request.endpoint != "live.socket":
        return
    if (request.headers.get("Origin") or "").lower() not in allowed_origins():
        abort(403, "This socket opens only from the site's own pages.")
    series, day, _slot = occurrence_or_404(request.view_args["slug"], request.view_args["day"])  # type: ignore[index]
    minutes = svc.get_minutes(series, day)
    if minutes is None:
        abort(404, "No minutes yet: start them on the call page.")
    g.live_minutes = (minutes.id, minutes.notes)
    g.live_actor = (current_user.id, current_user.display_name)
    g.live_token = current_user.get_id()
    db.session.remove()  # a socket lives long: it holds no database connection


@sock.route("/meetings/<slug>/<day>/live/socket", bp=bp)
@roles_required(*EDITORS)
def socket(ws: Any, slug: str, day: str) -> None:
    live = service()
    live.start()
    minutes_id, notes = g.live_minutes
    user_id, actor = g.live_actor
    conn = Connection(ws, user_id, actor, live.limits)
    try:
        room = HUB.join(minutes_id, conn, lambda mid: live.load(mid, notes))
    except Exception:  # noqa: BLE001 - the browser retries; its edits wait in IndexedDB
        log.exception("live: loading the notes of minutes %s failed", minutes_id)
        notice = "The server could not load the notes; retrying."
        conn.close(1011, "could not load the notes", notice)
        conn.finish()
        return
    try:
        if room.first_ask():
            live.fanout.ask_presence(minutes_id)
        conn.send(protocol.step1(room.doc.get_state()))
        presence = room.presence_update()
        if presence:
            conn.send(protocol.awareness(presence))
        _serve(ws, conn, room)
    finally:
        gone = HUB.leave(room, conn)
        conn.finish()
        if gone:
            room.broadcast(protocol.awareness(gone))
            live.fanout.awareness(minutes_id, gone)


@bp.route("/meetings/<slug>/<day>/live/socket")
@roles_required(*EDITORS)
def socket_address(slug: str, day: str) -> ResponseReturnValue:
    """The socket's address opened as a page (no WebSocket upgrade)."""
    abort(400, "This address is the call page's WebSocket: open the call page instead.")


#: How often an open socket checks that its sign-in still holds (signed out, revoked, role gone).
RECHECK_SECONDS = 60


def still_signed_in(token: str) -> bool:
    from webapp.auth import signins

    try:
        user = signins.load_user(token, clock.now(), signins.Lifetimes.of(current_app.config))
        return bool(user is not None and user.has_role(*EDITORS))
    finally:
        db.session.remove()


#: How often a socket's handler looks whether a send to its browser has blocked too long.
TICK_SECONDS = 1.0


def _serve(ws: Any, conn: Connection, room: Room) -> None:
    checked = time.monotonic()
    while True:
        data = ws.receive(timeout=min(TICK_SECONDS, RECHECK_SECONDS))
        if conn.check():  # the browser stopped reading (or the socket closed): reconnects
            return
        if time.monotonic() - checked >= RECHECK_SECONDS:
            checked = time.monotonic()
            if not still_signed_in(g.live_token):
                conn.close(1008, "signed out", "Signed out: reload the page and sign in again.")
                return
        if data is None:
            continue
        if isinstance(data, str):
            data = data.encode("utf-8")
        problem = conn.allow(len(data))
        if problem is None:
            try:
                _handle(conn, room, protocol.parse(data))
                continue
            except protocol.ProtocolError as exc:
                problem = str(exc)
        log.info("live: closing a socket of %s: %s", conn.actor, problem)
        conn.close(1008, problem, f"Disconnected: {problem}")
        return


def _handle(conn: Connection, room: Room, message: protocol.Message) -> None:
    live = service()
    if message.kind == protocol.AWARENESS:
        presence = protocol.named_awareness(message.payload, conn.actor)
        room.note_presence(presence, conn)
        room.broadcast(protocol.awareness(presence), but=conn)
        live.fanout.awareness(room.minutes_id, presence)
    elif message.step == protocol.STEP1:
        conn.send(protocol.step2(room.missing(message.payload)))
    else:  # step 2 or update: stored, then acknowledged and sent to the others
        if message.payload != protocol.EMPTY_UPDATE:
            room.apply(message.payload)
        conn.received += 1
        live.writer.submit(
            Stored(room.minutes_id, message.payload, conn.user_id, conn.actor, sender=conn)
        )


@bp.route("/meetings/<slug>/<day>/live/start", methods=["POST"])
@roles_required(*EDITORS)
def start(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = occurrence_or_404(slug, day)
    refused = cancelled_reason(series, slot)
    if refused and svc.get_minutes(series, meeting_day) is None:
        abort(409, refused)
    commit_or_show(
        lambda: svc.start_minutes(series, meeting_day, audit.Actor.current(), clock.now())
    )
    return redirect(url_for("minutes.live", slug=slug, day=day))


@bp.route("/meetings/<slug>/<day>/live/save", methods=["POST"])
@roles_required(*EDITORS)
def save(slug: str, day: str) -> ResponseReturnValue:
    """Save (or publish) the shared notes as a revision; a Save that changes nothing makes none."""
    series, meeting_day, _slot = occurrence_or_404(slug, day)
    minutes = svc.get_minutes(series, meeting_day)
    if minutes is None:
        abort(404)
    publish = request.form.get("action") == "publish"
    report = svc.SyncReport()
    outcome = commit_or_show(
        lambda: snapshot(
            minutes, audit.Actor.current(), clock.now(), publish=publish, report=report
        ),
        race_message="Someone saved at the same moment; press Save again to include what was "
        "typed since.",
    )
    if outcome.ok:
        if outcome.value is None:
            flash("Nothing changed since the last revision: no new revision.", "info")
        else:
            what = "Published" if publish else "Saved"
            note = f" {report.text().capitalize()}." if report.changed else ""
            flash(f"{what}: minutes version {outcome.value}.{note}", "success")
    return redirect(url_for("minutes.live", slug=slug, day=day))
