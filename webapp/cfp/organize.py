"""Organizer and reviewer pages: conferences, submissions, review, decisions, programme, mail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from webapp import audit, clock, mail, settings
from webapp.cfp import services
from webapp.cfp.forms import (
    ButtonForm,
    ConferenceForm,
    LateLinkForm,
    MailTemplateForm,
    PlaceForm,
    ReviewForm,
)
from webapp.extensions import db
from webapp.models import (
    STATE_VALUES,
    Conference,
    MailTemplate,
    OutboxMessage,
    OutboxState,
    Submission,
    SubmissionState,
)
from webapp.security import roles_required

bp = Blueprint("organize", __name__, url_prefix="/organize")


def _conference(slug: str) -> Conference:
    conference = services.conference_by_slug(slug)
    if conference is None:
        abort(404)
    return conference


def _submission(conference: Conference, code: str) -> Submission:
    return db.first_or_404(
        sa.select(Submission).where(
            Submission.conference_id == conference.id, Submission.code == code
        )
    )


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
    )


@bp.route("/conferences/new", methods=["GET", "POST"])
@roles_required("organizer")
def conference_new() -> ResponseReturnValue:
    form = ConferenceForm()
    if request.method == "GET":
        form.formats.data = "Talk:30\nLightning talk:10\nTutorial:90"
        form.timezone.data = settings.current().default_timezone
    if form.validate_on_submit():
        try:
            conference = services.create_conference(
                _form_data(form), audit.Actor.current(), clock.now()
            )
        except services.CfpError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Conference {conference.name} created.", "success")
            return redirect(url_for("organize.submissions", slug=conference.slug))
    return render_template("cfp/organize/conference_form.html", form=form, conference=None)


@bp.route("/conferences/<slug>/edit", methods=["GET", "POST"])
@roles_required("organizer")
def conference_edit(slug: str) -> ResponseReturnValue:
    conference = _conference(slug)
    form = ConferenceForm(
        obj=conference,
        cfp_opens=conference.local(conference.cfp_opens_at).replace(tzinfo=None),
        cfp_closes=conference.local(conference.cfp_closes_at).replace(tzinfo=None),
        formats="\n".join(f"{f.name}:{f.minutes}" for f in conference.formats),
        tracks="\n".join(t.name for t in conference.tracks),
        rooms="\n".join(r.name for r in conference.rooms),
    )
    if form.validate_on_submit():
        try:
            services.update_conference(
                conference, _form_data(form), audit.Actor.current(), clock.now()
            )
        except services.CfpError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash("Conference saved.", "success")
            return redirect(url_for("organize.submissions", slug=conference.slug))
    return render_template("cfp/organize/conference_form.html", form=form, conference=conference)


# -- submissions and review ----------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/conferences/<slug>/submissions")
@roles_required("organizer", "reviewer")
def submissions(slug: str) -> ResponseReturnValue:
    conference = _conference(slug)
    state = request.args.get("state") if request.args.get("state") in STATE_VALUES else None
    sort = request.args.get("sort") if request.args.get("sort") in services.SORTS else "date"
    rows = services.list_submissions(
        conference,
        current_user,
        state=state,
        format_id=_int_arg("format"),
        track_id=_int_arg("track"),
        sort=sort,  # type: ignore[arg-type]
    )
    return render_template(
        "cfp/organize/submissions.html",
        conference=conference,
        rows=rows,
        state=state,
        sort=sort,
        format_id=_int_arg("format"),
        track_id=_int_arg("track"),
        states=STATE_VALUES,
        services=services,
        user=current_user,
        form=ButtonForm(),
        is_organizer=services.is_organizer(current_user),
        hide_speakers=services.hides_speakers(conference, current_user),
    )


DECISIONS = {"accept": SubmissionState.ACCEPTED, "reject": SubmissionState.REJECTED}


@bp.route("/conferences/<slug>/submissions/decide", methods=["POST"])
@roles_required("organizer")
def decide_bulk(slug: str) -> ResponseReturnValue:
    conference = _conference(slug)
    if not ButtonForm().validate_on_submit():
        abort(400, "The form's security token is missing or expired.")
    decision = DECISIONS.get(request.form.get("decision", ""))
    codes = request.form.getlist("code")
    if decision is None or not codes:
        flash("Choose submissions and a decision.", "error")
        return redirect(url_for("organize.submissions", slug=slug))
    chosen = db.session.scalars(
        sa.select(Submission).where(
            Submission.conference_id == conference.id, Submission.code.in_(codes)
        )
    ).all()
    changed, skipped = services.decide_many(chosen, decision, audit.Actor.current(), clock.now())
    db.session.commit()
    flash(f"{changed} submission(s) now {decision}.", "success")
    for message in skipped:
        flash(message, "error")
    return redirect(url_for("organize.submissions", slug=slug))


@bp.route("/conferences/<slug>/submissions.csv")
@roles_required("organizer")
def submissions_csv(slug: str) -> ResponseReturnValue:
    conference = _conference(slug)
    return Response(
        services.export_csv(conference),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{conference.slug}-submissions.csv"'
        },
    )


@bp.route("/conferences/<slug>/submissions/<code>")
@roles_required("organizer", "reviewer")
def submission(slug: str, code: str) -> ResponseReturnValue:
    conference = _conference(slug)
    sub = _submission(conference, code)
    return _submission_page(conference, sub, ReviewForm(obj=services.own_review(sub, current_user)))


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
        see_reviews=services.may_see_reviews(sub, user) or services.is_organizer(user),
        hide_speakers=services.hides_speakers(conference, user),
        is_organizer=services.is_organizer(user),
        State=SubmissionState,
        mean=services.visible_mean(sub, user),
    ), status


@bp.route("/conferences/<slug>/submissions/<code>/review", methods=["POST"])
@roles_required("organizer", "reviewer")
def review(slug: str, code: str) -> ResponseReturnValue:
    conference = _conference(slug)
    sub = _submission(conference, code)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            services.save_review(
                sub,
                current_user,
                form.score.data,
                form.comment.data or "",
                audit.Actor.current(),
                clock.now(),
            )  # type: ignore[arg-type]
        except services.CfpError as exc:
            db.session.rollback()
            form.score.errors = [str(exc)]  # type: ignore[assignment]
            flash(str(exc), "error")
            return _submission_page(conference, sub, form, 409)
        db.session.commit()
        flash("Your review is saved.", "success")
        return redirect(url_for("organize.submission", slug=slug, code=code))
    return _submission_page(conference, sub, form, 400)


@bp.route("/conferences/<slug>/submissions/<code>/conflict", methods=["POST"])
@roles_required("organizer", "reviewer")
def conflict(slug: str, code: str) -> ResponseReturnValue:
    conference = _conference(slug)
    sub = _submission(conference, code)
    if not ButtonForm().validate_on_submit():
        abort(400, "The form's security token is missing or expired.")
    services.declare_conflict(sub, current_user, audit.Actor.current(), clock.now())
    db.session.commit()
    flash("Conflict of interest noted: you will not review this submission.", "success")
    return redirect(url_for("organize.submission", slug=slug, code=code))


@bp.route("/conferences/<slug>/submissions/<code>/decide", methods=["POST"])
@roles_required("organizer")
def decide(slug: str, code: str) -> ResponseReturnValue:
    conference = _conference(slug)
    sub = _submission(conference, code)
    decision = DECISIONS.get(request.form.get("decision", ""))
    if not ButtonForm().validate_on_submit() or decision is None:
        abort(400, "Choose accept or reject.")
    try:
        services.set_submission_state(
            sub, decision, "organizer", audit.Actor.current(), clock.now()
        )
    except services.CfpError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"{sub.code} is now {decision}; the speakers are told by mail.", "success")
    return redirect(url_for("organize.submission", slug=slug, code=code))


# -- late links ----------------------------------------------------------------------------------


@bp.route("/conferences/<slug>/late-links", methods=["GET", "POST"])
@roles_required("organizer")
def late_links(slug: str) -> ResponseReturnValue:
    conference = _conference(slug)
    form = LateLinkForm()
    new_url = None
    if form.validate_on_submit():
        try:
            _, new_url = services.create_late_link(
                conference,
                form.label.data or "",
                form.valid_until.data,  # type: ignore[arg-type]
                audit.Actor.current(),
                clock.now(),
            )
        except services.CfpError as exc:
            db.session.rollback()
            form.valid_until.errors = [str(exc)]  # type: ignore[assignment]
        else:
            db.session.commit()
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


# -- programme -----------------------------------------------------------------------------------


@bp.route("/conferences/<slug>/programme")
@roles_required("organizer")
def programme(slug: str) -> ResponseReturnValue:
    conference = _conference(slug)
    return _programme_page(conference, {})


def _place_form(conference: Conference, talk: Submission, formdata: Any = None) -> PlaceForm:
    kwargs: dict[str, Any] = {"prefix": f"t{talk.id}"}
    if talk.starts_at is not None and formdata is None:
        local = conference.local(talk.starts_at)
        kwargs.update(room=talk.room_id, day=local.date(), start=local.time())
    elif formdata is None:
        kwargs.update(day=conference.starts_on)
    form = PlaceForm(formdata=formdata, **kwargs)
    form.room.choices = [SelectChoice(r.id, r.name) for r in conference.rooms]
    return form


def _programme_page(conference: Conference, forms: dict[int, PlaceForm], status: int = 200) -> Any:
    talks = services.confirmed_talks(conference)
    for t in talks:
        forms.setdefault(t.id, _place_form(conference, t))
    return render_template(
        "cfp/organize/programme.html",
        conference=conference,
        talks=talks,
        forms=forms,
        button=ButtonForm(),
    ), status


@bp.route("/conferences/<slug>/programme/<code>", methods=["POST"])
@roles_required("organizer")
def place(slug: str, code: str) -> ResponseReturnValue:
    conference = _conference(slug)
    talk = _submission(conference, code)
    now = clock.now()
    if request.form.get("unplace"):
        if not ButtonForm().validate_on_submit():
            abort(400, "The form's security token is missing or expired.")
        services.unplace_talk(talk, audit.Actor.current(), now)
        db.session.commit()
        flash(f"“{talk.title}” is out of the programme.", "success")
        return redirect(url_for("organize.programme", slug=slug))
    form = _place_form(conference, talk, formdata=request.form)
    if form.validate():
        room = next((r for r in conference.rooms if r.id == form.room.data), None)
        try:
            if room is None:
                raise services.CfpError("Choose a room.")
            services.place_talk(
                talk,
                room,
                datetime.combine(form.day.data, form.start.data),  # type: ignore[arg-type]
                audit.Actor.current(),
                now,
            )
        except services.CfpError as exc:
            db.session.rollback()
            form.start.errors = [str(exc)]  # type: ignore[assignment]
        else:
            db.session.commit()
            flash(f"“{talk.title}” placed.", "success")
            return redirect(url_for("organize.programme", slug=slug))
    return _programme_page(conference, {talk.id: form}, 409)


# -- mail ----------------------------------------------------------------------------------------


@bp.route("/outbox")
@roles_required("organizer")
def outbox() -> ResponseReturnValue:
    rows = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.FAILED]))
        .order_by(OutboxMessage.id)
        .limit(500)
    ).all()
    sent = db.session.scalar(
        sa.select(sa.func.count()).where(OutboxMessage.state == OutboxState.SENT)
    )
    return render_template("cfp/organize/outbox.html", rows=rows, sent=sent, form=ButtonForm())


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@roles_required("organizer")
def outbox_retry(message_id: int) -> ResponseReturnValue:
    message = db.get_or_404(OutboxMessage, message_id)
    if not ButtonForm().validate_on_submit():
        abort(400, "The form's security token is missing or expired.")
    # The dashboard's retry buttons come back to the dashboard; nothing else is accepted.
    back = (
        url_for("dashboard.index")
        if request.form.get("return_to") == "dashboard"
        else url_for("organize.outbox")
    )
    if message.state == OutboxState.SENT:
        flash("That message was sent already.", "error")
        return redirect(back)
    now = clock.now()
    mail.retry(message, now)
    audit.record(
        audit.Actor.current(),
        "outbox.retry",
        "outbox_message",
        message.id,
        f"retry mail to {message.to_addr}",
    )
    db.session.commit()
    # The outbox worker sends it within seconds: a request never waits for the mail server.
    flash(f"Queued again for {message.to_addr}; it goes out within seconds.", "success")
    return redirect(back)


@bp.route("/mail-templates")
@roles_required("organizer")
def mail_templates() -> ResponseReturnValue:
    edited = {t.name for t in db.session.scalars(sa.select(MailTemplate))}
    return render_template(
        "cfp/organize/mail_templates.html", defaults=mail.DEFAULTS, edited=edited
    )


@bp.route("/mail-templates/<name>", methods=["GET", "POST"])
@roles_required("organizer")
def mail_template(name: str) -> ResponseReturnValue:
    if name not in mail.DEFAULTS:
        abort(404)
    subject, body = mail.template_text(name)
    form = MailTemplateForm(subject=subject, body=body)
    preview = None
    if form.validate_on_submit():
        try:
            mail.check_template(form.subject.data or "", form.body.data or "")
        except mail.TemplateInvalid as exc:
            form.body.errors = [str(exc)]  # type: ignore[assignment]
        else:
            if request.form.get("reset"):
                row = db.session.get(MailTemplate, name)
                if row is not None:
                    db.session.delete(row)
                audit.record(
                    audit.Actor.current(),
                    "mail_template.reset",
                    "mail_template",
                    name,
                    "back to the default",
                )
                db.session.commit()
                flash("Back to the default text.", "success")
                return redirect(url_for("organize.mail_template", name=name))
            row = db.session.get(MailTemplate, name) or MailTemplate(name=name)
            row.subject, row.body = form.subject.data or "", form.body.data or ""
            row.updated_by, row.updated_at = audit.Actor.current().label, clock.now()
            db.session.add(row)
            audit.record(
                audit.Actor.current(), "mail_template.edit", "mail_template", name, "edited"
            )
            db.session.commit()
            flash("Template saved.", "success")
            return redirect(url_for("organize.mail_template", name=name))
    try:
        preview = (
            mail.render_text(form.subject.data or "", mail.SAMPLE_CONTEXT),
            mail.render_text(form.body.data or "", mail.SAMPLE_CONTEXT),
        )
    except Exception:  # noqa: BLE001 - a broken template has no preview
        preview = None
    return render_template(
        "cfp/organize/mail_template.html",
        name=name,
        form=form,
        default=mail.DEFAULTS[name],
        preview=preview,
    )
