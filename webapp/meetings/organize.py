"""Organizer pages: create and edit series, cancel, restore, move, add and retime meetings.

Each POST validates its form, calls one service function, and commits once; a ScheduleError
rolls back and becomes an error beside the field it is about (never a 500).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from webapp import audit, clock, dates, settings
from webapp.edit_forms import edit_form
from webapp.meetings import forms, schedule, services
from webapp.meetings.pages import series_start
from webapp.meetings.schedule import ScheduleError, Slot
from webapp.models import Series
from webapp.security import roles_required
from webapp.transaction import commit_or_show

bp = Blueprint("organize_series", __name__, url_prefix="/organize/series")

ORGANIZERS = ("organizer",)


def _series(slug: str) -> Series:
    try:
        return services.get_series(slug)
    except ScheduleError:
        abort(404, f"There is no meeting series called “{slug}”.")


def _slot(series: Series, day: str) -> tuple[date, Slot]:
    try:
        when = dates.parse_day(day)
        return when, services.find_occurrence(series, when)
    except ValueError as exc:  # ScheduleError is a ValueError
        abort(404, f"No meeting of {series.title} on “{day}”: {exc}")


def _apply(form: FlaskForm, change: Callable[[], Any]) -> bool:
    """Run a service change through ``commit_or_show``; a refusal goes beside its field."""
    refused: list[ScheduleError] = []

    def run() -> Any:
        try:
            return change()
        except ScheduleError as exc:
            refused.append(exc)
            raise

    outcome = commit_or_show(run, form=form, refused=(ScheduleError,))
    if refused:  # commit_or_show put it on the form; the service's error names its field
        form.form_errors.remove(str(refused[0]))
        forms.place_error(form, refused[0])
    return outcome.ok


def _minutes(slot: Slot) -> int:
    return int(slot.duration.total_seconds() // 60)


@bp.route("/")
@roles_required(*ORGANIZERS)
def index() -> ResponseReturnValue:
    now = clock.now()
    rows = [
        (s, services.describe_schedule(s), services.next_occurrence(s, now))
        for s in services.list_series()
    ]
    return render_template("meetings/organize/index.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ORGANIZERS)
def create() -> ResponseReturnValue:
    form = forms.SeriesForm()
    if not form.is_submitted():
        form.duration.data = 60
        form.timezone.data = settings.current().default_timezone
    if form.validate_on_submit():
        details = services.SeriesDetails(
            title=form.title.data or "",
            description=form.description.data or "",
            join_url=form.join_url.data or "",
            place=form.place.data or "",
            agenda_template=form.agenda_template.data or "",
            public=bool(form.public.data),
        )
        slug = (form.slug.data or "").strip()
        if _apply(
            form,
            lambda: services.create_series(
                slug,
                details,
                (form.timezone.data or "").strip(),
                form.first_date.data,
                form.start_time.data,
                form.duration.data,
                audit.Actor.current(),
                interval_weeks=int(form.interval.data),
                until=form.until.data,
            ),
        ):
            flash(f"Series {slug} created.", "success")
            return redirect(url_for("organize_series.manage", slug=slug))
    return render_template(
        "meetings/organize/form.html", form=form, series=None, heading="New series"
    )


@bp.route("/<slug>/")
@roles_required(*ORGANIZERS)
def manage(slug: str) -> ResponseReturnValue:
    series = _series(slug)
    now = clock.now()
    tz = schedule.zone(series.timezone)
    upcoming = services.occurrences(series, now, now + timedelta(weeks=26))
    recent = [
        s
        for s in services.occurrences(
            series, max(series_start(series), now - timedelta(weeks=8)), now
        )
        if s.end <= now
    ]
    return render_template(
        "meetings/organize/manage.html",
        series=series,
        upcoming=upcoming,
        recent=recent,
        schedule_words=services.describe_schedule(series),
        tz=tz,
        csrf_form=FlaskForm(),
        local=lambda when: when.astimezone(tz),
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@roles_required(*ORGANIZERS)
def edit(slug: str) -> ResponseReturnValue:
    series = _series(slug)
    form = edit_form(
        forms.EditForm,
        {
            "title": series.title,
            "description": series.description,
            "join_url": series.join_url,
            "place": series.place,
            "agenda_template": series.agenda_template,
            "public": series.public,
            "until": series.until,
        },
    )
    if form.validate_on_submit():
        details = services.SeriesDetails(
            title=form.title.data or "",
            description=form.description.data or "",
            join_url=form.join_url.data or "",
            place=form.place.data or "",
            agenda_template=form.agenda_template.data or "",
            public=bool(form.public.data),
        )

        def change() -> None:
            services.update_details(series, details, audit.Actor.current())
            if form.until.data != series.until:
                services.set_until(series, form.until.data, audit.Actor.current())

        if _apply(form, change):
            flash("Series saved.", "success")
            return redirect(url_for("organize_series.manage", slug=slug))
    return render_template(
        "meetings/organize/form.html", form=form, series=series, heading=f"Edit {series.title}"
    )


@bp.route("/<slug>/<day>/cancel", methods=["GET", "POST"])
@roles_required(*ORGANIZERS)
def cancel(slug: str, day: str) -> ResponseReturnValue:
    series = _series(slug)
    when, slot = _slot(series, day)
    if slot.cancelled:  # cancelled already: say so, and offer to restore it instead
        return render_template(
            "meetings/organize/occurrence.html",
            form=FlaskForm(),
            series=series,
            slot=slot,
            when=when,
            cancelled=True,
            heading=f"The meeting of {when} is cancelled",
        )
    form = forms.CancelForm()
    if form.validate_on_submit() and _apply(
        form,
        lambda: services.cancel(series, when, audit.Actor.current(), reason=form.reason.data or ""),
    ):
        flash(f"The meeting of {when} is cancelled.", "success")
        return redirect(url_for("organize_series.manage", slug=slug))
    return render_template(
        "meetings/organize/occurrence.html",
        form=form,
        series=series,
        slot=slot,
        action="Cancel meeting",
        heading=f"Cancel the meeting of {when}",
    )


@bp.route("/<slug>/<day>/restore", methods=["POST"])
@roles_required(*ORGANIZERS)
def restore(slug: str, day: str) -> ResponseReturnValue:
    series = _series(slug)
    when, _slot_ = _slot(series, day)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(
            400, "The form's security token is missing or expired; reload the page and try again."
        )
    if _apply(form, lambda: services.restore(series, when, audit.Actor.current())):
        flash(f"The meeting of {when} is restored.", "success")
    else:
        flash(" ".join(form.form_errors), "error")
    return redirect(url_for("organize_series.manage", slug=slug))


@bp.route("/<slug>/<day>/move", methods=["GET", "POST"])
@roles_required(*ORGANIZERS)
def move(slug: str, day: str) -> ResponseReturnValue:
    series = _series(slug)
    when, slot = _slot(series, day)
    form = forms.MoveForm()
    if not form.is_submitted():
        local_start: datetime = slot.start.astimezone(schedule.zone(series.timezone))
        form.new_date.data, form.new_time.data = local_start.date(), local_start.time()
        form.duration.data = _minutes(slot)
    if form.validate_on_submit() and _apply(
        form,
        lambda: services.move(
            series,
            when,
            form.new_date.data,
            form.new_time.data,
            audit.Actor.current(),
            duration_minutes=form.duration.data,
        ),
    ):
        flash(f"The meeting of {when} is moved.", "success")
        return redirect(url_for("organize_series.manage", slug=slug))
    return render_template(
        "meetings/organize/occurrence.html",
        form=form,
        series=series,
        slot=slot,
        action="Move meeting",
        heading=f"Move the meeting of {when}",
    )


@bp.route("/<slug>/add", methods=["GET", "POST"])
@roles_required(*ORGANIZERS)
def add(slug: str) -> ResponseReturnValue:
    series = _series(slug)
    form = forms.ExtraForm()
    if not form.is_submitted():
        form.start_time.data = series.current_rule.start_time
        form.duration.data = series.current_rule.duration_minutes
    if form.validate_on_submit() and _apply(
        form,
        lambda: services.add_extra(
            series,
            form.day.data,
            form.start_time.data,
            audit.Actor.current(),
            duration_minutes=form.duration.data,
            title=form.title.data or "",
        ),
    ):
        flash(f"Extra meeting on {form.day.data} added.", "success")
        return redirect(url_for("organize_series.manage", slug=slug))
    return render_template(
        "meetings/organize/occurrence.html",
        form=form,
        series=series,
        slot=None,
        action="Add meeting",
        heading=f"Add an extra meeting to {series.title}",
    )


@bp.route("/<slug>/retime", methods=["GET", "POST"])
@roles_required(*ORGANIZERS)
def retime(slug: str) -> ResponseReturnValue:
    series = _series(slug)
    form = forms.RetimeForm()
    rule = series.current_rule
    if not form.is_submitted():
        form.start_time.data = rule.start_time
        form.duration.data = rule.duration_minutes
        form.interval.data = str(rule.interval_weeks)
    if form.validate_on_submit() and _apply(
        form,
        lambda: services.retime(
            series,
            form.from_date.data,
            form.first_date.data,
            form.start_time.data,
            audit.Actor.current(),
            duration_minutes=form.duration.data,
            interval_weeks=int(form.interval.data),
            now=clock.now(),
        ),
    ):
        flash(f"New schedule: {services.describe_schedule(series)}.", "success")
        return redirect(url_for("organize_series.manage", slug=slug))
    return render_template(
        "meetings/organize/occurrence.html",
        form=form,
        series=series,
        slot=None,
        action="Change schedule",
        heading=f"Change the schedule of {series.title} for good",
        schedule_words=services.describe_schedule(series),
    )
