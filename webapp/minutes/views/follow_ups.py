"""Follow-ups: adding one at a meeting, closing or reopening it, a series' open list."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from webapp import audit, clock, dates
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import services as svc
from webapp.minutes.forms import FollowUpForm
from webapp.minutes.views.helpers import (
    EDITORS,
    back,
    bp,
    occurrence_or_404,
    people_names,
    series_or_404,
)
from webapp.models import FollowUp, Series
from webapp.security import public, roles_required
from webapp.transaction import commit_or_show


@bp.route("/meetings/<slug>/<day>/follow-ups/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def follow_up_new(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, _slot = occurrence_or_404(slug, day)
    form = FollowUpForm()
    if form.validate_on_submit():
        actor = audit.Actor.current()

        def change() -> FollowUp:
            owner, _created = svc.person_for(form.owner.data or "", actor)
            return svc.add_follow_up(
                series, meeting_day, owner, form.text.data or "", actor, due=form.due.data
            )

        outcome = commit_or_show(change, form=form, field="text", refused=(svc.MinutesError,))
        if outcome.value is not None:
            flash(f"Follow-up added for {svc.owner_label(outcome.value)}.", "success")
            return back(url_for("minutes.edit", slug=slug, day=day))
    return render_template(
        "minutes/follow_up_form.html",
        form=form,
        series=series,
        day=meeting_day,
        people_names=people_names(),
    ), 400 if request.method == "POST" else 200


@bp.route("/follow-ups/<int:item_id>/state", methods=["POST"])
@roles_required(*EDITORS)
def follow_up_state(item_id: int) -> ResponseReturnValue:
    item = db.get_or_404(FollowUp, item_id)
    series = db.get_or_404(Series, item.series_id)
    state = request.form.get("state", "")
    day = None
    if request.form.get("day"):
        try:
            day = dates.parse_day(request.form["day"], "The meeting date")
        except ValueError as exc:
            abort(400, str(exc))
    outcome = commit_or_show(
        lambda: svc.set_follow_up_state(item, state, series, day, audit.Actor.current()),
        refused=(svc.MinutesError, ScheduleError),
    )
    if outcome.ok:
        flash(f"Follow-up “{item.text}” is {item.state}.", "success")
    return back(url_for("minutes.series_follow_ups", slug=series.slug))


@bp.route("/series/<slug>/follow-ups")
@public
def series_follow_ups(slug: str) -> ResponseReturnValue:
    series = series_or_404(slug)
    upcoming = meetings.next_occurrence(series, clock.now())
    groups = svc.open_by_owner(series)
    ages = {}
    if upcoming is not None:
        for _owner, items in groups:
            for item in items:
                ages[item.id] = svc.age_in_meetings(
                    series, item.raised_at.original_date, upcoming.original_date
                )
    return render_template(
        "minutes/series_follow_ups.html", series=series, groups=groups, ages=ages, upcoming=upcoming
    )
