"""Staged decisions: Accept and Reject set a pending decision; "Send decisions" mails them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from webapp import audit, clock
from webapp.cfp import consequences, services
from webapp.cfp.forms import ButtonForm
from webapp.cfp.organize.blueprint import (
    bp,
    button_form_or_400,
    conference_or_404,
    submission_or_404,
)
from webapp.extensions import db
from webapp.models import Submission, SubmissionState
from webapp.security import roles_required
from webapp.transaction import commit_or_show

DECISIONS = {"accept": SubmissionState.ACCEPTED, "reject": SubmissionState.REJECTED}


@bp.route("/conferences/<slug>/submissions/decide", methods=["POST"])
@roles_required("organizer")
def decide_bulk(slug: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    button_form_or_400()
    decision = DECISIONS.get(request.form.get("decision", ""))
    codes = request.form.getlist("code")
    if decision is None or not codes:
        flash("Choose submissions and a decision.", "error")
        return redirect(url_for("organize.submissions", slug=slug))
    chosen = db.session.scalars(
        sa.select(Submission).where(
            Submission.conference_id == conference.id, Submission.code.in_(codes[:1000])
        )
    ).all()
    # A note goes with each chosen one's decision, as on a single one; none typed: each keeps
    # its own (a bulk decision must not wipe notes written one by one).
    note = request.form.get("note", "").strip() or None
    outcome = commit_or_show(
        lambda: services.stage_many(chosen, decision, audit.Actor.current(), note),
        refused=(services.CfpError,),
    )
    if outcome.value is not None:
        changed, skipped = outcome.value
        flash(
            f"{changed} submission(s) now pending {decision}: nothing is sent until you "
            "“Send decisions”.",
            "success",
        )
        for message in skipped:
            flash(message, "error")
    return redirect(url_for("organize.submissions", slug=slug))


@bp.route("/conferences/<slug>/submissions/<code>/decide", methods=["POST"])
@roles_required("organizer")
def decide(slug: str, code: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    sub = submission_or_404(conference, code)
    decision = DECISIONS.get(request.form.get("decision", ""))
    if decision is None and request.form.get("decision") == "keep":
        decision = SubmissionState(sub.state)  # back to what the speakers were told
    if not ButtonForm().validate_on_submit() or decision is None:
        abort(400, "Choose accept or reject.")
    note = request.form.get("note")
    if (
        decision == SubmissionState.REJECTED
        and sub.state == SubmissionState.ACCEPTED
        and sub.pending_state != SubmissionState.REJECTED
        and request.form.get("confirmed") != "1"
    ):
        fields = {"decision": "reject", "note": note or ""}
        return _ask(consequences.organizer_reject_accepted(sub), request.path, fields, sub)
    outcome = commit_or_show(
        lambda: services.stage_decision(sub, decision, audit.Actor.current(), note),
        refused=(services.CfpError,),
    )
    if outcome.ok:
        if sub.pending_state:
            flash(
                f"{sub.code}: pending {sub.pending_state}. Nothing is sent until you "
                "“Send decisions”.",
                "success",
            )
        else:
            flash(f"{sub.code}: no pending decision; it stays {sub.state}.", "success")
    return redirect(url_for("organize.submission", slug=slug, code=code))


@bp.route("/conferences/<slug>/decisions", methods=["GET", "POST"])
@roles_required("organizer")
def send_decisions(slug: str) -> ResponseReturnValue:
    """What will go (how many mails of each kind, a preview of each); POST sends them all."""
    conference = conference_or_404(slug)
    now = clock.now()
    if request.method == "POST":
        button_form_or_400()
        outcome = commit_or_show(
            lambda: services.send_decisions(conference, audit.Actor.current(), now),
            refused=(services.CfpError,),
        )
        if outcome.value is not None:
            flash(f"{outcome.value} decision(s) sent: the speakers' mail is queued.", "success")
            return redirect(url_for("organize.submissions", slug=slug))
    return render_template(
        "cfp/organize/decisions.html",
        conference=conference,
        batch=services.decision_batch(conference, now),
        form=ButtonForm(),
        kinds={"cfp_accepted": "Acceptance", "cfp_rejected": "Rejection"},
    )


def _ask(
    said: consequences.Said, action: str, fields: dict[str, str], sub: Submission
) -> ResponseReturnValue:
    heading, lines, button = said
    cancel = url_for("organize.submission", slug=sub.conference.slug, code=sub.code)
    return render_template(
        "cfp/confirm.html",
        heading=heading,
        lines=lines,
        button=button,
        action=action,
        fields=fields,
        cancel=cancel,
        destructive=True,
    )


@bp.route("/conferences/<slug>/submissions/<code>/release-slot", methods=["POST"])
@roles_required("organizer")
def release_slot(slug: str, code: str) -> ResponseReturnValue:
    """Decline an accepted talk whose speakers did not confirm by the deadline (asked once)."""
    conference = conference_or_404(slug)
    sub = submission_or_404(conference, code)
    button_form_or_400()
    if request.form.get("confirmed") != "1":
        return _ask(consequences.organizer_release(sub), request.path, {}, sub)
    outcome = commit_or_show(
        lambda: services.set_submission_state(
            sub, SubmissionState.DECLINED, "organizer", audit.Actor.current(), clock.now()
        ),
        refused=(services.CfpError,),
    )
    if outcome.ok:
        flash(f"{sub.code} is declined: its slot is free. You can undo this.", "success")
    return redirect(url_for("dashboard.index"))


@bp.route("/conferences/<slug>/submissions/<code>/undo", methods=["POST"])
@roles_required("organizer")
def undo(slug: str, code: str) -> ResponseReturnValue:
    """Undo a withdrawal or a decline, until the conference ends; nobody is mailed."""
    conference = conference_or_404(slug)
    sub = submission_or_404(conference, code)
    button_form_or_400()
    outcome = commit_or_show(
        lambda: services.undo(sub, audit.Actor.current(), clock.now()),
        refused=(services.CfpError,),
    )
    if outcome.value is not None:
        flash(f"{sub.code} is {outcome.value} again; nobody was mailed.", "success")
    return redirect(url_for("organize.submission", slug=slug, code=code))
