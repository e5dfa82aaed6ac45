from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from webapp.meetings import schedule


def parse_patterns(text: str) -> list[dict[str, str]]:
    """One ``REGEX => URL`` a line; in the URL ``{0}`` is the match and ``{1}``… its groups."""
    patterns = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "=>" not in line:
            raise ValidationError(f"Line {number}: write REGEX => URL.")
        regex, url = (part.strip() for part in line.rsplit("=>", 1))
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise ValidationError(
                f"Line {number}: the pattern is not a valid regular expression ({exc})."
            ) from None
        if not url.startswith(("https://", "http://")) or "{" not in url:
            raise ValidationError(
                f"Line {number}: the URL must start with https:// and contain {{0}} or {{1}}."
            )
        try:
            url.format("match", *(["group"] * compiled.groups))
        except (IndexError, KeyError, ValueError):
            raise ValidationError(
                f"Line {number}: the URL uses a group the pattern does not have "
                f"({compiled.groups} groups)."
            ) from None
        patterns.append({"pattern": regex, "url": url})
    return patterns


def format_patterns(patterns: list[dict[str, str]]) -> str:
    return "\n".join(f"{p['pattern']} => {p['url']}" for p in patterns)


class SettingsForm(FlaskForm):
    community_name = StringField("Community name", validators=[DataRequired(), Length(max=120)])
    default_timezone = StringField(
        "Default time zone",
        validators=[DataRequired(), Length(max=64)],
        description="An IANA name such as America/New_York; new series start in it.",
    )
    mail_sender = StringField(
        "Mail sender",
        validators=[DataRequired(), Length(max=254)],
        description='The From of every message, e.g. "bhyvecon <cfp@example.org>".',
    )
    feed_past_months = IntegerField(
        "Months of past meetings in calendar feeds",
        validators=[InputRequired(), NumberRange(1, 120)],
        description="1 to 120. Google Calendar drops feeds over about 1 MB.",
    )
    reference_patterns = TextAreaField(
        "Reference links",
        description="One per line: REGEX => URL, where {0} is the whole match and {1}, {2}… its "
        r"groups, e.g. ([\w-]+/[\w.-]+)#(\d+) => https://github.com/{1}/issues/{2}",
        render_kw={"rows": 5},
    )

    def validate_default_timezone(self, field: StringField) -> None:
        try:
            schedule.zone(field.data or "")
        except schedule.UnknownTimeZone as exc:
            raise ValidationError(str(exc)) from None

    def validate_reference_patterns(self, field: TextAreaField) -> None:
        parse_patterns(field.data or "")
