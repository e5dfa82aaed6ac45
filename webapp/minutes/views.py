"""Pages: people, minutes (with editing, history and conflicts), follow-ups, reviews, agenda."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from wtforms.fields.choices import SelectChoice

from webapp import audit, clock, dates
from webapp.extensions import db
from webapp.markdown import render_inline, render_markdown
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import atom
from webapp.minutes import services as svc
from webapp.minutes.forms import AgendaItemForm, FollowUpForm, MinutesForm, PersonForm, ReviewForm
from webapp.models import AgendaItem, FollowUp, Person, Review, Series
from webapp.security import public, roles_required

bp = Blueprint("minutes", __name__)

EDITORS = ("organizer", "scribe")


def can_edit() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(*EDITORS))


def _now() -> datetime:
    return clock.now()


def _series(slug: str) -> Series:
    try:
        series = meetings.get_series(slug)
    except ScheduleError:
        abort(404)
    if not series.public and not can_edit():
        abort(404)
    return series


def _day(text: str) -> date:
    try:
        return dates.parse_day(text)  # the one spelling, inside the app's range
    except ValueError:
        abort(404)


def _occurrence(slug: str, day_text: str) -> tuple[Series, date, Any]:
    series, day = _series(slug), _day(day_text)
    try:
        slot = meetings.find_occurrence(series, day)
    except ScheduleError:
        abort(404, f"{day} is not a meeting date of {series.title}.")
    return series, day, slot


def meeting_url(series: Series, day: date | str) -> str:
    """The meeting's page: the meetings area's ``/meetings/SLUG/DATE`` when the app has one, else
    this area's agenda or minutes page."""
    day_text = day if isinstance(day, str) else day.isoformat()
    path = f"/meetings/{series.slug}/{day_text}"
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        minutes = svc.get_minutes(series, date.fromisoformat(day_text))
        if minutes is not None and (minutes.published or can_edit()):
            return url_for("minutes.minutes_page", slug=series.slug, day=day_text)
        return url_for("minutes.agenda_page", slug=series.slug, day=day_text)
    return path


def minutes_for(series: Series, day: date | str) -> svc.Meeting | None:
    """For ``templates/minutes/_meeting.html``: agenda, minutes and follow-ups of one meeting."""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            return None
    try:
        return svc.meeting(series, day, _now(), can_edit=can_edit())
    except ScheduleError:
        return None


def meeting_panel(series: Series, day: date, slot: Any) -> dict[str, Any]:
    """The meeting page's panel of this area: the agenda before the meeting, minutes after."""
    return {"series": series, "slot": slot, "occurrence_date": day, "on_meeting_page": True}


def local_start(series: Series, slot: Any) -> str:
    """A meeting's start in the series' own zone, e.g. "Thursday 07 February 2019, 16:00 America/New_York"."""
    local = slot.start.astimezone(ZoneInfo(series.timezone))
    return f"{local:%A %d %B %Y, %H:%M} {series.timezone}"


def template_helpers() -> dict[str, Any]:
    return {
        "local_start": local_start,
        "minutes_for": minutes_for,
        "minutes_url_for": svc.minutes_url_for,
        "meeting_url": meeting_url,
        "render_markdown": render_markdown,
        "render_inline": render_inline,
        "can_edit_minutes": can_edit,
    }


def _back(default: str) -> ResponseReturnValue:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return redirect(target)
    return redirect(default)


def _people_names() -> list[str]:
    return [p.name for p in svc.list_people()]


# --- meeting pages -------------------------------------------------------------------------


@bp.route("/meetings/<slug>/<day>/minutes")
@public
def minutes_page(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = _occurrence(slug, day)
    minutes = svc.get_minutes(series, meeting_day)
    if (minutes is None or not minutes.published) and not can_edit():
        abort(404, "These minutes are not published.")
    return render_template(
        "minutes/meeting_page.html",
        series=series,
        slot=slot,
        occurrence_date=meeting_day,
        meeting_mode="minutes",
        page_title=f"Minutes: {series.title}, {meeting_day}",
    )


@bp.route("/meetings/<slug>/<day>/agenda")
@public
def agenda_page(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = _occurrence(slug, day)
    return render_template(
        "minutes/meeting_page.html",
        series=series,
        slot=slot,
        occurrence_date=meeting_day,
        meeting_mode="agenda",
        page_title=f"Agenda: {series.title}, {meeting_day}",
        item_form=AgendaItemForm(),
    )


@bp.route("/meetings/<slug>/<day>/minutes/start", methods=["POST"])
@roles_required(*EDITORS)
def start(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, _slot = _occurrence(slug, day)
    svc.start_minutes(series, meeting_day, audit.Actor.current(), _now())
    db.session.commit()
    return redirect(url_for("minutes.edit", slug=slug, day=day))


@bp.route("/meetings/<slug>/<day>/minutes/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, slot = _occurrence(slug, day)
    minutes = svc.get_minutes(series, meeting_day)
    context: dict[str, Any] = {
        "series": series,
        "slot": slot,
        "day": meeting_day,
        "minutes": minutes,
        "people_names": _people_names(),
        "follow_up_form": FollowUpForm(formdata=None),
    }
    if minutes is None:
        return render_template("minutes/edit.html", form=None, **context)
    form = MinutesForm()
    status = 200
    if request.method == "GET":
        form.attendees.data = "\n".join(p.name for p in minutes.attendees)
        form.notes.data, form.decisions.data = minutes.notes, minutes.decisions
        form.state.data, form.version.data = minutes.state, minutes.version
    elif form.validate_on_submit():
        data = svc.MinutesInput(
            notes=form.notes.data or "",
            decisions=form.decisions.data or "",
            attendees=(form.attendees.data or "").splitlines(),
            state=form.state.data or "draft",
        )
        try:
            created = svc.save_minutes(
                minutes, int(form.version.data or 0), data, audit.Actor.current(), _now()
            )
        except svc.EditConflict:
            db.session.rollback()
            current = svc.get_minutes(series, meeting_day)
            assert current is not None  # noqa: S101 - minutes are never deleted
            context.update(
                minutes=current,
                conflict=current,
                conflict_diff=svc.text_diff(
                    current.notes, svc.clean_text(data.notes), "their notes", "your notes"
                ),
                conflict_attendees="\n".join(p.name for p in current.attendees),
            )
            # Saving again (after merging) replaces theirs: the form now names their version.
            form.version.data, form.version.raw_data = current.version, [str(current.version)]
            status = 409
        except svc.MinutesError as exc:
            db.session.rollback()
            form.state.errors.append(str(exc))
            status = 400
        else:
            db.session.commit()
            session["minutes_saved"] = minutes.id
            note = f" New people: {', '.join(p.name for p in created)}." if created else ""
            flash(f"Minutes saved (version {minutes.version}, {minutes.state}).{note}", "success")
            return redirect(url_for("minutes.edit", slug=slug, day=day))
    else:
        status = 400
    just_saved = session.pop("minutes_saved", None) == minutes.id
    return render_template("minutes/edit.html", form=form, just_saved=just_saved, **context), status


@bp.route("/meetings/<slug>/<day>/minutes/history")
@roles_required(*EDITORS)
def history(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, _slot = _occurrence(slug, day)
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


# --- follow-ups ----------------------------------------------------------------------------


@bp.route("/meetings/<slug>/<day>/follow-ups/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def follow_up_new(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, _slot = _occurrence(slug, day)
    form = FollowUpForm()
    if form.validate_on_submit():
        actor = audit.Actor.current()
        try:
            owner, _created = svc.person_for(form.owner.data or "", actor)
            svc.add_follow_up(
                series, meeting_day, owner, form.text.data or "", actor, due=form.due.data
            )
        except svc.MinutesError as exc:
            db.session.rollback()
            form.text.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Follow-up added for {owner.name}.", "success")
            return _back(url_for("minutes.edit", slug=slug, day=day))
    return render_template(
        "minutes/follow_up_form.html",
        form=form,
        series=series,
        day=meeting_day,
        people_names=_people_names(),
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
            day = date.fromisoformat(request.form["day"])
        except ValueError:
            abort(400, "The meeting date is not a date (YYYY-MM-DD).")
    try:
        svc.set_follow_up_state(item, state, series, day, audit.Actor.current())
    except (svc.MinutesError, ScheduleError) as exc:
        db.session.rollback()
        abort(400, str(exc))
    db.session.commit()
    flash(f"Follow-up “{item.text}” is {item.state}.", "success")
    return _back(url_for("minutes.series_follow_ups", slug=series.slug))


@bp.route("/series/<slug>/follow-ups")
@public
def series_follow_ups(slug: str) -> ResponseReturnValue:
    series = _series(slug)
    upcoming = meetings.next_occurrence(series, _now())
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


# --- people --------------------------------------------------------------------------------


@bp.route("/people/")
@public
def people() -> ResponseReturnValue:
    return render_template("minutes/people.html", people=svc.list_people())


@bp.route("/people/<int:person_id>")
@public
def person(person_id: int) -> ResponseReturnValue:
    who = db.get_or_404(Person, person_id)
    attended = svc.attendance_of(who, published_only=not can_edit())
    items = [f for f in svc.follow_ups_of(who) if can_edit() or f.raised_at.series.public]
    return render_template("minutes/person.html", person=who, attended=attended, follow_ups=items)


def _person_form(who: Person | None) -> ResponseReturnValue:
    form = PersonForm(obj=who)
    if form.validate_on_submit():
        actor = audit.Actor.current()
        aliases = (form.aliases.data or "").split(",")
        try:
            if who is None:
                who = svc.create_person(
                    form.name.data or "",
                    actor,
                    email=form.email.data or "",
                    affiliation=form.affiliation.data or "",
                    aliases=aliases,
                )
            else:
                svc.update_person(
                    who,
                    form.name.data or "",
                    actor,
                    email=form.email.data or "",
                    affiliation=form.affiliation.data or "",
                    aliases=aliases,
                )
        except svc.PersonError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{who.name} saved.", "success")
            return redirect(url_for("minutes.person", person_id=who.id))
    status = 400 if request.method == "POST" else 200
    return render_template("minutes/person_form.html", form=form, person=who), status


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def person_new() -> ResponseReturnValue:
    return _person_form(None)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def person_edit(person_id: int) -> ResponseReturnValue:
    return _person_form(db.get_or_404(Person, person_id))


# --- the review queue ----------------------------------------------------------------------


@bp.route("/series/<slug>/reviews")
@public
def reviews(slug: str) -> ResponseReturnValue:
    series = _series(slug)
    return render_template("minutes/reviews.html", series=series, tree=svc.review_tree(series))


def _review_form(series: Series, review: Review | None) -> ReviewForm:
    form = ReviewForm(obj=review) if review is not None else ReviewForm()
    others = [r for r in svc.reviews_of(series) if review is None or r.id != review.id]
    form.parent.choices = [SelectChoice(0, "— none (top of a stack or a single review) —")] + [
        SelectChoice(r.id, f"{r.title} ({r.url})") for r in others
    ]
    if review is not None and request.method == "GET":
        form.parent.data = review.parent_id or 0
        form.author.data = review.author.name if review.author else ""
    return form


def _author(name: str, actor: audit.Actor) -> Person | None:
    return svc.person_for(name, actor)[0] if name.strip() else None


@bp.route("/series/<slug>/reviews/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def review_new(slug: str) -> ResponseReturnValue:
    series = _series(slug)
    form = _review_form(series, None)
    upcoming = meetings.next_occurrence(series, _now())
    if request.method == "GET" and upcoming is not None:
        form.day.data = upcoming.original_date
    if form.validate_on_submit():
        actor = audit.Actor.current()
        parent = db.session.get(Review, form.parent.data) if form.parent.data else None
        day = form.day.data or (upcoming.original_date if upcoming else None)
        try:
            if day is None:
                raise svc.MinutesError("say for which meeting the review is listed")
            svc.add_review(
                series,
                day,
                form.url.data or "",
                form.title.data or "",
                actor,
                author=_author(form.author.data or "", actor),
                parent=parent,
                state=form.state.data or "open",
            )
        except (svc.MinutesError, ScheduleError) as exc:
            db.session.rollback()
            form.url.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Review added to the queue.", "success")
            return redirect(url_for("minutes.reviews", slug=slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "minutes/review_form.html",
        form=form,
        series=series,
        review=None,
        people_names=_people_names(),
    ), status


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def review_edit(review_id: int) -> ResponseReturnValue:
    review = db.get_or_404(Review, review_id)
    series = db.get_or_404(Series, review.series_id)
    form = _review_form(series, review)
    del form.url, form.day
    if form.validate_on_submit():
        actor = audit.Actor.current()
        parent = db.session.get(Review, form.parent.data) if form.parent.data else None
        try:
            svc.update_review(
                review,
                series,
                actor,
                title=form.title.data or "",
                state=form.state.data or "open",
                author=_author(form.author.data or "", actor),
                parent=parent,
            )
        except svc.MinutesError as exc:
            db.session.rollback()
            form.parent.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Review saved.", "success")
            return redirect(url_for("minutes.reviews", slug=series.slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "minutes/review_form.html",
        form=form,
        series=series,
        review=review,
        people_names=_people_names(),
    ), status


@bp.route("/reviews/<int:review_id>/move", methods=["POST"])
@roles_required(*EDITORS)
def review_move(review_id: int) -> ResponseReturnValue:
    review = db.get_or_404(Review, review_id)
    series = db.get_or_404(Series, review.series_id)
    try:
        svc.move_review(review, request.form.get("direction", ""), audit.Actor.current())
    except svc.MinutesError as exc:
        abort(400, str(exc))
    db.session.commit()
    return _back(url_for("minutes.reviews", slug=series.slug))


# --- agenda items --------------------------------------------------------------------------


@bp.route("/meetings/<slug>/<day>/agenda/items", methods=["POST"])
@roles_required("organizer")
def agenda_item_add(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, _slot = _occurrence(slug, day)
    form = AgendaItemForm()
    if not form.validate_on_submit():
        flash("An agenda item needs a text (at most 1000 characters).", "error")
    else:
        svc.add_agenda_item(series, meeting_day, form.text.data or "", audit.Actor.current())
        db.session.commit()
        flash("Agenda item added.", "success")
    return _back(url_for("minutes.agenda_page", slug=slug, day=day))


@bp.route("/agenda-items/<int:item_id>/delete", methods=["POST"])
@roles_required("organizer")
def agenda_item_delete(item_id: int) -> ResponseReturnValue:
    item = db.get_or_404(AgendaItem, item_id)
    svc.delete_agenda_item(item, audit.Actor.current())
    db.session.commit()
    flash("Agenda item removed.", "success")
    return _back(url_for("main.home"))


# --- feed ----------------------------------------------------------------------------------


@bp.route("/minutes.atom")
@public
def feed() -> ResponseReturnValue:
    base = str(current_app.config["CADENCE_BASE_URL"]).rstrip("/")
    body = atom.feed(svc.published_minutes(), base)
    return Response(body, mimetype="application/atom+xml")
