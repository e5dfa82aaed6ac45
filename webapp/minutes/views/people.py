"""The people pages: the list, one person's attendance and follow-ups, adding and editing."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from webapp import audit
from webapp.extensions import db
from webapp.minutes import services as svc
from webapp.minutes.forms import PersonForm
from webapp.minutes.views.helpers import EDITORS, bp, can_edit
from webapp.models import Person
from webapp.security import public, roles_required


@bp.route("/people/")
@public
def people() -> ResponseReturnValue:
    return render_template("minutes/people.html", people=svc.list_people())


@bp.route("/people/<int:person_id>")
@public
def person(person_id: int) -> ResponseReturnValue:
    who = db.get_or_404(Person, person_id)
    attended = svc.attendance_of(who, published_only=not can_edit())
    items = [f for f in svc.follow_ups_of(who) if can_edit() or f.raised_at.series.public]
    return render_template("minutes/person.html", person=who, attended=attended, follow_ups=items)


def _person_form(who: Person | None) -> ResponseReturnValue:
    form = PersonForm(obj=who)
    if form.validate_on_submit():
        actor = audit.Actor.current()
        aliases = (form.aliases.data or "").split(",")
        try:
            if who is None:
                who = svc.create_person(
                    form.name.data or "",
                    actor,
                    email=form.email.data or "",
                    affiliation=form.affiliation.data or "",
                    aliases=aliases,
                )
            else:
                svc.update_person(
                    who,
                    form.name.data or "",
                    actor,
                    email=form.email.data or "",
                    affiliation=form.affiliation.data or "",
                    aliases=aliases,
                )
        except svc.PersonError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{who.name} saved.", "success")
            return redirect(url_for("minutes.person", person_id=who.id))
    status = 400 if request.method == "POST" else 200
    return render_template("minutes/person_form.html", form=form, person=who), status


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def person_new() -> ResponseReturnValue:
    return _person_form(None)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def person_edit(person_id: int) -> ResponseReturnValue:
    return _person_form(db.get_or_404(Person, person_id))
