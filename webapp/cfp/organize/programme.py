"""The working programme: placing confirmed talks in rooms and times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from webapp import audit, clock
from webapp.cfp import services
from webapp.cfp.forms import ButtonForm, PlaceForm, ReleaseForm
from webapp.cfp.organize.blueprint import (
    bp,
    button_form_or_400,
    conference_or_404,
    submission_or_404,
)
from webapp.models import Conference, Room, Submission
from webapp.security import roles_required
from webapp.transaction import commit_or_show


@bp.route("/conferences/<slug>/programme")
@roles_required("organizer")
def programme(slug: str) -> ResponseReturnValue:
    """The working programme; ``?talk=CODE&…`` shows a refused placement beside its talk."""
    conference = conference_or_404(slug)
    forms: dict[int, PlaceForm] = {}
    code = request.args.get("talk", "")
    if code:
        talk = submission_or_404(conference, code[:12])
        forms[talk.id] = _refused_form(conference, talk)
    return _programme_page(conference, forms, undo=_undo_offer(conference))


def _undo_offer(conference: Conference) -> dict[str, Any] | None:
    """``?undo=CODE&was_…``: after a placement, a button that puts the talk back (no JS)."""
    args = request.args
    code = args.get("undo", "")[:12]
    talk = next((t for t in services.confirmed_talks(conference) if t.code == code), None)
    if talk is None:
        return None
    if args.get("was") == "out":
        return {"code": code, "where": "out of the programme", "fields": {"unplace": "1"}}
    try:
        start = services.parse_slot(args.get("was_day", ""), args.get("was_start", ""))
    except services.CfpError:
        return None
    room = next((r for r in conference.rooms if str(r.id) == args.get("was_room")), None)
    if room is None:
        return None
    p = f"t{talk.id}-"
    return {
        "code": code,
        "where": f"back to {room.name}, {start:%a %d %b %H:%M}",
        "fields": {
            p + "room": str(room.id),
            p + "day": f"{start:%Y-%m-%d}",
            p + "start": f"{start:%H:%M}",
        },
    }


def _undo_args(conference: Conference, talk: Submission) -> dict[str, Any]:
    was = services.slot_of(conference, talk, talk.code)
    if "unplace" in was:
        return {"undo": talk.code, "was": "out"}
    return {
        "undo": talk.code,
        "was_room": was["room"],
        "was_day": was["day"],
        "was_start": was["start"],
    }


def _refused_form(conference: Conference, talk: Submission) -> PlaceForm:
    """The form as the organizer sent it, with the refusal recomputed beside it (no write)."""
    form = _place_form(conference, talk, formdata=request.args, csrf=False)
    if form.validate():
        try:
            _check(conference, talk, form)
        except services.CfpError as exc:
            form.start.errors = [*form.start.errors, str(exc)]
    return form


def _room(conference: Conference, form: PlaceForm) -> Room:
    room = next((r for r in conference.rooms if r.id == form.room.data), None)
    if room is None:
        raise services.CfpError("Choose a room.")
    return room


def _check(conference: Conference, talk: Submission, form: PlaceForm) -> None:
    start = datetime.combine(form.day.data, form.start.data)  # type: ignore[arg-type]
    services.check_talk_slot(talk, _room(conference, form), start)


def _place_form(
    conference: Conference, talk: Submission, formdata: Any = None, csrf: bool = True
) -> PlaceForm:
    kwargs: dict[str, Any] = {"prefix": f"t{talk.id}"}
    if not csrf:
        kwargs["meta"] = {"csrf": False}
    if talk.starts_at is not None and formdata is None:
        local = conference.local(talk.starts_at)
        kwargs.update(room=talk.room_id, day=local.date(), start=local.time())
    elif formdata is None:
        kwargs.update(day=conference.starts_on)
    form = PlaceForm(formdata=formdata, **kwargs)
    form.room.choices = [SelectChoice(r.id, r.name) for r in conference.rooms]
    return form


def _programme_page(
    conference: Conference,
    forms: dict[int, PlaceForm],
    status: int = 200,
    release_form: ReleaseForm | None = None,
    undo: dict[str, Any] | None = None,
) -> Any:
    talks = services.confirmed_talks(conference)
    for t in talks:
        forms.setdefault(t.id, _place_form(conference, t))
    return render_template(
        "cfp/organize/programme.html",
        conference=conference,
        talks=talks,
        blocks=services.blocks_of(conference),
        conflicts=services.conflicts_of(conference),
        days=services.conference_days(conference),
        forms=forms,
        undo=undo,
        button=ButtonForm(),
        release_form=release_form or ReleaseForm(formdata=None),
        releases=services.releases(conference, limit=5),
    ), status


def _place(conference: Conference, talk: Submission, form: PlaceForm) -> list[services.Conflict]:
    return services.place_talk(
        talk,
        _room(conference, form),
        datetime.combine(form.day.data, form.start.data),  # type: ignore[arg-type]
        audit.Actor.current(),
        clock.now(),
    )


@bp.route("/conferences/<slug>/programme/<code>", methods=["POST"])
@roles_required("organizer")
def place(slug: str, code: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    talk = submission_or_404(conference, code)
    if request.form.get("unplace"):
        button_form_or_400()
        undo = _undo_args(conference, talk)
        outcome = commit_or_show(
            lambda: services.unplace_talk(talk, audit.Actor.current(), clock.now())
        )
        if outcome.ok:
            flash(f"“{talk.title}” is out of the programme.", "success")
            return redirect(
                url_for("organize.programme", slug=slug, _anchor=f"talk-{code}", **undo)
            )
        return redirect(url_for("organize.programme", slug=slug))
    form = _place_form(conference, talk, formdata=request.form)
    if form.validate():
        undo = _undo_args(conference, talk)
        placed = commit_or_show(
            lambda: _place(conference, talk, form),
            form=form,
            field="start",
            refused=(services.CfpError,),
        )
        if placed.value is not None:
            flash(f"“{talk.title}” placed.", "success")
            for warning in placed.value:
                flash(warning.message, "warning")
            back = url_for("organize.programme", slug=slug, _anchor=f"talk-{code}", **undo)
            return redirect(back)
    elif getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
        return _programme_page(conference, {talk.id: form}, 400)
    # Back to the programme page, at the talk, with what was typed and the reason beside it.
    sent: dict[str, Any] = {k: v for k, v in request.form.items() if k.startswith(f"t{talk.id}-")}
    sent.pop(f"t{talk.id}-csrf_token", None)
    return redirect(
        url_for("organize.programme", slug=slug, talk=code, _anchor=f"talk-{code}", **sent), 303
    )


@bp.route("/conferences/<slug>/programme/release", methods=["POST"])
@roles_required("organizer")
def release(slug: str) -> ResponseReturnValue:
    """Publish the working programme as the next version."""
    conference = conference_or_404(slug)
    form = ReleaseForm()
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: services.release(
                conference, form.note.data or "", audit.Actor.current(), clock.now()
            ),
            form=form,
            field="note",
            refused=(services.CfpError,),
        )
        if outcome.value is not None:
            flash(
                f"Programme {outcome.value.label} released: "
                f"{len(outcome.value.changes)} change(s).",
                "success",
            )
            return redirect(url_for("organize.programme", slug=slug))
    return _programme_page(conference, {}, 409, release_form=form)
