"""Public pages: the conference, the call for papers, speakers' private pages, the programme."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from webapp import audit, clock
from webapp.cfp import consequences, feed, services
from webapp.cfp.committee_forms import speaker_edit_values, with_questions
from webapp.cfp.forms import TOKEN_RE, ButtonForm, CfpForm, SpeakerEditForm
from webapp.edit_forms import edit_form
from webapp.extensions import limiter
from webapp.meetings.feeds.http import serve_bytes
from webapp.models import Conference, Speaker, SubmissionState
from webapp.private_feeds.pages import speaker_context
from webapp.security import checks_text, public, stateless
from webapp.transaction import commit_or_show
from webapp.urls import external_url, site_host

bp = Blueprint("cfp", __name__)


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> Any:
    from webapp.markdown import render_markdown

    return render_markdown(text or "")


def _conference(slug: str, with_choices: bool = False) -> Conference:
    conference = services.conference_by_slug(slug, with_choices)
    if conference is None:
        abort(404)
    return conference


def _cfp_limit() -> str:
    return str(current_app.config.get("CFP_RATE_LIMIT") or "10 per hour")


@bp.route("/conferences/")
@public
def conferences() -> ResponseReturnValue:
    return render_template(
        "cfp/conferences.html", conferences=services.list_conferences(), now=clock.now()
    )


@bp.route("/conferences/<slug>/")
@public
def conference(slug: str) -> ResponseReturnValue:
    conference = _conference(slug)
    now = clock.now()
    return render_template(
        "cfp/conference.html",
        conference=conference,
        window=conference.cfp(now),
        closes_in=services.closes_in(conference, now),
        has_programme=services.latest_release(conference) is not None,
    )


def _submission_data(form: Any, with_co_speakers: bool = True) -> services.SubmissionData:
    co = []
    if with_co_speakers:
        for entry in form.co_speakers.entries:
            name, email = (
                (entry.form.name.data or "").strip(),
                (entry.form.email.data or "").strip(),
            )
            if name or email:
                co.append(services.SpeakerData(name=name, email=email))
    return services.SubmissionData(
        title=form.title.data or "",
        format_id=form.format.data,
        track_id=form.track.data or None,
        abstract=form.abstract.data or "",
        description=form.description.data or "",
        notes=form.notes.data or "",
        speaker=services.SpeakerData(
            name=form.speaker_name.data or "",
            email=form.email.data if "email" in form else "",
            affiliation=form.affiliation.data or "",
            bio=form.bio.data or "",
        ),
        co_speakers=co,
        answers=form.answers(),
    )


def _closed(conference: Conference, late_token: str | None, status: int) -> ResponseReturnValue:
    return render_template(
        "cfp/closed.html",
        conference=conference,
        window=conference.cfp(clock.now()),
        late_invalid=bool(late_token),
    ), status


def _add_co_speaker_row(form: CfpForm | SpeakerEditForm) -> None:
    if len(form.co_speakers.entries) < form.co_speakers.max_entries:  # type: ignore[operator]
        form.co_speakers.append_entry()
    else:
        flash(f"At most {form.co_speakers.max_entries} co-speakers.", "error")


@bp.route("/conferences/<slug>/cfp", methods=["GET", "POST"])
@public
@checks_text
@limiter.limit(_cfp_limit, methods=["POST"])
def cfp_form(slug: str) -> ResponseReturnValue:
    conference = _conference(slug, with_choices=True)
    now = clock.now()
    late_token = request.args.get("late") or None
    form = with_questions(CfpForm, conference.questions)()
    form.fill_choices(conference)
    if request.method == "POST" and form.website.data:
        # The honeypot is filled in: a bot. It sees success; nothing is stored.
        return render_template(
            "cfp/received.html", conference=conference, title=form.title.data or "", code=None
        )
    if request.method == "POST" and form.add_speaker.data:
        _add_co_speaker_row(form)
    elif form.validate_on_submit():
        token = form.form_token.data or secrets.token_urlsafe(24)
        outcome = commit_or_show(
            lambda: services.submit(
                conference, _submission_data(form), token, now, late_token=late_token
            ),
            form=form,
            refused=(services.CfpError,),
        )
        if outcome.ok:
            return redirect(url_for("cfp.received", slug=slug, token=token))
    try:
        late = services.cfp_entry(conference, late_token, now)
    except services.CfpClosed:
        return _closed(conference, late_token, 403 if request.method == "POST" else 200)
    if not form.form_token.data:
        form.form_token.data = secrets.token_urlsafe(24)
    return render_template(
        "cfp/form.html",
        conference=conference,
        form=form,
        window=conference.cfp(now),
        late=late,
        late_token=late_token,
        closes_in=services.closes_in(conference, now),
    )


@bp.route("/conferences/<slug>/cfp/received/<token>")
@public
def received(slug: str, token: str) -> ResponseReturnValue:
    conference = _conference(slug)
    submission = services.submission_by_form_token(token) if TOKEN_RE.match(token) else None
    if submission is None or submission.conference_id != conference.id:
        abort(404)
    response = make_response(
        render_template(
            "cfp/received.html", conference=conference, title=submission.title, code=submission.code
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the speaker's private page ------------------------------------------------------------------


def _speaker(token: str) -> Speaker:
    speaker = services.speaker_by_token(token)
    if speaker is None:
        abort(404, "This private link is not valid. Use the latest link we mailed you.")
    return speaker


def _private(response: Any) -> Any:
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/cfp/s/<token>")
@public
def speaker_page(token: str) -> ResponseReturnValue:
    speaker = _speaker(token)
    submission = speaker.submission
    now = clock.now()
    return _private(
        render_template(
            "cfp/speaker.html",
            token=token,
            speaker=speaker,
            submission=submission,
            conference=submission.conference,
            may_edit=services.speaker_may_edit(submission, now),
            confirm_by=services.confirm_by(submission),
            window=submission.conference.cfp(now),
            State=SubmissionState,
            calendar=speaker_context(speaker),
        )
    )


def _speaker_actor(speaker: Speaker) -> audit.Actor:
    return audit.Actor(label=f"speaker link ({speaker.email})"[:254])


@bp.route("/cfp/s/<token>/edit", methods=["GET", "POST"])
@public
@checks_text
def speaker_edit(token: str) -> ResponseReturnValue:
    speaker = _speaker(token)
    submission = speaker.submission
    now = clock.now()
    if not services.speaker_may_edit(submission, now):
        flash("This submission can no longer be changed.", "error")
        return redirect(url_for("cfp.speaker_page", token=token))
    asked = with_questions(SpeakerEditForm, submission.conference.questions)
    form = edit_form(asked, speaker_edit_values(submission, speaker))
    form.fill_choices(submission.conference)
    if request.method == "POST" and form.add_speaker.data:
        _add_co_speaker_row(form)
    elif form.validate_on_submit():
        data = _submission_data(form, with_co_speakers=False)
        outcome = commit_or_show(
            lambda: services.update_submission(
                submission, speaker, data, _speaker_actor(speaker), now, _co_speaker_rows(form)
            ),
            form=form,
            refused=(services.CfpError,),
        )
        if outcome.ok:
            flash("Your changes are saved.", "success")
            return redirect(url_for("cfp.speaker_page", token=token))
    return _private(
        render_template(
            "cfp/speaker_edit.html",
            form=form,
            token=token,
            submission=submission,
            conference=submission.conference,
            roster_open=services.roster_open(submission, now),
        )
    )


def _co_speaker_rows(form: SpeakerEditForm) -> list[services.CoSpeakerRow]:
    rows = []
    for entry in form.co_speakers.entries:
        row = entry.form
        name, email = (row.name.data or "").strip(), (row.email.data or "").strip()
        if row.speaker_id.data or name or email:
            rows.append(
                services.CoSpeakerRow(
                    speaker_id=int(row.speaker_id.data) if row.speaker_id.data else None,
                    name=name,
                    email=email,
                    remove=bool(row.remove.data),
                )
            )
    return rows


SPEAKER_ACTIONS = {
    "withdraw": SubmissionState.WITHDRAWN,
    "confirm": SubmissionState.CONFIRMED,
    "decline": SubmissionState.DECLINED,
}
#: Destructive actions: a page says what will happen, and a second click does it.
ASK_FIRST = {"withdraw": consequences.speaker_withdraw, "decline": consequences.speaker_decline}
SPEAKER_DONE = {
    "withdraw": "Your submission is withdrawn.",
    "confirm": "Thank you: your talk is confirmed.",
    "decline": "You declined; we are sorry you cannot come.",
}


def _button_form_or_400() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400, "The form's security token is missing or expired.")


@bp.route("/cfp/s/<token>/invite", methods=["POST"])
@public
def speaker_invite(token: str) -> ResponseReturnValue:
    """The submitting speaker shows the address is theirs: the co-speakers get their links."""
    speaker = _speaker(token)
    _button_form_or_400()
    config = current_app.config
    caps = services.InviteCaps(
        int(config["CFP_INVITATIONS_PER_DAY"]), int(config["CFP_INVITEES_PER_SUBMITTER"])
    )
    outcome = commit_or_show(
        lambda: services.invite_co_speakers(speaker, clock.now(), caps),
        refused=(services.CfpError,),
    )
    if outcome.ok:
        invited = "1 co-speaker is" if outcome.value == 1 else f"{outcome.value} co-speakers are"
        flash(f"{invited} invited: each gets a private link.", "success")
    return redirect(url_for("cfp.speaker_page", token=token))


@bp.route("/cfp/s/<token>/<action>", methods=["POST"])
@public
def speaker_action(token: str, action: str) -> ResponseReturnValue:
    speaker = _speaker(token)
    if action not in SPEAKER_ACTIONS:
        abort(404)
    _button_form_or_400()
    if action in ASK_FIRST and request.form.get("confirmed") != "1":
        heading, lines, button = ASK_FIRST[action](speaker.submission)
        return _private(
            render_template(
                "cfp/confirm.html",
                heading=heading,
                lines=lines,
                button=button,
                action=url_for("cfp.speaker_action", token=token, action=action),
                fields={},
                cancel=url_for("cfp.speaker_page", token=token),
                destructive=True,
            )
        )
    outcome = commit_or_show(
        lambda: services.set_submission_state(
            speaker.submission,
            SPEAKER_ACTIONS[action],
            "speaker",
            _speaker_actor(speaker),
            clock.now(),
        ),
        refused=(services.CfpError,),
    )
    if outcome.ok:
        flash(SPEAKER_DONE[action], "success")
    return redirect(url_for("cfp.speaker_page", token=token))


# -- the programme -------------------------------------------------------------------------------


@bp.route("/conferences/<slug>/program")
@public
def program(slug: str) -> ResponseReturnValue:
    conference = _conference(slug)
    release, talks, blocks = services.released_programme(conference)
    days = services.programme_days(conference, talks, blocks)
    return render_template("cfp/program.html", conference=conference, days=days, release=release)


@bp.route("/conferences/<slug>/programme")
@public
@stateless
def programme_spelling(slug: str) -> ResponseReturnValue:
    """The British spelling of the address: the programme is at /program."""
    return redirect(url_for("cfp.program", slug=slug), 301)


@bp.route("/conferences/<slug>/talks/<code>")
@public
def talk(slug: str, code: str) -> ResponseReturnValue:
    conference = _conference(slug)
    released = services.released_talk(conference, code)
    if released is None:
        abort(404)
    return render_template("cfp/talk.html", conference=conference, talk=released)


@bp.route("/conferences/<slug>/program/changes")
@public
def program_changes(slug: str) -> ResponseReturnValue:
    conference = _conference(slug)
    return render_template(
        "cfp/changes.html",
        conference=conference,
        releases=services.releases(conference),
        describe=services.describe,
    )


@bp.route("/conferences/<slug>/program/changes.atom")
@public
@stateless
def program_changes_atom(slug: str) -> ResponseReturnValue:
    def render() -> tuple[bytes, datetime]:
        conference = _conference(slug)
        releases = services.releases(conference, limit=50)
        body = render_template(
            "cfp/changes.atom",
            conference=conference,
            releases=releases,
            describe=services.describe,
            feed_url=external_url(url_for("cfp.program_changes_atom", slug=slug)),
            page_url=external_url(url_for("cfp.program_changes", slug=slug)),
            host=site_host(),
        )
        # Last-Modified from the data (the newest release, the conference's name and slug), not
        # from the time of the render: the same after the stored renders are lost.
        stamps = [conference.updated_at, *(r.created_at for r in releases[:1])]
        return body.encode(), max(stamps)

    return serve_bytes(
        f"programme:{slug}:changes.atom", render, content_type="application/atom+xml; charset=utf-8"
    )


@bp.route("/conferences/<slug>/program.ics")
@public
@stateless
def program_ics(slug: str) -> ResponseReturnValue:
    return serve_bytes(
        f"programme:{slug}:program.ics",
        lambda: feed.programme_calendar(_conference(slug)),
        headers=[("Content-Disposition", f'inline; filename="{slug}.ics"')],
    )


def _frab_bytes(conference: Conference) -> tuple[bytes, datetime]:
    data, last_modified = feed.frab_schedule(conference)
    return jsonify(data).get_data(), last_modified


@bp.route("/conferences/<slug>/schedule.json")
@public
@stateless
def schedule_json(slug: str) -> ResponseReturnValue:
    return serve_bytes(
        f"programme:{slug}:schedule.json",
        lambda: _frab_bytes(_conference(slug)),
        content_type="application/json",
    )
