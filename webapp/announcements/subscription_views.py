"""Personal subscriptions' pages: ask (``/series/SLUG/subscribe``), confirm, unsubscribe, and
the organizers' list (``/organize/series/SLUG/subscribers``).

The series page stays cookie-free: it only links here. Asking is a form with a CSRF token
(so this page sets the session cookie), limited per client and per address asked for, with the
same answer whether or not the address is known. The confirm and unsubscribe pages take no
cookie: a GET only shows a button (a mail scanner that fetches the link changes nothing), the
POST does it; the POST needs no CSRF token because the token in its URL is the credential, and
the unsubscribe POST is the one-click of RFC 8058 (``List-Unsubscribe-Post``), sent by mail
programs without any cookie.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from webapp import addresses, audit, clock, sealed
from webapp.announcements import subscribers
from webapp.cfp.forms import PlainText
from webapp.extensions import csrf, limiter
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.models import Series, Subscriber
from webapp.models.subscribers import MAX_BOUNCES
from webapp.security import public, roles_required
from webapp.transaction import commit_or_show

bp = Blueprint("subscriptions", __name__)

ORGANIZERS = ("organizer",)


class SubscribeForm(FlaskForm):
    email = EmailField(
        "Your email",
        validators=[
            DataRequired("Give an email address."),
            Length(max=254, message=addresses.TOO_LONG_ADDRESS),
            PlainText(),
            addresses.Address(),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description="Required. We mail a link to confirm; nothing else until you use it.",
    )


def organized_series(slug: str) -> Series:
    try:
        return meetings.get_series(slug)
    except ScheduleError:
        abort(404, f"There is no meeting series called “{slug}”.")


def visible_series(slug: str) -> Series:
    """The series, or 404 (also for a private series asked for by the public)."""
    series = organized_series(slug)
    if not series.public and not (
        current_user.is_authenticated and current_user.has_role(*ORGANIZERS)
    ):
        abort(404, f"There is no meeting series called “{slug}”.")
    return series


class _Refused:
    """Where ``commit_or_show`` puts a refusal: shown on the page, never flashed (a flash would
    set a cookie on a page that must not)."""

    def __init__(self) -> None:
        self.form_errors: list[str] = []


def _per_client() -> str:
    return str(current_app.config.get("SUBSCRIBE_RATE_LIMIT") or "5 per hour")


def _per_address() -> str:
    return str(current_app.config.get("SUBSCRIBE_ADDRESS_LIMIT") or "3 per day")


def _asked_address() -> str:
    """Requests for one address (by its key) are limited, whoever sends them; the limiter's
    store (Redis) sees only its keyed hash."""
    typed = (request.form.get("email") or "").strip()
    key = addresses.key_or_none(typed) or typed.lower()[:254]
    return "subscribe-address:" + sealed.lookup_hash(key)


def _when_again() -> str:
    """When the limit just reached lets a request through again, in words."""
    current = limiter.current_limit
    wait = max(current.reset_at - time.time(), 1) if current else 60
    if wait <= 90:
        return "in a minute"
    if wait <= 90 * 60:
        return f"in {math.ceil(wait / 60)} minutes"
    hours = math.ceil(wait / 3600)
    return "in an hour" if hours == 1 else f"in {hours} hours"


def _too_many_from_client() -> str:
    return (
        "Too many subscription requests from your address: "
        f"{_per_client().replace(' per 1 ', ' per ')}. Try again {_when_again()}."
    )


def _too_many_for_address() -> str:
    return (
        "This email address was asked for too often: "
        f"{_per_address().replace(' per 1 ', ' per ')}. If the confirmation mail has not come, "
        f"look in your spam folder; or try again {_when_again()}."
    )


def _asked(response: Response) -> bool:
    """A request counts toward the limits when it asked for a mail: not a form with errors."""
    return response.status_code == 302


@bp.route("/series/<slug>/subscribe", methods=["GET", "POST"])
@public
@limiter.limit(
    _per_client, methods=["POST"], deduct_when=_asked, error_message=_too_many_from_client
)
@limiter.limit(
    _per_address,
    methods=["POST"],
    key_func=_asked_address,
    deduct_when=_asked,
    error_message=_too_many_for_address,
)
def subscribe(slug: str) -> ResponseReturnValue:
    series = visible_series(slug)
    form = SubscribeForm()
    if form.validate_on_submit():
        address = form.email.data or ""
        change = lambda: subscribers.request(series, address, clock.now())  # noqa: E731
        if commit_or_show(change, form=form).ok:
            # The same words whether or not the address is subscribed already.
            flash(
                f"A mail with a link to confirm is on its way to {address}. Nothing is sent "
                "to that address until the link is used.",
                "success",
            )
            return redirect(url_for("subscriptions.subscribe", slug=slug))
    return render_template("announcements/subscribe.html", series=series, form=form)


def _link_page(template: str, token: str, **context: object) -> str:
    return render_template(f"announcements/{template}.html", token=token, **context)


def _by_link(token: str, change: Callable[[], Subscriber], done: str) -> ResponseReturnValue:
    """Run ``change`` (confirm or unsubscribe by ``token``), commit once; the page that says
    what happened, or why the link does not work (404)."""
    refused = _Refused()
    outcome = commit_or_show(change, form=refused)
    if not outcome.ok or outcome.value is None:
        return _link_page("link_invalid", token, message=" ".join(refused.form_errors)), 404
    return _link_page(done, token, series=outcome.value.series)


@bp.route("/subscriptions/confirm/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def confirm(token: str) -> ResponseReturnValue:
    now = clock.now()
    if request.method == "POST":
        return _by_link(token, lambda: subscribers.confirm(token, now), "confirmed")
    try:
        subscriber = subscribers.by_confirm_token(token, now)
    except subscribers.LinkInvalid as exc:
        return _link_page("link_invalid", token, message=str(exc)), 404
    return _link_page("confirm", token, series=subscriber.series)


@bp.route("/subscriptions/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token: str) -> ResponseReturnValue:
    now = clock.now()
    if request.method == "POST":
        return _by_link(token, lambda: subscribers.unsubscribe(token, now), "unsubscribed")
    try:
        subscriber = subscribers.by_unsubscribe_token(token)
    except subscribers.LinkInvalid as exc:
        return _link_page("link_invalid", token, message=str(exc)), 404
    return _link_page("unsubscribe", token, series=subscriber.series, state=subscriber.state)


@bp.route("/organize/series/<slug>/subscribers")
@roles_required(*ORGANIZERS)
def organize(slug: str) -> ResponseReturnValue:
    series = organized_series(slug)
    rows = [(s, subscribers.masked_address(s)) for s in subscribers.of_series(series)]
    return render_template(
        "announcements/subscribers.html", series=series, rows=rows, max_bounces=MAX_BOUNCES
    )


@bp.route("/organize/series/<slug>/subscribers/<int:subscriber_id>/remove", methods=["GET", "POST"])
@roles_required(*ORGANIZERS)
def remove(slug: str, subscriber_id: int) -> ResponseReturnValue:
    series = organized_series(slug)
    subscriber = subscribers.get(series, subscriber_id)
    if subscriber is None:
        abort(404, "That subscriber is not (any more) on this series' list.")
    form = FlaskForm()
    if form.validate_on_submit():
        actor = audit.Actor.current()
        outcome = commit_or_show(lambda: subscribers.remove(series, subscriber, actor, clock.now()))
        if outcome.ok:
            flash(f"Removed {outcome.value}; nothing more is sent to that address.", "success")
        return redirect(url_for("subscriptions.organize", slug=slug))
    return render_template(
        "announcements/remove_subscriber.html",
        series=series,
        subscriber=subscriber,
        shown=subscribers.masked_address(subscriber),
        form=form,
    )
