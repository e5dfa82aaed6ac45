"""Starting and editing minutes, with the conflict page when someone saved first."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from webapp import audit, clock
from webapp.edit_forms import edit_form
from webapp.live import formsync
from webapp.minutes import services as svc
from webapp.minutes.forms import FollowUpForm, MinutesForm
from webapp.minutes.grammar import read_attendees
from webapp.minutes.views.helpers import EDITORS, bp, occurrence_or_404, people_names
from webapp.models import Minutes, Series
from webapp.security import roles_required
from webapp.transaction import commit_or_show


@bp.route("/meetings/<slug>/<day>/minutes/start", methods=["POST"])
@roles_required(*EDITORS)
def start(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, _slot = occurrence_or_404(slug, day)
    commit_or_show(
        lambda: svc.start_minutes(series, meeting_day, audit.Actor.current(), clock.now())
    )
    return redirect(url_for("minutes.edit", slug=slug, day=day))


def _input(form: MinutesForm) -> svc.MinutesInput:
    """The form as the services take it; the attendee box is read by the attendee grammar
    (``Name @handle (role)`` lines, ``Guests:`` and ``Absent:`` groups)."""
    present, absent, _problems = read_attendees(form.attendees.data or "")
    return svc.MinutesInput(
        notes=form.notes.data or "",
        decisions=form.decisions.data or "",
        attendees=present,
        state=form.state.data or "draft",
        absent=absent,
    )


def _conflict(
    series: Series, day: date, form: MinutesForm, data: svc.MinutesInput
) -> dict[str, Any]:
    """The conflict page's context: their version beside the text the editor typed."""
    current = svc.get_minutes(series, day)
    assert current is not None  # noqa: S101 - minutes are never deleted
    # Saving again (after merging) replaces theirs: the form now names their version.
    form.version.data, form.version.raw_data = current.version, [str(current.version)]
    return {
        "minutes": current,
        "conflict": current,
        "conflict_diff": svc.text_diff(
            current.notes, svc.clean_text(data.notes), "their notes", "your notes"
        ),
        "conflict_attendees": svc.attendee_text(current),
    }


def _new_people_note(created: list[Any], shown: int = 10) -> str:
    """ " New people: A, B and 2,498 more." (the flash lives in the session cookie)."""
    if not created:
        return ""
    names = ", ".join(p.name for p in created[:shown])
    more = f" and {len(created) - shown:,} more" if len(created) > shown else ""
    return f" New people: {names}{more}."


def _stored(minutes: Minutes) -> dict[str, Any]:
    """The editor as stored (see ``webapp.edit_forms``)."""
    return {
        "attendees": svc.attendee_text(minutes),
        "notes": minutes.notes,
        "decisions": minutes.decisions,
        "state": minutes.state,
        "version": minutes.version,
    }


@bp.route("/meetings/<slug>/<day>/minutes/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = occurrence_or_404(slug, day)
    minutes = svc.get_minutes(series, meeting_day)
    context: dict[str, Any] = {
        "series": series,
        "slot": slot,
        "day": meeting_day,
        "minutes": minutes,
        "people_names": people_names(),
        "follow_up_form": FollowUpForm(formdata=None),
    }
    if minutes is None:
        return render_template("minutes/edit.html", form=None, **context)
    form = edit_form(MinutesForm, _stored(minutes))
    status = 200
    live_base = request.form.get(formsync.FIELD)
    if request.method == "GET":
        shared = formsync.form_state(minutes)  # the call page's notes, when it has been opened
        if shared is not None:
            form.notes.data, live_base = shared
    if request.method == "POST" and not form.validate_on_submit():
        status = 400
    elif request.method == "POST":
        data = _input(form)
        conflicts: list[svc.EditConflict] = []
        report = svc.SyncReport()

        def change() -> list[Any]:
            actor, seen = audit.Actor.current(), int(form.version.data or 0)
            merged = formsync.merge(minutes, data.notes, live_base, actor)
            if merged is not None:  # merged with the live typing: no conflict on the notes
                data.notes, seen = merged, minutes.version
            try:
                return svc.save_minutes(minutes, seen, data, actor, clock.now(), report=report)
            except svc.EditConflict as exc:
                conflicts.append(exc)
                raise

        outcome = commit_or_show(change, form=form, field="state", refused=(svc.MinutesError,))
        if outcome.ok:
            session["minutes_saved"] = minutes.id
            note = _new_people_note(outcome.value or [])
            if report.changed:
                note += f" {report.text().capitalize()}."
            flash(f"Minutes saved (version {minutes.version}, {minutes.state}).{note}", "success")
            return redirect(url_for("minutes.edit", slug=slug, day=day))
        status = 400
        if conflicts:  # the conflict page explains itself: no error beside the state field
            form.state.errors = [e for e in form.state.errors if e != outcome.error]
            context.update(_conflict(series, meeting_day, form, data))
            status = 409
    just_saved = session.pop("minutes_saved", None) == minutes.id
    context["live_base"] = live_base
    return render_template("minutes/edit.html", form=form, just_saved=just_saved, **context), status
