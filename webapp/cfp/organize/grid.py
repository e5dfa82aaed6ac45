"""The schedule grid: one page per conference day, and the one request each move makes."""

from __future__ import annotations

from datetime import datetime

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from webapp import audit, clock, dates
from webapp.cfp import services
from webapp.cfp.forms import ButtonForm
from webapp.cfp.organize.blueprint import bp, conference_or_404
from webapp.security import roles_required
from webapp.transaction import commit_or_show


@bp.route("/conferences/<slug>/programme/grid")
@roles_required("organizer")
def grid_first_day(slug: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    return redirect(url_for("organize.grid", slug=slug, day=conference.starts_on.isoformat()))


@bp.route("/conferences/<slug>/programme/grid/<day>")
@roles_required("organizer")
def grid(slug: str, day: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    try:
        parsed = dates.parse_day(day)
    except ValueError:
        abort(404)
    if not conference.starts_on <= parsed <= conference.ends_on:
        abort(404)
    return render_template(
        "cfp/organize/grid.html",
        conference=conference,
        g=services.grid_day(conference, parsed),
        button=ButtonForm(),
    )


def _move_args() -> tuple[str, int | None, datetime | None]:
    """The item, room and local start of a move (no start: take the talk out)."""
    form = request.form
    item = form.get("item", "")
    if form.get("unplace"):
        return item, None, None
    room_text = form.get("room", "").strip()
    if room_text and not (room_text.isdigit() and len(room_text) < 10):
        raise services.CfpError("Choose one of this conference's rooms.")
    room = int(room_text) if room_text else None
    return item, room, services.parse_slot(form.get("day", ""), form.get("start", ""))


@bp.route("/conferences/<slug>/programme/move", methods=["POST"])
@roles_required("organizer")
def move(slug: str) -> ResponseReturnValue:
    """Move one talk or block (JSON answer for the grid's script): 200, or 409 with the reason."""
    conference = conference_or_404(slug)  # CSRF: checked app-wide (field or X-CSRFToken)

    def change() -> services.Move:
        item, room, start = _move_args()
        return services.move_item(conference, item, room, start, audit.Actor.current(), clock.now())

    outcome = commit_or_show(change, form=ButtonForm(formdata=None), refused=(services.CfpError,))
    if outcome.value is None:
        return jsonify(ok=False, error=outcome.error), 409
    done = outcome.value
    return jsonify(
        ok=True,
        item=done.item,
        message=done.message,
        warnings=done.warnings,
        undo=done.undo,
    )
