"""The organizer blueprint and the lookups every organizer page shares."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort

from webapp.cfp import services
from webapp.cfp.forms import ButtonForm
from webapp.extensions import db
from webapp.models import Conference, Submission

bp = Blueprint("organize", __name__, url_prefix="/organize")


def conference_or_404(slug: str) -> Conference:
    conference = services.conference_by_slug(slug)
    if conference is None:
        abort(404)
    return conference


def submission_or_404(conference: Conference, code: str) -> Submission:
    return db.first_or_404(
        sa.select(Submission).where(
            Submission.conference_id == conference.id, Submission.code == code
        )
    )


def button_form_or_400() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400, "The form's security token is missing or expired.")
