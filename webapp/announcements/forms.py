"""The organizer page's forms: the series' announcement settings, and "Send a test to me"."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from webapp.announcements.settings import MAX_ADDRESSES, MAX_ZONES
from webapp.models.announcements import MAX_HOURS_BEFORE


class AnnouncementsForm(FlaskForm):
    enabled = BooleanField("Announce to the list")
    addresses = TextAreaField(
        "List addresses",
        validators=[Length(max=20 * 260)],
        description=f"One address a line, at most {MAX_ADDRESSES}.",
        render_kw={"rows": 3},
    )
    hours_before = IntegerField(
        "Agenda mail, hours before the meeting",
        validators=[InputRequired(), NumberRange(min=1, max=MAX_HOURS_BEFORE)],
        description=f"1 to {MAX_HOURS_BEFORE}.",
    )
    zones = TextAreaField(
        "Extra time zones",
        validators=[Length(max=MAX_ZONES * 80)],
        description=(
            f"IANA names such as Europe/Amsterdam, one a line, at most {MAX_ZONES}; shown beside "
            "the series' own zone and UTC."
        ),
        render_kw={"rows": 3},
    )


class TestMailForm(FlaskForm):
    """Only the CSRF token: the button queues the preview to the signed-in organizer."""
