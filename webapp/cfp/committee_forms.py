"""The forms of the programme committee's tools: custom questions (on the CFP and the speaker's
edit form, checked by the same rules as ``services.check_answers``) and the review form."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.cfp.forms import Limit, PlainText, _strip, text
from webapp.edit_forms import edit_form


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


SEEN_BY = {
    "reviewers": "Shown to the reviewers.",
    "organizers": "Seen by the organizers only.",
    "public": "Public: shown with the talk in the programme.",
}


def question_field(q: Any) -> Any:
    """The form field of a custom question; ``services.check_answers`` applies the same rules."""
    need: Any = DataRequired("Please answer this question.") if q.required else Optional()
    help_ = f"{'Required' if q.required else 'Optional'}. {SEEN_BY[q.visibility]}"
    if q.kind in ("choice", "yes_no"):
        options = q.choices if q.kind == "choice" else ["yes", "no"]
        return SelectField(
            q.text,
            choices=[SelectChoice("", "— choose —")] + [SelectChoice(c, c) for c in options],
            validators=[need],
            description=help_,
        )
    if q.kind == "choices":
        return CheckboxList(
            q.text, choices=[SelectChoice(c, c) for c in q.choices], validators=[need]
        )
    if q.kind == "url":
        return URLField(
            q.text,
            validators=[need, URL(message="A web address, e.g. https://…"), Length(max=500)],
            filters=[_strip],
            description=f"{help_} A web address.",
        )
    multiline = q.kind == "long_text"
    limit = 5000 if multiline else 500
    return (TextAreaField if multiline else StringField)(
        q.text,
        validators=[need, Limit(0, limit), PlainText(multiline)],
        filters=[_strip],
        description=f"{help_} At most {limit} characters.",
    )


def with_questions(form_cls: type[Any], questions: Any) -> type[Any]:
    """``form_cls`` with a field per custom question of the conference."""

    class Asked(form_cls):  # type: ignore[misc, valid-type]
        pass

    Asked.__name__ = form_cls.__name__
    for q in questions:
        setattr(Asked, f"q{q.id}", question_field(q))
    return Asked


def stored_answers(questions: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """The question fields as stored (see ``webapp.edit_forms``)."""
    empty: dict[str, Any] = {"choices": []}
    return {f"q{q.id}": answers.get(str(q.id), empty.get(q.kind, "")) for q in questions}


def speaker_edit_values(submission: Any, speaker: Any) -> dict[str, Any]:
    """The speaker's edit form as stored (see ``webapp.edit_forms``)."""
    others = [s for s in submission.speakers if s.id != speaker.id]
    return {
        "title": submission.title,
        "format": submission.format_id,
        "track": submission.track_id or 0,
        "abstract": submission.abstract,
        "description": submission.description,
        "notes": submission.notes,
        "speaker_name": speaker.name,
        "affiliation": speaker.affiliation,
        "bio": speaker.bio,
        "co_speakers": [
            {"speaker_id": str(s.id), "name": s.name, "email": s.email, "remove": False}
            for s in others
        ],
    } | stored_answers(submission.conference.questions, submission.answers or {})


def _score_or_none(value: Any) -> int | None:
    return None if value in (None, "", "None") else int(value)


class ReviewForm(FlaskForm):
    """A review: a score per criterion (``c<id>`` fields, added by ``review_form``), an explicit
    abstention, a comment; any one of them is a review."""

    abstain = BooleanField("Abstain: I give no score (you then see the others' scores)")
    comment = text(
        "Comment", 5000, multiline=True, help="Seen by the other reviewers and organizers."
    )
    save_next = SubmitField("Save and next")

    def score_fields(self) -> list[Any]:
        return [f for f in self if f.name.startswith("c") and f.name[1:].isdigit()]

    def scores(self) -> dict[int, int | None]:
        return {int(f.name[1:]): f.data for f in self.score_fields()}


def review_form(criteria: Any, review: Any = None) -> ReviewForm:
    """The review form for a conference's criteria, filled from ``review`` when there is one."""

    class ConferenceReviewForm(ReviewForm):
        pass

    for c in criteria:
        setattr(
            ConferenceReviewForm,
            f"c{c.id}",
            SelectField(
                c.name,
                coerce=_score_or_none,
                choices=[SelectChoice("", "— no score —")]
                + [SelectChoice(i, str(i)) for i in range(c.scale_max + 1)],
                validators=[Optional()],
                description=f"0 to {c.scale_max}; weight {c.weight}. Optional.",
            ),
        )
    if review is None:
        return ConferenceReviewForm()
    scores = {s.criterion_id: s.score for s in review.scores}
    stored: dict[str, Any] = {f"c{c.id}": scores.get(c.id) for c in criteria}
    return edit_form(
        ConferenceReviewForm, stored | {"abstain": review.abstain, "comment": review.comment}
    )
