"""The submissions list, one submission with its reviews, and the decisions."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp import audit, clock
from webapp.cfp import services
from webapp.cfp.committee_forms import ReviewForm, review_form
from webapp.cfp.forms import ButtonForm
from webapp.cfp.organize.blueprint import (
    bp,
    button_form_or_400,
    conference_or_404,
    submission_or_404,
)
from webapp.converters import positive_int
from webapp.models import STATE_VALUES, Conference, Submission, SubmissionState
from webapp.security import roles_required
from webapp.transaction import commit_or_show


def _int_arg(name: str) -> int | None:
    return positive_int(request.args.get(name))


def _list_query() -> services.ListQuery:
    args = request.args
    return services.ListQuery(
        state=args.get("state") if args.get("state") in STATE_VALUES else None,
        format_id=_int_arg("format"),
        track_id=_int_arg("track"),
        search=args.get("q", "")[:200].replace("\x00", ""),
        needs_my_review=args.get("mine") == "1",
        unconfirmed=args.get("unconfirmed") == "1",
        sort=args.get("sort") if args.get("sort") in services.SORTS else "date",  # type: ignore[arg-type]
        page=_int_arg("page") or 1,
    )


@bp.route("/conferences/<slug>/submissions")
@roles_required("organizer", "reviewer")
def submissions(slug: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    query = _list_query()
    page = services.list_submissions(conference, current_user, query)
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "cfp/organize/submissions.html",
        conference=conference,
        rows=page.rows,
        page=page,
        query=query,
        page_url=lambda n: url_for("organize.submissions", slug=slug, **args, page=n),
        state=query.state,
        sort=query.sort,
        format_id=query.format_id,
        track_id=query.track_id,
        states=STATE_VALUES,
        services=services,
        user=current_user,
        form=ButtonForm(),
        is_organizer=services.is_organizer(current_user),
        may_sort_by_score=services.sees_all_scores(conference, current_user),
        hide_speakers=services.hides_speakers(conference, current_user),
        pending=services.pending_count(conference) if services.is_organizer(current_user) else 0,
        assigned=services.assigned_ids(conference, current_user),
        progress=services.progress(conference, current_user),
    )


@bp.route("/conferences/<slug>/submissions.csv")
@roles_required("organizer")
def submissions_csv(slug: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    return Response(
        services.export_csv(conference),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{conference.slug}-submissions.csv"'
        },
    )


def _openable(conference: Conference, code: str) -> Submission:
    sub = submission_or_404(conference, code)
    if not services.may_open(sub, current_user):
        abort(403, "You declared a conflict of interest with this submission.")
    return sub


@bp.route("/conferences/<slug>/submissions/<code>")
@roles_required("organizer", "reviewer")
def submission(slug: str, code: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    sub = _openable(conference, code)
    form = review_form(conference.criteria, services.own_review(sub, current_user))
    return _submission_page(conference, sub, form)


def _submission_page(
    conference: Conference, sub: Submission, form: ReviewForm, status: int = 200
) -> Any:
    user = current_user
    return render_template(
        "cfp/organize/submission.html",
        conference=conference,
        s=sub,
        form=form,
        button=ButtonForm(),
        own=services.own_review(sub, user),
        conflict=services.has_conflict(sub, user),
        see_reviews=services.may_see_reviews(sub, user),
        hide_speakers=services.hides_speakers(conference, user),
        is_organizer=services.is_organizer(user),
        State=SubmissionState,
        mean=services.visible_mean(sub, user),
        history=services.history_of(sub) if services.is_organizer(user) else [],
        undo_to=services.undo_target(sub, clock.now()) if services.is_organizer(user) else None,
        reviewers=services.reviewers() if services.is_organizer(user) else [],
        answers=services.shown_answers(
            sub, "organizer" if services.is_organizer(user) else "reviewer"
        ),
    ), status


@bp.route("/conferences/<slug>/submissions/<code>/review", methods=["POST"])
@roles_required("organizer", "reviewer")
def review(slug: str, code: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    sub = _openable(conference, code)  # a conflicted reviewer sees nothing of it, not even here
    form = review_form(conference.criteria)
    if not form.validate_on_submit():
        return _submission_page(conference, sub, form, 400)
    outcome = commit_or_show(
        lambda: services.save_review(
            sub,
            current_user,
            form.scores(),
            form.comment.data or "",
            audit.Actor.current(),
            clock.now(),
            abstain=bool(form.abstain.data),
        ),
        form=form,
        field="comment",
        refused=(services.CfpError,),
    )
    if not outcome.ok:
        return _submission_page(conference, sub, form, 409)
    flash("Your review is saved.", "success")
    if form.save_next.data:
        following = services.next_to_review(conference, current_user, after=sub)
        if following is not None:
            return redirect(url_for("organize.submission", slug=slug, code=following.code))
        flash("No submission is waiting for your review.", "info")
        return redirect(url_for("organize.submissions", slug=slug))
    return redirect(url_for("organize.submission", slug=slug, code=code))


@bp.route("/conferences/<slug>/submissions/<code>/conflict", methods=["POST"])
@roles_required("organizer", "reviewer")
def conflict(slug: str, code: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    sub = submission_or_404(conference, code)
    button_form_or_400()
    outcome = commit_or_show(
        lambda: services.declare_conflict(sub, current_user, audit.Actor.current(), clock.now())
    )
    if outcome.ok:
        flash("Conflict of interest noted: you will not review this submission.", "success")
    return redirect(url_for("organize.submissions", slug=slug))


@bp.route("/conferences/<slug>/submissions/<code>/speakers/<int:speaker_id>/link", methods=["POST"])
@roles_required("organizer")
def reissue_link(slug: str, code: str, speaker_id: int) -> ResponseReturnValue:
    """A new private link for one speaker, mailed to them; their earlier links stop working."""
    conference = conference_or_404(slug)
    sub = submission_or_404(conference, code)
    speaker = next((sp for sp in sub.speakers if sp.id == speaker_id), None)
    if speaker is None:
        abort(404)
    button_form_or_400()
    outcome = commit_or_show(
        lambda: services.reissue_link(speaker, audit.Actor.current(), clock.now())
    )
    if outcome.ok:
        flash(
            f"A new private link is on its way to {speaker.email}; earlier ones are revoked.",
            "success",
        )
    return redirect(url_for("organize.submission", slug=slug, code=code))
