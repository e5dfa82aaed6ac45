from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.addresses import Address
from webapp.models import ROLE_VALUES

ROLE_LABELS = {
    "admin": "Admin: everything, including accounts and settings",
    "organizer": "Organizer: series, meetings, conferences and decisions",
    "reviewer": "Reviewer: scores CFP submissions",
    "scribe": "Scribe: writes minutes and follow-ups",
}
ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in ROLE_VALUES]


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserCreateForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Address()])
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    roles = CheckboxList("Roles", choices=ROLE_CHOICES)
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), Length(min=10, max=1024)],
        description="At least 10 characters. Tell the person to change it after signing in.",
    )


class UserEditForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    roles = CheckboxList("Roles", choices=ROLE_CHOICES)
    active = BooleanField("Active (may sign in)")
    #: The person of the minutes this account is ("" for none); choices are set by the view.
    person = SelectField(
        "Person in the minutes",
        choices=[],
        validate_choice=True,
        description="Their open follow-ups are in the account's private calendar.",
    )
    password = PasswordField(
        "New password",
        validators=[Optional(), Length(min=10, max=1024)],
        description="Leave empty to keep the current password.",
    )
