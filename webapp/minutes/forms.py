from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

STATE_CHOICES = [
    SelectChoice("draft", "Draft (only scribes and organizers see it)"),
    SelectChoice("published", "Published"),
]
REVIEW_STATE_CHOICES = [
    SelectChoice("open", "Open"),
    SelectChoice("landed", "Landed"),
    SelectChoice("abandoned", "Abandoned"),
]


class MinutesForm(FlaskForm):
    attendees = TextAreaField(
        "Attendees",
        description=(
            "One person per line: Name, Name @handle, Name @handle (role), Name - affiliation. "
            "Group lines such as Guests: or Absent: start a group. New names become people."
        ),
        validators=[Length(max=20_000)],
        render_kw={"rows": 6},
    )
    notes = TextAreaField(
        "Notes",
        description="Markdown. D12345 and Bug 229852 link themselves.",
        validators=[Length(max=500_000)],
        render_kw={"rows": 20},
    )
    decisions = TextAreaField(
        "Decisions",
        description="One decision per line.",
        validators=[Length(max=50_000)],
        render_kw={"rows": 3},
    )
    state = SelectField("State", choices=STATE_CHOICES)
    version = IntegerField(
        validators=[DataRequired(), NumberRange(min=1)], widget=HiddenField.widget
    )


class FollowUpForm(FlaskForm):
    owner = StringField(
        "Owner",
        validators=[DataRequired(), Length(max=120)],
        description="A person's name or alias.",
        render_kw={"list": "people-names", "autocomplete": "off"},
    )
    text = StringField("What", validators=[DataRequired(), Length(max=1000)])
    due = DateField(
        "Due", validators=[Optional()], description="Optional: a date or the meeting it is due at."
    )


class PersonForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    handle = StringField(
        "Handle",
        validators=[Optional(), Length(max=60)],
        description="The short name the notes use, e.g. jhb (written jhb@ or (jhb) in minutes).",
    )
    email = StringField(
        "Email",
        validators=[Optional(), Email(), Length(max=254)],
        description="Never shown publicly.",
    )
    affiliation = StringField("Affiliation", validators=[Optional(), Length(max=200)])
    aliases = StringField(
        "Aliases",
        validators=[Optional(), Length(max=500)],
        description="Other names the notes use, comma-separated (e.g. a first name).",
    )


class ReviewForm(FlaskForm):
    url = StringField(
        "Link",
        validators=[DataRequired(), Length(max=500)],
        description="e.g. https://reviews.freebsd.org/D12345",
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    author = StringField(
        "Author",
        validators=[Optional(), Length(max=120)],
        render_kw={"list": "people-names", "autocomplete": "off"},
    )
    parent = SelectField("Stacked on", coerce=int, description="The parent review, for a stack.")
    state = SelectField("State", choices=REVIEW_STATE_CHOICES)
    day = DateField("For the meeting of", validators=[Optional()])


class AgendaItemForm(FlaskForm):
    text = TextAreaField(
        "Agenda item",
        validators=[DataRequired(), Length(max=1000)],
        description="Markdown.",
        render_kw={"rows": 2},
    )


class MergeForm(FlaskForm):
    other = SelectField(
        "Merge into this person",
        coerce=int,
        description="Their attendance, follow-ups, reviews and names move here; they are removed.",
    )
