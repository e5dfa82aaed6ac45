"""Read-only pages of one meeting: its minutes, its agenda, the history of its minutes."""

from __future__ import annotations

from flask import (
    abort,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue

from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.minutes.forms import AgendaItemForm
from webapp.minutes.views.helpers import EDITORS, bp, can_edit, occurrence_or_404
from webapp.security import public, roles_required


@bp.route("/meetings/<slug>/<day>/minutes")
@public
def minutes_page(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = occurrence_or_404(slug, day, same_day=True)
    minutes = svc.get_minutes(series, meeting_day, slot.suffix)
    if (minutes is None or not minutes.published) and not can_edit():
        abort(404, "These minutes are not published.")
    with meetings.same_day_meeting(series, meeting_day, slot.suffix):
        return render_template(
            "minutes/meeting_page.html",
            series=series,
            slot=slot,
            occurrence_date=meeting_day,
            meeting_mode="minutes",
            page_title=f"Minutes: {series.title}, {slot.key}",
        )


@bp.route("/meetings/<slug>/<day>/agenda")
@public
def agenda_page(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = occurrence_or_404(slug, day)
    return render_template(
        "minutes/meeting_page.html",
        series=series,
        slot=slot,
        occurrence_date=meeting_day,
        meeting_mode="agenda",
        page_title=f"Agenda: {series.title}, {meeting_day}",
        item_form=AgendaItemForm(),
    )


@bp.route("/meetings/<slug>/<day>/minutes/history")
@roles_required(*EDITORS)
def history(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, _slot = occurrence_or_404(slug, day)
    minutes = svc.get_minutes(series, meeting_day)
    if minutes is None:
        abort(404, "These minutes have not been started.")
    revisions = list(reversed(minutes.revisions))
    diff = None
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a is None and b is None and len(revisions) > 1:
        a, b = revisions[1].version, revisions[0].version
    old = svc.get_revision(minutes, a) if a is not None else None
    new = svc.get_revision(minutes, b) if b is not None else None
    if (a is not None and old is None) or (b is not None and new is None):
        abort(404, "There is no such revision.")
    if old is not None and new is not None:
        diff = svc.text_diff(
            svc.revision_text(old), svc.revision_text(new), f"version {a}", f"version {b}"
        )
    return render_template(
        "minutes/history.html",
        series=series,
        day=meeting_day,
        minutes=minutes,
        revisions=revisions,
        diff=diff,
        a=a,
        b=b,
    )
