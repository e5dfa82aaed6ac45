"""Creating and editing conferences, and their late-submission links."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from webapp import audit, clock, settings
from webapp.cfp import services
from webapp.cfp.forms import ConferenceForm, LateLinkForm
from webapp.cfp.organize.blueprint import bp, conference_or_404
from webapp.edit_forms import edit_form
from webapp.models import Conference
from webapp.security import roles_required
from webapp.transaction import commit_or_show


@bp.route("/conferences/")
@roles_required("organizer", "reviewer")
def conferences() -> ResponseReturnValue:
    return render_template(
        "cfp/organize/conferences.html", conferences=services.list_conferences(), now=clock.now()
    )


def _form_data(form: ConferenceForm) -> services.ConferenceData:
    formats = [
        services.parse_format(line)
        for line in (form.formats.data or "").splitlines()
        if line.strip()
    ]
    return services.ConferenceData(
        slug=form.slug.data or "",
        name=form.name.data or "",
        timezone=form.timezone.data or "",
        starts_on=form.starts_on.data,  # type: ignore[arg-type]
        ends_on=form.ends_on.data,  # type: ignore[arg-type]
        cfp_opens_local=form.cfp_opens.data,  # type: ignore[arg-type]
        cfp_closes_local=form.cfp_closes.data,  # type: ignore[arg-type]
        place=form.place.data or "",
        description=form.description.data or "",
        call_text=form.call_text.data or "",
        anonymous_review=bool(form.anonymous_review.data),
        formats=formats,
        tracks=(form.tracks.data or "").splitlines(),
        rooms=(form.rooms.data or "").splitlines(),
        criteria=services.parse_criteria(form.criteria.data or ""),
        questions=services.parse_questions(form.questions.data or ""),
    )


def _settings_of(form: ConferenceForm, conference: Conference) -> None:
    """The conference's own settings; a field left out keeps the current (or default) value."""
    if form.proposal_limit.data is not None:
        conference.proposal_limit = form.proposal_limit.data
    if form.confirm_days.data is not None:
        conference.confirm_days = form.confirm_days.data
    conference.chair_sees_scores = bool(form.chair_sees_scores.data)
    if form.reviews_per_submission.data is not None:
        conference.reviews_per_submission = form.reviews_per_submission.data


@bp.route("/conferences/new", methods=["GET", "POST"])
@roles_required("organizer")
def conference_new() -> ResponseReturnValue:
    form = ConferenceForm()
    if request.method == "GET":
        form.formats.data = "Talk:30\nLightning talk:10\nTutorial:90"
        form.timezone.data = settings.current().default_timezone
    if form.validate_on_submit():

        def create() -> Conference:
            conference = services.create_conference(
                _form_data(form), audit.Actor.current(), clock.now()
            )
            _settings_of(form, conference)
            return conference

        outcome = commit_or_show(create, form=form, refused=(services.CfpError,))
        if outcome.value is not None:
            flash(f"Conference {outcome.value.name} created.", "success")
            return redirect(url_for("organize.submissions", slug=outcome.value.slug))
    return render_template("cfp/organize/conference_form.html", form=form, conference=None)


def _edit_form(conference: Conference) -> ConferenceForm:
    """The form filled from the conference: formats, tracks and rooms as lines of text."""
    return edit_form(
        ConferenceForm,
        {
            "slug": conference.slug,
            "name": conference.name,
            "place": conference.place,
            "timezone": conference.timezone,
            "starts_on": conference.starts_on,
            "ends_on": conference.ends_on,
            "cfp_opens": conference.local(conference.cfp_opens_at).replace(tzinfo=None),
            "cfp_closes": conference.local(conference.cfp_closes_at).replace(tzinfo=None),
            "description": conference.description,
            "call_text": conference.call_text,
            "formats": "\n".join(f"{f.name}:{f.minutes}" for f in conference.formats),
            "tracks": "\n".join(t.name for t in conference.tracks),
            "rooms": "\n".join(r.name for r in conference.rooms),
            "anonymous_review": conference.anonymous_review,
            "proposal_limit": conference.proposal_limit,
            "confirm_days": conference.confirm_days,
            "chair_sees_scores": conference.chair_sees_scores,
            "criteria": services.criteria_text(conference),
            "questions": services.questions_text(conference),
            "reviews_per_submission": conference.reviews_per_submission,
        },
    )


@bp.route("/conferences/<slug>/edit", methods=["GET", "POST"])
@roles_required("organizer")
def conference_edit(slug: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    form = _edit_form(conference)
    if form.validate_on_submit():

        def update() -> None:
            services.update_conference(
                conference, _form_data(form), audit.Actor.current(), clock.now()
            )
            _settings_of(form, conference)

        if commit_or_show(update, form=form, refused=(services.CfpError,)).ok:
            flash("Conference saved.", "success")
            return redirect(url_for("organize.submissions", slug=conference.slug))
    return render_template("cfp/organize/conference_form.html", form=form, conference=conference)


@bp.route("/conferences/<slug>/late-links", methods=["GET", "POST"])
@roles_required("organizer")
def late_links(slug: str) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    form = LateLinkForm()
    new_url = None
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: services.create_late_link(
                conference,
                form.label.data or "",
                form.valid_until.data,  # type: ignore[arg-type]
                audit.Actor.current(),
                clock.now(),
            ),
            form=form,
            field="valid_until",
            refused=(services.CfpError,),
        )
        if outcome.value is not None:
            new_url = outcome.value[1]
            form = LateLinkForm(formdata=None)
    response = Response(
        render_template(
            "cfp/organize/late_links.html",
            conference=conference,
            form=form,
            new_url=new_url,
            links=services.late_links(conference),
            now=clock.now(),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
