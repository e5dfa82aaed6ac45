"""Forms of the call for papers and of the organizer pages. Limits are stated beside each field."""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from webapp import plaintext
from webapp.addresses import TOO_LONG_ADDRESS, Address

MAX_CO_SPEAKERS = 10
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

_ADDRESS_LENGTH = Length(max=254, message=TOO_LONG_ADDRESS)


class PlainText:
    """Refuses control characters (NUL breaks PostgreSQL) and invisible bidirectional or
    zero-width characters (``webapp.plaintext``); single-line fields also refuse newlines."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data or ""
        allowed = {"\n", "\r", "\t"} if self.multiline else set()
        for ch in value:
            if unicodedata.category(ch) == "Cc" and ch not in allowed:
                raise ValidationError(
                    "Remove the line breaks." if ch in "\r\n" else "Remove the control characters."
                )
        if (hidden := plaintext.hidden_in(value)) is not None:
            raise ValidationError(f"Remove the invisible character {plaintext.describe(hidden)}.")


class Limit:
    """Length limits with messages that say what to do."""

    def __init__(self, min_len: int = 0, max_len: int = 0) -> None:
        self.min_len, self.max_len = min_len, max_len

    def __call__(self, form: Any, field: Any) -> None:
        n = len(field.data or "")
        if self.max_len and n > self.max_len:
            raise ValidationError(f"At most {self.max_len} characters; this has {n}.")
        if n < self.min_len:
            raise ValidationError(f"At least {self.min_len} characters, please.")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def text(
    label: str,
    max_len: int,
    required: bool = False,
    min_len: int = 0,
    multiline: bool = False,
    **kw: Any,
) -> Any:
    validators: list[Any] = [
        DataRequired() if required else Optional(),
        Limit(min_len, max_len),
        PlainText(multiline),
    ]
    limit = f"{'Required. ' if required else 'Optional. '}" + (
        f"{min_len} to {max_len} characters." if min_len else f"At most {max_len} characters."
    )
    description = f"{kw.pop('help', '')} {limit}".strip()
    field_cls = TextAreaField if multiline else StringField
    return field_cls(label, validators=validators, filters=[_strip], description=description, **kw)


def _name_and_email(row: Any) -> bool:
    """A co-speaker row has both a name and an address, or neither (an empty row)."""
    name, email = (row.name.data or "").strip(), (row.email.data or "").strip()
    if email and not name:
        row.name.errors = [*row.name.errors, "Give the co-speaker's name too."]
    if name and not email:
        row.email.errors = [*row.email.errors, "Give the co-speaker's email too."]
    return bool(name) == bool(email)


class CoSpeakerForm(Form):
    name = text("Co-speaker name", 120)
    email = EmailField(
        "Co-speaker email",
        validators=[Optional(), _ADDRESS_LENGTH, PlainText(), Address()],
        filters=[_strip],
        description="At most 254 characters. They get their own private link.",
    )

    def validate(self, extra_validators: Any = None) -> bool:
        return super().validate(extra_validators) & _name_and_email(self)


class SubmissionForm(FlaskForm):
    title = text("Title", 200, required=True, min_len=3)
    format = SelectField(
        "Session format",
        coerce=int,
        validators=[InputRequired()],
        description="Required. The length of the slot.",
    )
    track = SelectField("Track", coerce=int, validators=[Optional()], description="Optional.")
    abstract = text("Abstract", 600, required=True, multiline=True, help="Shown in the programme.")
    description = text(
        "Description", 5000, multiline=True, help="For the reviewers; Markdown-free plain text."
    )
    notes = text("Notes to the organizers", 2000, multiline=True, help="Never published.")

    def fill_choices(self, conference: Any) -> None:
        self.format.choices = [SelectChoice(f.id, f.label) for f in conference.formats]
        self.track.choices = [SelectChoice(0, "— no track —")] + [
            SelectChoice(t.id, t.name) for t in conference.tracks
        ]

    def validate_track(self, field: Any) -> None:
        if field.data is None:
            field.data = 0

    def question_fields(self) -> list[Any]:
        """The conference's custom questions (``q<id>`` fields, added by ``with_questions``)."""
        return [f for f in self if f.name.startswith("q") and f.name[1:].isdigit()]

    def answers(self) -> dict[str, Any]:
        return {f.name[1:]: f.data for f in self.question_fields()}


class CfpForm(SubmissionForm):
    speaker_name = text("Your name", 120, required=True)
    email = EmailField(
        "Your email",
        validators=[DataRequired(), _ADDRESS_LENGTH, PlainText(), Address()],
        filters=[_strip],
        description="Required. At most 254 characters. Your private link goes there.",
    )
    affiliation = text("Affiliation", 200, help="Company, project or university.")
    bio = text("Short bio", 1000, multiline=True, help="Shown on the talk's page.")
    co_speakers = FieldList(FormField(CoSpeakerForm), min_entries=2, max_entries=MAX_CO_SPEAKERS)
    consent = BooleanField(
        "I accept the code of conduct",
        validators=[DataRequired("You must accept the code of conduct to submit.")],
    )
    #: Honeypot: hidden from people (CSS, aria-hidden, tabindex -1); bots fill it in.
    website = StringField("Leave this empty", validators=[Optional()])
    #: Idempotency key: a double click or a resent form creates one submission.
    form_token = HiddenField(validators=[Optional(), Regexp(TOKEN_RE)])
    #: "Add another co-speaker" (works without JavaScript): a new row, no submission.
    add_speaker = SubmitField("Add another co-speaker")


class CoSpeakerRowForm(Form):
    """One co-speaker on the speaker's edit form: a stored one (``speaker_id``) or a new row."""

    speaker_id = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,12}$")])
    name = text("Co-speaker's name", 120)
    email = EmailField(
        "Co-speaker's email",
        validators=[Optional(), _ADDRESS_LENGTH, PlainText(), Address()],
        filters=[_strip],
        description="A new or corrected address gets its own private link once invited.",
    )
    remove = BooleanField("Remove this co-speaker")

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.remove.data:
            return ok
        if self.speaker_id.data and not (self.name.data or "").strip():
            self.name.errors = [*self.name.errors, "Every co-speaker needs a name."]
            return False
        return ok & _name_and_email(self)


class SpeakerEditForm(SubmissionForm):
    speaker_name = text("Your name", 120, required=True)
    affiliation = text("Affiliation", 200, help="Company, project or university.")
    bio = text("Short bio", 1000, multiline=True, help="Shown on the talk's page.")
    #: The other speakers, in the programme's order; new rows add co-speakers.
    co_speakers = FieldList(FormField(CoSpeakerRowForm), max_entries=MAX_CO_SPEAKERS)
    add_speaker = SubmitField("Add another co-speaker")


class ConferenceForm(FlaskForm):
    slug = StringField(
        "Slug",
        validators=[
            DataRequired(),
            Length(min=3, max=60),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*[a-z0-9]$",
                message="Lowercase letters, digits and dashes only.",
            ),
        ],
        filters=[_strip],
        description="Required. 3 to 60 lowercase letters, digits and dashes; part of the address.",
    )
    name = text("Name", 200, required=True)
    place = text("Place", 200)
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=64)],
        filters=[_strip],
        description="Required. IANA name, e.g. Europe/Amsterdam or America/Toronto.",
    )
    starts_on = DateField("First day", validators=[InputRequired()], description="Required.")
    ends_on = DateField("Last day", validators=[InputRequired()], description="Required.")
    cfp_opens = DateTimeLocalField(
        "CFP opens",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired()],
        description="Required. In the conference's time zone.",
    )
    cfp_closes = DateTimeLocalField(
        "CFP closes",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired()],
        description="Required. In the conference's time zone.",
    )
    description = text("About the conference", 20000, multiline=True, help="Markdown.")
    call_text = text(
        "Text of the call", 20000, multiline=True, help="Markdown; shown above the form."
    )
    formats = TextAreaField(
        "Session formats",
        validators=[DataRequired(), Length(max=2000)],
        description="Required. One per line, name:minutes, e.g. Talk:30.",
    )
    tracks = TextAreaField(
        "Tracks", validators=[Optional(), Length(max=2000)], description="Optional. One per line."
    )
    rooms = TextAreaField(
        "Rooms",
        validators=[Optional(), Length(max=2000)],
        description="Optional. One per line; needed for the programme.",
    )
    anonymous_review = BooleanField("Anonymous review (reviewers do not see speaker names)")
    proposal_limit = IntegerField(
        "Proposals per speaker",
        default=3,
        validators=[Optional(), NumberRange(min=0, max=100)],
        description="At most this many proposals per email address (0 to 100); 0: no limit.",
    )
    confirm_days = IntegerField(
        "Days to confirm",
        default=14,
        validators=[Optional(), NumberRange(min=1, max=365)],
        description="Accepted speakers confirm within this many days (1 to 365).",
    )
    chair_sees_scores = BooleanField(
        "Organizers who review see every score at once (otherwise only after scoring)"
    )
    day_starts = TimeField(
        "Programme starts each day",
        default=time(9, 0),
        validators=[Optional()],
        description="Local time; a talk before it is shown as a conflict.",
    )
    day_ends = TimeField(
        "Programme ends each day",
        default=time(18, 0),
        validators=[Optional()],
        description="Local time; a talk after it is shown as a conflict.",
    )
    slot_minutes = SelectField(
        "Rows of the schedule grid",
        coerce=int,
        default=15,
        choices=[SelectChoice(n, f"{n} minutes") for n in (5, 10, 15, 20, 30, 60)],
        description="The grid's time step; talks start on it.",
    )

    criteria = TextAreaField(
        "Review criteria",
        default="Overall:1:5",
        validators=[DataRequired(), Length(max=2000)],
        description="Required. One per line, name:weight:highest score, e.g. Relevance:2:5 "
        "(scored 0 to 5, counting twice). The total is the weighted mean.",
    )
    questions = TextAreaField(
        "Custom questions",
        validators=[Optional(), Length(max=20000)],
        description="Optional. One per line: kind | required or optional | reviewers, "
        "organizers or public | the question | choices separated by ; — kinds: text, long text, "
        "choice, choices, yes/no, url. E.g. choice | required | public | Audience level | "
        "Beginner; Intermediate; Expert",
    )
    reviews_per_submission = IntegerField(
        "Reviews per submission",
        default=3,
        validators=[Optional(), NumberRange(min=1, max=20)],
        description="“Assign automatically” gives each submission at least this many "
        "reviewers (1 to 20).",
    )


class LateLinkForm(FlaskForm):
    label = text("For whom", 200, required=True, help="The person's name or email.")
    valid_until = DateField(
        "Valid until (inclusive)",
        validators=[InputRequired()],
        description="Required. A date in the conference's time zone.",
    )


class PlaceForm(FlaskForm):
    room = SelectField("Room", coerce=int, validators=[InputRequired()])
    day = DateField("Day", validators=[InputRequired()])
    start = TimeField(
        "Start",
        validators=[InputRequired()],
        description="Local time; the length comes from the format.",
    )


class ReleaseForm(FlaskForm):
    note = text(
        "Note for this release",
        2000,
        multiline=True,
        help="Public: shown on the changes page and in its feed.",
    )


class MailTemplateForm(FlaskForm):
    subject = StringField(
        "Subject",
        validators=[DataRequired(), Length(max=300), PlainText()],
        description="Required. One line, at most 300 characters.",
    )
    body = TextAreaField(
        "Body",
        validators=[DataRequired(), Length(max=20000), PlainText(multiline=True)],
        description="Required. Plain text; Jinja placeholders such as {{ speaker.name }}.",
    )


class BlockForm(FlaskForm):
    """A break, keynote, social or other block; ``room`` 0 is every room."""

    title = text("Title", 200, required=True, help="For example Lunch, Coffee, Opening.")
    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice("break", "Break"),
            SelectChoice("keynote", "Keynote"),
            SelectChoice("social", "Social"),
            SelectChoice("other", "Other"),
        ],
        validators=[InputRequired()],
    )
    room = SelectField("Room", coerce=int, validators=[InputRequired()])
    day = DateField("Day", validators=[InputRequired()])
    start = TimeField("Start", validators=[InputRequired()], description="Local time.")
    minutes = IntegerField(
        "Length (minutes)",
        default=60,
        validators=[InputRequired(), NumberRange(min=5, max=720)],
        description="5 to 720 minutes.",
    )


class ButtonForm(FlaskForm):
    """Empty form: CSRF only (buttons)."""


class LinkRequestForm(FlaskForm):
    """ "Send me my link": the address a proposal was sent with."""

    email = EmailField(
        "Your email",
        validators=[DataRequired(), _ADDRESS_LENGTH, PlainText(), Address()],
        filters=[_strip],
        description="Required. The address you gave with your proposal.",
    )
