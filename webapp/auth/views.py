"""Signing in and out, the account page (signed-in devices), and changing one's password."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from webapp import audit, clock
from webapp.auth import services, signins, throttle
from webapp.auth.forms import ButtonForm, LoginForm, PasswordForm
from webapp.extensions import limiter
from webapp.models import User
from webapp.security import public, signed_in
from webapp.transaction import commit_or_show

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("dashboard.index")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _password_refused(response: object) -> bool:
    return bool(g.get("password_refused"))


def _claim_check(email: str, field: Any) -> dict[str, str] | None:
    """Claim one password check for the account (``webapp.auth.throttle``); when it must
    wait, the reason goes beside ``field`` and the headers of the answer are returned."""
    try:
        throttle.claim(email, clock.now(), throttle.Policy.of(current_app.config))
    except throttle.TooSoon as exc:
        field.errors.append(str(exc))
        return {"Retry-After": str(exc.seconds)}
    return None


def _begin_session(user: User, remember: bool) -> None:
    """Put the sign-in ``user.sign_in_token`` into a fresh session: a new CSRF token, a
    session that ends PERMANENT_SESSION_LIFETIME after the last request, and with
    ``remember`` the "keep me signed in" cookie."""
    session.pop("csrf_token", None)  # the CSRF token rotates at every sign-in
    g.pop("csrf_token", None)
    session.permanent = True
    login_user(user, remember=remember)


def _start_sign_in(user: User, remember: bool) -> str:
    return signins.start(
        user,
        remember,
        request.user_agent.string,
        clock.now(),
        signins.Lifetimes.of(current_app.config),
    )


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    _login_limit,
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 302,
    error_message=(
        "Too many failed sign-in attempts from your address. Wait a minute and try again."
    ),
)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = form.email.data or ""
        waiting = _claim_check(email, form.password)
        if waiting is not None:
            return render_template("auth/login.html", form=form), 429, waiting
        user = services.authenticate(email, form.password.data or "")
        if user is None:
            form.password.errors.append("Wrong email or password, or the account is deactivated.")
            return render_template("auth/login.html", form=form), 200
        throttle.succeeded(email)
        remember = bool(form.remember.data)

        def sign_in() -> str:
            audit.record(audit.Actor(user.email, user.id), "user.login", "user", user.id)
            return _start_sign_in(user, remember)

        if commit_or_show(sign_in, form=form).ok:
            _begin_session(user, remember)
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(_safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout() -> ResponseReturnValue:
    sign_in_id = getattr(current_user, "sign_in_id", None)
    if sign_in_id is not None:
        commit_or_show(lambda: signins.revoke(sign_in_id, clock.now()))
    logout_user()
    flash("Signed out.", "success")
    return redirect(url_for("main.home"))


@bp.route("/account")
@signed_in
def account() -> ResponseReturnValue:
    from webapp.private_feeds.pages import account_context

    devices = signins.live(current_user.id, clock.now())
    return render_template(
        "auth/account.html",
        devices=devices,
        current_id=current_user.sign_in_id,
        form=ButtonForm(),
        calendar=account_context(current_user),
    )


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere() -> ResponseReturnValue:
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    user_id, email = current_user.id, current_user.email

    def end_all() -> None:
        signins.revoke_all(user_id, clock.now())
        audit.record(
            audit.Actor(email, user_id), "user.sign_out_everywhere", "user", user_id, email
        )

    if commit_or_show(end_all).ok:
        logout_user()
        flash("Signed out on every device, this one included.", "success")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.account"))


@bp.route("/account/devices/<int:sign_in_id>/sign-out", methods=["POST"])
@signed_in
def sign_out_device(sign_in_id: int) -> ResponseReturnValue:
    """End one of the account's own sign-ins (a lost phone); another account's is a 404."""
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    if sign_in_id not in {d.id for d in signins.live(current_user.id, clock.now())}:
        abort(404)
    if commit_or_show(lambda: signins.revoke(sign_in_id, clock.now())).ok:
        if sign_in_id == current_user.sign_in_id:
            logout_user()
            flash("Signed out.", "success")
            return redirect(url_for("auth.login"))
        flash("That device is signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    _login_limit,
    methods=["POST"],
    deduct_when=_password_refused,
    error_message=(
        "Too many wrong current passwords from your address. Wait a minute and try again."
    ),
)
def password() -> ResponseReturnValue:
    form = PasswordForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()  # type: ignore[attr-defined]
        waiting = _claim_check(user.email, form.current)
        if waiting is not None:
            return render_template("auth/password.html", form=form), 429, waiting
        if not services.check_password(user, form.current.data or ""):
            g.password_refused = True
            form.current.errors.append("That is not your current password.")
            return render_template("auth/password.html", form=form)
        throttle.succeeded(user.email)
        remember = user.sign_in_remember

        def change() -> str:
            services.set_password(user, form.password.data or "", audit.Actor.current())
            return _start_sign_in(user, remember)  # this browser stays signed in

        if commit_or_show(change, form=form, field="password").ok:
            _begin_session(user, remember)
            flash("Password changed. Every other device is signed out.", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form)
