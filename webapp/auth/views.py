from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from webapp import audit
from webapp.auth import services
from webapp.auth.forms import LoginForm, PasswordForm
from webapp.extensions import db, limiter
from webapp.security import public, signed_in

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


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    _login_limit,
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 302,
    error_message="Too many failed sign-in attempts from your address. Wait a minute and try again.",
)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            session.permanent = True  # ends PERMANENT_SESSION_LIFETIME after the last request
            login_user(user, remember=bool(form.remember.data))
            audit.record(audit.Actor(user.email, user.id), "user.login", "user", user.id)
            db.session.commit()
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(_safe_next(form.next.data))
        form.password.errors.append("Wrong email or password, or the account is deactivated.")
        return render_template("auth/login.html", form=form), 200
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout() -> ResponseReturnValue:
    logout_user()
    flash("Signed out.", "success")
    return redirect(url_for("main.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def password() -> ResponseReturnValue:
    form = PasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.email, form.current.data or "") is None:
            form.current.errors.append("That is not your current password.")
        else:
            try:
                services.set_password(current_user, form.password.data or "", audit.Actor.current())
            except services.AccountError as exc:
                form.password.errors.append(str(exc))
            else:
                db.session.commit()
                flash("Password changed.", "success")
                return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form)
