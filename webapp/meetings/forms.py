"""Organizer forms. They check shapes; the services check meaning, and their ScheduleErrors are
put beside the field they are about (``place_error``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from webapp.meetings import schedule
from webapp.meetings.schedule import ScheduleError

INTERVAL_CHOICES = [
    SelectChoice("1", "Every week"),
    SelectChoice("2", "Every other week"),
    SelectChoice("4", "Every fourth week"),
]

_duration = IntegerField(
    "Duration (minutes)",
    validators=[DataRequired(), NumberRange(min=1, max=1440)],
)


class DetailsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=20000)],
        description="Markdown. Shown on the series page and in calendar entries (as plain text).",
    )
    join_url = StringField(
        "Join URL",
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
        description="Where people join the call (video or audio link).",
    )
    place = StringField(
        "Place",
        validators=[Optional(), Length(max=200)],
        description="If it happens somewhere too.",
    )
    agenda_template = TextAreaField(
        "Agenda template",
        validators=[Optional(), Length(max=20000)],
        description="Markdown; each meeting page shows it as the standing agenda.",
    )
    public = BooleanField("Public (listed on the home page, with a calendar feed)", default=True)


class SeriesForm(DetailsForm):
    slug = StringField(
        "Short name (slug)",
        validators=[DataRequired(), Length(max=60)],
        description="Lower-case letters, digits and dashes; part of every address, e.g. bhyve.",
    )
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=64)],
        description="IANA name, for example America/New_York, Europe/Bucharest, Asia/Kolkata.",
    )
    first_date = DateField("First meeting (date)", validators=[DataRequired()])
    start_time = TimeField(
        "Start time (local)", validators=[DataRequired()], description="In the series' time zone."
    )
    duration = _duration
    interval = SelectField("How often", choices=INTERVAL_CHOICES, default="2")
    until = DateField("Last date (optional)", validators=[Optional()])


class EditForm(DetailsForm):
    until = DateField(
        "Last date (optional)",
        validators=[Optional()],
        description="No meetings after this date. Empty: no end.",
    )


class CancelForm(FlaskForm):
    reason = StringField(
        "Reason",
        validators=[Optional(), Length(max=500)],
        description="Shown to everyone next to the cancelled meeting.",
    )


class MoveForm(FlaskForm):
    new_date = DateField("New date", validators=[DataRequired()])
    new_time = TimeField("New start time (local)", validators=[DataRequired()])
    duration = IntegerField(
        "Duration (minutes)", validators=[DataRequired(), NumberRange(min=1, max=1440)]
    )


class ExtraForm(FlaskForm):
    day = DateField("Date", validators=[DataRequired()])
    start_time = TimeField("Start time (local)", validators=[DataRequired()])
    duration = IntegerField(
        "Duration (minutes)", validators=[DataRequired(), NumberRange(min=1, max=1440)]
    )
    title = StringField(
        "Title (optional)",
        validators=[Optional(), Length(max=200)],
        description="What this extra meeting is about.",
    )


class RetimeForm(FlaskForm):
    from_date = DateField(
        "From date",
        validators=[DataRequired()],
        description="Meetings of the current schedule on or after this date are replaced.",
    )
    first_date = DateField("First meeting of the new schedule", validators=[DataRequired()])
    start_time = TimeField("New start time (local)", validators=[DataRequired()])
    duration = IntegerField(
        "Duration (minutes)", validators=[DataRequired(), NumberRange(min=1, max=1440)]
    )
    interval = SelectField("How often", choices=INTERVAL_CHOICES)


# Which field a service error is about: by its class, else by how its message begins.
_BY_CLASS: dict[type, tuple[str, ...]] = {
    schedule.UnknownTimeZone: ("timezone",),
    schedule.NonexistentLocalTime: ("start_time", "new_time"),
    schedule.AmbiguousLocalTime: ("start_time", "new_time"),
    schedule.OccurrenceClash: ("new_date", "day", "first_date"),
}
_BY_PREFIX: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("slug", ("slug",)),
    ("there is already a series", ("slug",)),
    ("a series needs a title", ("title",)),
    ("duration", ("duration",)),
    ("every", ("interval",)),
    ("the last date", ("until",)),
    ("the series ends", ("first_date",)),
    ("the new first meeting", ("first_date",)),
    ("--from", ("from_date",)),
    ("the current schedule has no meeting", ("from_date",)),
    ("the meeting of", ("from_date",)),
    ("the extra meeting", ("first_date",)),
    ("the reason", ("reason",)),
    ("the title", ("title",)),
    ("the join URL", ("join_url",)),
    ("the place", ("place",)),
    ("the description", ("description",)),
    ("the agenda template", ("agenda_template",)),
)


def place_error(form: FlaskForm, exc: ScheduleError) -> None:
    """Put ``exc``'s message beside the field it is about, or above the form."""
    message = str(exc)
    candidates: tuple[str, ...] = ()
    for cls, names in _BY_CLASS.items():
        if isinstance(exc, cls):
            candidates = names
            break
    if not candidates:
        candidates = next((names for prefix, names in _BY_PREFIX if message.startswith(prefix)), ())
    message = as_sentence(message)
    for name in candidates:
        if name in form:
            field = form[name]
            field.errors = [*field.errors, message]  # type: ignore[misc]
            return
    form.form_errors.append(message)


def as_sentence(message: str) -> str:
    """A service's message as shown on a page: a sentence, with a capital letter first (the
    services write "the meeting of … is already cancelled", fit for the CLI's "error: …")."""
    return message[:1].upper() + message[1:]
