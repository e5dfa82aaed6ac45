"""The call page's changes made in place: Done, Drop and Undo of follow-ups, the review queue,
attendees and decisions; and the attendee name lookup.

Each is a plain POST form (CSRF-checked) that redirects back to the call page; sent by
``static/js/live-panels.js`` with ``Accept: application/json``, the answer is the redrawn panel
instead, so the scribe never leaves the page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from webapp import audit, clock
from webapp.extensions import db
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import services as svc
from webapp.minutes.services import live_actions as live
from webapp.minutes.services.live_panels import new_people, panels_context, shared_text
from webapp.minutes.services.live_preview import TooLong, preview
from webapp.minutes.views.helpers import EDITORS, bp, occurrence_or_404
from webapp.models import FollowUp, Minutes, Review, Series
from webapp.security import roles_required
from webapp.transaction import commit_or_show

REFUSED = (svc.MinutesError, ScheduleError)


class _Errors:
    """Collects a refusal's message for a JSON answer (instead of flashing it)."""

    def __init__(self) -> None:
        self.form_errors: list[str] = []


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _panel(
    series: Series,
    day: date,
    slot: Any,
    panel: str,
    message: str,
    *,
    ok: bool = True,
    extra: dict[str, Any] | None = None,
) -> ResponseReturnValue:
    """The answer of every change: the redrawn panel (JSON), or back to the call page."""
    if not wants_json():
        flash(message, "success" if ok else "error")
        return redirect(
            url_for("minutes.live", slug=series.slug, day=day.isoformat()) + f"#live-{panel}"
        )
    minutes = svc.get_minutes(series, day)
    context = {"series": series, "day": day, "slot": slot, "minutes": minutes}
    context.update(panels_context(series, day, slot, minutes, clock.now()))
    context.update(extra or {})
    html = render_template(f"minutes/live/_panel_{panel.replace('-', '_')}.html", **context)
    return jsonify(panel=f"live-{panel}", html=html, message=message, ok=ok), 200 if ok else 400


def _run(change: Callable[[], Any]) -> tuple[Any, str | None]:
    errors = _Errors()
    outcome = commit_or_show(change, form=errors, refused=REFUSED)
    return outcome.value, outcome.error


def _minutes_or_refuse(series: Series, day: date) -> Minutes:
    minutes = svc.get_minutes(series, day)
    if minutes is None:
        raise svc.MinutesError("start the minutes first (Take minutes)")
    return minutes


@bp.route("/meetings/<slug>/<day>/live/follow-ups/<int:item_id>", methods=["POST"])
@roles_required(*EDITORS)
def live_follow_up(slug: str, day: str, item_id: int) -> ResponseReturnValue:
    series, meeting_day, slot = occurrence_or_404(slug, day)
    item = db.get_or_404(FollowUp, item_id)
    if item.series_id != series.id:
        return _panel(
            series, meeting_day, slot, "follow-ups", "Not a follow-up of this series.", ok=False
        )
    state = request.form.get("state", "")
    _value, error = _run(
        lambda: svc.set_follow_up_state(
            item, state, series, None if state == "open" else meeting_day, audit.Actor.current()
        )
    )
    if error:
        return _panel(series, meeting_day, slot, "follow-ups", error, ok=False)
    words = {"done": "done", "dropped": "dropped", "open": "open again"}
    return _panel(series, meeting_day, slot, "follow-ups", f"“{item.text}” is {words[state]}.")


@bp.route("/meetings/<slug>/<day>/live/reviews/<int:review_id>", methods=["POST"])
@roles_required(*EDITORS)
def live_review(slug: str, day: str, review_id: int) -> ResponseReturnValue:
    series, meeting_day, slot = occurrence_or_404(slug, day)
    review = db.get_or_404(Review, review_id)
    if review.series_id != series.id:
        return _panel(
            series, meeting_day, slot, "reviews", "Not a review of this series.", ok=False
        )
    action = request.form.get("action", "")
    actor = audit.Actor.current()
    if action in ("up", "down"):
        _value, error = _run(lambda: svc.move_review(review, action, actor))
        message = f"“{review.title}” moved {action}."
    else:
        _value, error = _run(lambda: live.set_review_state(review, series, action, actor))
        message = f"“{review.title}” is {'open again' if action == 'open' else action}."
    return _panel(series, meeting_day, slot, "reviews", error or message, ok=not error)


@bp.route("/meetings/<slug>/<day>/live/attendees", methods=["POST"])
@roles_required(*EDITORS)
def live_attendees(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = occurrence_or_404(slug, day)
    actor, now = audit.Actor.current(), clock.now()
    if request.form.get("cancel"):
        return _panel(series, meeting_day, slot, "attendees", "No one was added.")
    if request.form.get("remove", "").isdigit():
        person_id = int(request.form["remove"])
        gone, error = _run(
            lambda: live.remove_attendee(
                _minutes_or_refuse(series, meeting_day), person_id, actor, now
            )
        )
        message = error or f"{gone.name} is no longer among the attendees."
        return _panel(series, meeting_day, slot, "attendees", message, ok=not error)
    if request.form.get("all_new"):
        added_all, error = _run(lambda: _add_all_new(series, meeting_day, actor, now))
        message = error or (
            f"{', '.join(p.name for p, _ in added_all)} attended (new people)."
            if added_all
            else "No new names in the notes' Attendees line."
        )
        return _panel(series, meeting_day, slot, "attendees", message, ok=not error)
    typed = request.form.get("name", "")
    confirmed = request.form.get("confirm") == "1"
    unknown = None if confirmed else live.unknown_name(typed)
    if unknown is not None:  # shown as a new person; created only once the scribe confirms
        if not wants_json():
            return render_template(
                "minutes/live/new_person.html", series=series, day=meeting_day, new_person=unknown
            )
        message = f"“{unknown}” matches no one: add them as a new person?"
        return _panel(
            series, meeting_day, slot, "attendees", message, extra={"new_person": unknown}
        )
    added, error = _run(
        lambda: live.add_attendee(
            _minutes_or_refuse(series, meeting_day), typed, actor, now, confirmed=confirmed
        )
    )
    if error:
        return _panel(series, meeting_day, slot, "attendees", error, ok=False)
    person, created = added
    note = " (a new person)" if created else ""
    return _panel(series, meeting_day, slot, "attendees", f"{person.name}{note} attended.")


def _add_all_new(series: Series, day: date, actor: audit.Actor, now: Any) -> list[Any]:
    """Every name of the notes' Attendees line that matches no one, added as a new person."""
    minutes = _minutes_or_refuse(series, day)
    names = new_people(shared_text(minutes))
    return [live.add_attendee(minutes, name, actor, now, confirmed=True) for name in names]


@bp.route("/meetings/<slug>/<day>/live/decisions", methods=["POST"])
@roles_required(*EDITORS)
def live_decisions(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = occurrence_or_404(slug, day)
    actor, now = audit.Actor.current(), clock.now()
    if request.form.get("remove", "").isdigit():
        position, text = int(request.form["remove"]), request.form.get("text", "")
        _value, error = _run(
            lambda: live.remove_decision(
                _minutes_or_refuse(series, meeting_day), position, text, actor, now
            )
        )
        message = error or "Decision removed (the minutes' history keeps it)."
        return _panel(series, meeting_day, slot, "decisions", message, ok=not error)
    text = request.form.get("text", "")
    _value, error = _run(
        lambda: live.add_decision(_minutes_or_refuse(series, meeting_day), text, actor, now)
    )
    return _panel(series, meeting_day, slot, "decisions", error or "Decision added.", ok=not error)


@bp.route("/meetings/<slug>/<day>/live/people")
@roles_required(*EDITORS)
def live_people(slug: str, day: str) -> ResponseReturnValue:
    """Matches for a typed attendee name: ``{"suggestions": [...], "match": label or null}``."""
    occurrence_or_404(slug, day)
    typed = request.args.get("q", "")[:200]
    person = live.match_person(typed) if typed.strip() else None
    return jsonify(
        suggestions=[
            {"label": s.label, "name": s.name, "handle": s.handle}
            for s in live.suggest_people(typed)
        ],
        match=live.Suggestion(person.name, person.handle).label if person else None,
    )


@bp.route("/meetings/<slug>/<day>/live/preview", methods=["POST"])
@roles_required(*EDITORS)
def live_preview(slug: str, day: str) -> ResponseReturnValue:
    """What the notes will become: JSON ``{"text"}`` (or a form field) in; the redrawn panel and
    the preview as data out. Writes nothing."""
    series, meeting_day, slot = occurrence_or_404(slug, day)
    body = request.get_json(silent=True) if request.is_json else None
    text = body.get("text") if isinstance(body, dict) else request.form.get("text")
    if not isinstance(text, str):
        return jsonify(error='send the notes as {"text": "..."}'), 400
    try:
        result = preview(series, meeting_day, text)
    except TooLong as exc:
        return jsonify(error=str(exc)), 413
    html = render_template(
        "minutes/live/_panel_preview.html", series=series, day=meeting_day, panel_preview=result
    )
    return jsonify(panel="live-preview", html=html, preview=result.as_json())
