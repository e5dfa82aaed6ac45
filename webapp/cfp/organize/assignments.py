"""Assigning submissions to reviewers: by hand on a submission's page, or automatically."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from webapp import audit, clock
from webapp.cfp import services
from webapp.cfp.organize.blueprint import (
    bp,
    button_form_or_400,
    conference_or_404,
    submission_or_404,
)
from webapp.extensions import db
from webapp.models import User
from webapp.security import roles_required
from webapp.transaction import commit_or_show


@bp.route("/conferences/<slug>/assign", methods=["POST"])
@roles_required("organizer")
def assign_automatically(slug: str) -> ResponseReturnValue:
    """Every submission waiting for a decision gets its reviewers; they are told by mail."""
    conference = conference_or_404(slug)
    button_form_or_400()
    now = clock.now()

    def assign() -> tuple[int, int]:
        made = services.assign_automatically(conference, audit.Actor.current(), now)
        return len(made), services.notify_reviewers(conference, now)

    outcome = commit_or_show(assign, refused=(services.CfpError,))
    if outcome.value is not None:
        made, told = outcome.value
        flash(
            f"{made} review(s) assigned, at least {conference.reviews_per_submission} per "
            f"submission where enough reviewers have no conflict; {told} reviewer(s) told by mail.",
            "success",
        )
    return redirect(url_for("organize.submissions", slug=slug))


@bp.route("/conferences/<slug>/submissions/<code>/assign", methods=["POST"])
@roles_required("organizer")
def assign(slug: str, code: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    sub = submission_or_404(conference, code)
    button_form_or_400()
    user_id = request.form.get("reviewer", "")
    reviewer = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if reviewer is None:
        abort(400, "Choose a reviewer.")
    now, actor = clock.now(), audit.Actor.current()
    if request.form.get("remove"):
        outcome = commit_or_show(lambda: services.unassign(sub, reviewer, actor))
        if outcome.ok:
            flash(f"{reviewer.display_name} no longer assigned to {sub.code}.", "success")
    else:

        def add() -> None:
            services.assign(sub, reviewer, actor, now)
            services.notify_reviewers(conference, now)

        if commit_or_show(add, refused=(services.CfpError,)).ok:
            flash(f"{sub.code} assigned to {reviewer.display_name}, told by mail.", "success")
    return redirect(url_for("organize.submission", slug=slug, code=code))
