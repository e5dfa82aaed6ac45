"""The call page: everything a scribe needs during the meeting, on one page.

The page is assembled from two parts: the panels around the notes (agenda, open follow-ups, the
review queue, attendees, decisions: ``webapp.minutes.services.live_panels``) and the shared
notes themselves (``webapp.live.page``).
"""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from webapp import clock
from webapp.live.page import notes_context
from webapp.minutes import services as svc
from webapp.minutes.services.live_entry import cancelled_reason
from webapp.minutes.services.live_panels import panels_context
from webapp.minutes.views.helpers import EDITORS, bp, occurrence_or_404
from webapp.security import roles_required


@bp.route("/meetings/<slug>/<day>/live")
@roles_required(*EDITORS)
def live(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = occurrence_or_404(slug, day)
    minutes = svc.get_minutes(series, meeting_day)
    refused = cancelled_reason(series, slot)
    if refused and minutes is None:  # minutes kept from before the cancelling still show
        abort(409, refused)
    now = clock.now()
    context = {"series": series, "slot": slot, "day": meeting_day, "minutes": minutes}
    context.update(panels_context(series, meeting_day, slot, minutes, now))
    context.update(notes_context(series, meeting_day, minutes))
    return render_template("minutes/live.html", **context)
