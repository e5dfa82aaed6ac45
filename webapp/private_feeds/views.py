"""The private feeds' address, and the account's and the speaker's controls of them."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp import audit, clock
from webapp.auth.forms import ButtonForm
from webapp.cfp import services as cfp
from webapp.extensions import db
from webapp.ical import render_calendar
from webapp.meetings.feeds.http import serve_bytes
from webapp.models import Person, Speaker, User
from webapp.private_feeds import services
from webapp.security import public, signed_in, stateless
from webapp.transaction import commit_or_show

bp = Blueprint("private_feeds", __name__)


@bp.route("/calendar/private/<token>.ics")
@public
@stateless
def feed(token: str) -> ResponseReturnValue:
    """The token is looked up on every request (never replayed by ``FastFeeds``, whose paths do
    not include these), so a reset address is a 404 at once."""
    found = services.by_token(token)
    if found is None:
        abort(404, "There is no calendar at this address: it was reset, or never existed.")
    now = clock.now()
    user = db.session.get(User, found.user_id) if found.user_id is not None else None
    speaker = db.session.get(Speaker, found.speaker_id) if found.speaker_id is not None else None
    if (user is None or not user.active) and speaker is None:
        abort(404, "There is no calendar at this address: it was reset, or never existed.")

    def render() -> tuple[bytes, datetime]:
        calendar = (
            services.account_calendar(user, now)
            if user is not None
            else services.speaker_calendar(speaker)  # type: ignore[arg-type]
        )
        return render_calendar(calendar), calendar.last_modified_utc

    return serve_bytes(
        services.render_key(found),
        render,
        version=services.version(now),
        private=True,
        headers=[("Referrer-Policy", "no-referrer")],
    )


# --- the account ---------------------------------------------------------------------------------


def _confirmed() -> bool:
    """A Reset of an address in use is asked once (the old address stops working)."""
    return request.form.get("confirm") == "1"


def _ask(what: str, reset_url: str, back_url: str) -> ResponseReturnValue:
    return render_template(
        "private_feeds/confirm_reset.html", what=what, reset_url=reset_url, back_url=back_url
    )


def _account() -> ResponseReturnValue:
    return redirect(url_for("auth.account") + "#calendar")


@bp.route("/account/calendar/reset", methods=["POST"])
@signed_in
def account_reset() -> ResponseReturnValue:
    if not ButtonForm().validate_on_submit():
        return _account()
    user = db.session.get(User, current_user.id)
    assert user is not None  # noqa: S101 - signed in
    had = services.feed_of(user=user) is not None
    if had and not _confirmed():
        return _ask(
            "Your calendar",
            url_for("private_feeds.account_reset"),
            url_for("auth.account") + "#calendar",
        )
    if commit_or_show(lambda: services.reset(clock.now(), user=user)).ok:
        flash(
            "Your calendar has a new address; the old one no longer works."
            if had
            else "Your calendar address is ready.",
            "success",
        )
    return _account()


@bp.route("/account/calendar/person", methods=["POST"])
@signed_in
def account_person() -> ResponseReturnValue:
    """Link the account to a person (``person`` = its id), or unlink it (``person`` empty)."""
    if not ButtonForm().validate_on_submit():
        return _account()
    user = db.session.get(User, current_user.id)
    assert user is not None  # noqa: S101 - signed in
    raw = (request.form.get("person") or "").strip()
    person = None
    if raw and (not raw.isdigit() or (person := db.session.get(Person, int(raw))) is None):
        flash("Choose a person from the list.", "error")
        return _account()
    outcome = commit_or_show(
        lambda: services.link_person(user, person, audit.Actor.current()),
        refused=(services.PrivateFeedError,),
    )
    if outcome.ok:
        flash(
            f"Your account is linked to {person.name}." if person else "Your account is unlinked.",
            "success",
        )
    return _account()


@bp.route("/account/calendar/series", methods=["POST"])
@signed_in
def account_series() -> ResponseReturnValue:
    if not ButtonForm().validate_on_submit():
        return _account()
    user = db.session.get(User, current_user.id)
    assert user is not None  # noqa: S101 - signed in
    raw = request.form.getlist("series")
    if not all(v.isdigit() for v in raw):
        flash("Choose series from the list.", "error")
        return _account()
    chosen = {int(v) for v in raw}
    if commit_or_show(
        lambda: services.set_followed(user, chosen), refused=(services.PrivateFeedError,)
    ).ok:
        flash("The series in your calendar are saved.", "success")
    return _account()


# --- the speaker ---------------------------------------------------------------------------------


@bp.route("/cfp/s/<token>/calendar/reset", methods=["POST"])
@public
def speaker_reset(token: str) -> ResponseReturnValue:
    speaker = cfp.speaker_by_token(token)
    if speaker is None:
        abort(404, "This private link is not valid. Use the latest link we mailed you.")
    if ButtonForm().validate_on_submit():
        had = services.feed_of(speaker=speaker) is not None
        if had and not _confirmed():
            return _ask(
                "Your talks' calendar",
                url_for("private_feeds.speaker_reset", token=token),
                url_for("cfp.speaker_page", token=token) + "#calendar",
            )
        if commit_or_show(lambda: services.reset(clock.now(), speaker=speaker)).ok:
            flash(
                "Your talks' calendar has a new address; the old one no longer works."
                if had
                else "Your talks' calendar address is ready.",
                "success",
            )
    return redirect(url_for("cfp.speaker_page", token=token) + "#calendar")
