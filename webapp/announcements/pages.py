"""The series' announcements as its organizers set them: ``/organize/series/SLUG/announcements``.

List addresses, hours before, extra zones and on/off (validated by the same service as
``flask series announcements``); the agenda, change and minutes templates (shared by every
series, edited on the mail-template pages with their sandbox and save check); a preview of the
next agenda mail; and "Send a test to me", which queues that preview to the signed-in organizer
through the outbox. Each POST commits once (``webapp.transaction``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp import audit, clock, mail
from webapp.announcements import preview as previews
from webapp.announcements import settings as announcement_settings
from webapp.announcements.forms import AnnouncementsForm, TestMailForm
from webapp.edit_forms import edit_form
from webapp.meetings import services
from webapp.meetings.forms import as_sentence
from webapp.meetings.schedule import ScheduleError
from webapp.models import Series
from webapp.models.announcements import DEFAULT_HOURS_BEFORE
from webapp.security import roles_required
from webapp.transaction import commit_or_show

bp = Blueprint("announcements", __name__, url_prefix="/organize/series")

TEMPLATES = ("announce_agenda", "announce_change", "announce_minutes")


def _series(slug: str) -> Series:
    try:
        return services.get_series(slug)
    except ScheduleError:
        abort(404, f"There is no meeting series called “{slug}”.")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@bp.route("/<slug>/announcements", methods=["GET", "POST"])
@roles_required("organizer")
def settings(slug: str) -> ResponseReturnValue:
    series = _series(slug)
    row = announcement_settings.settings_of(series)
    form = edit_form(
        AnnouncementsForm,
        {
            "enabled": bool(row and row.enabled and row.address_list),
            "addresses": "\n".join(row.address_list) if row else "",
            "hours_before": row.hours_before if row else DEFAULT_HOURS_BEFORE,
            "zones": "\n".join(row.zone_list) if row else "",
        },
    )
    status = 200
    if form.validate_on_submit():
        refused: list[announcement_settings.SettingsInvalid] = []

        def change() -> object:
            try:
                return announcement_settings.replace(
                    series,
                    audit.Actor.current(),
                    to=_lines(form.addresses.data),
                    before=int(form.hours_before.data or 0),
                    zones=_lines(form.zones.data),
                    enabled=bool(form.enabled.data),
                )
            except announcement_settings.SettingsInvalid as exc:
                refused.append(exc)
                raise

        outcome = commit_or_show(
            change, form=form, refused=(announcement_settings.SettingsInvalid,)
        )
        if outcome.ok:
            described = announcement_settings.describe(outcome.value)  # type: ignore[arg-type]
            flash(f"Announcements: {described}.", "success")
            return redirect(url_for("announcements.settings", slug=slug))
        if refused:  # beside the field it is about, a sentence
            form.form_errors.remove(str(refused[0]))
            message = as_sentence(str(refused[0]))
            if refused[0].field in form:
                field = form[refused[0].field]
                field.errors = [*field.errors, message]  # type: ignore[misc]
            else:
                form.form_errors.append(message)
        status = 400
    elif form.is_submitted():
        status = 400
    # Rendered in the sandbox's child, under the same budget as every other preview.
    shown = previews.next_agenda(series, clock.now())
    return render_template(
        "announcements/settings.html",
        series=series,
        form=form,
        row=row,
        described=announcement_settings.describe(row),
        preview=shown,
        test_form=TestMailForm(),
        templates=[(name, mail.DEFAULTS[name]) for name in TEMPLATES],
    ), status


@bp.route("/<slug>/announcements/test", methods=["POST"])
@roles_required("organizer")
def send_test(slug: str) -> ResponseReturnValue:
    series = _series(slug)
    if not TestMailForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    back = redirect(url_for("announcements.settings", slug=slug))
    now = clock.now()
    shown = previews.next_agenda(series, now)
    if shown is None:
        flash("There is no meeting ahead to preview, so there is nothing to send.", "error")
        return back
    if shown.error:
        flash(f"The agenda template does not render: {shown.error}", "error")
        return back
    to = current_user.email
    if commit_or_show(lambda: previews.send_test(series, shown, to, audit.Actor.current(), now)).ok:
        flash(
            f"A test of the agenda mail of {shown.slot.original_date} is queued to {to}, and "
            "only to you; it goes out within seconds.",
            "success",
        )
    return back
