"""Account management for admins."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp import audit, clock
from webapp.auth import services
from webapp.edit_forms import edit_form
from webapp.extensions import db
from webapp.models import Person, User
from webapp.private_feeds import services as private_feeds
from webapp.security import roles_required
from webapp.transaction import commit_or_show
from webapp.users.forms import UserCreateForm, UserEditForm

bp = Blueprint("users", __name__, url_prefix="/admin/users")


@bp.route("/")
@roles_required("admin")
def index() -> ResponseReturnValue:
    return render_template("users/index.html", users=services.list_users())


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def create() -> ResponseReturnValue:
    form = UserCreateForm()
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: services.create_user(
                form.email.data or "",
                form.password.data or "",
                set(form.roles.data or []),
                audit.Actor.current(),
                name=form.name.data or "",
            ),
            form=form,
            field="email",
        )
        if outcome.ok and outcome.value is not None:
            flash(f"Account {outcome.value.email} created.", "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=None)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    form = edit_form(
        UserEditForm,
        {
            "name": user.name,
            "roles": sorted(user.roles),
            "active": user.active,
            "person": str(user.person_id or ""),
            "password": "",
        },
    )
    form.person.choices = [("", "Nobody")] + [
        (str(p.id), private_feeds.person_label(p)) for p in private_feeds.people_to_link(user)
    ]
    if form.validate_on_submit():
        wanted = set(form.roles.data or [])
        if user.id == current_user.id and ("admin" not in wanted or not form.active.data):
            form.roles.errors.append(
                "You cannot remove your own admin role or deactivate yourself."
            )
        else:
            actor, now = audit.Actor.current(), clock.now()

            def save() -> None:
                services.set_name(user, form.name.data or "", actor)
                services.set_roles(user, wanted, actor)
                # Deactivating the account, or a new password, signs it out everywhere.
                services.set_active(user, bool(form.active.data), actor, now)
                chosen = form.person.data or ""
                person = db.session.get(Person, int(chosen)) if chosen else None
                private_feeds.link_person(user, person, actor)
                if form.password.data:
                    services.set_password(user, form.password.data, actor, now)

            if commit_or_show(save, form=form, field="password").ok:
                flash(f"Account {user.email} saved.", "success")
                return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=user)
