"""The people pages: the list, one person's attendance and follow-ups, adding and editing."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from webapp import audit
from webapp.converters import positive_int
from webapp.edit_forms import edit_form
from webapp.extensions import db
from webapp.minutes import services as svc
from webapp.minutes.forms import MergeForm, PersonForm
from webapp.minutes.services.suggest import merge_suggestions
from webapp.minutes.views.helpers import EDITORS, bp, can_edit
from webapp.models import Person
from webapp.security import public, roles_required
from webapp.transaction import commit_or_show


@bp.route("/people/")
@public
def people() -> ResponseReturnValue:
    editor = can_edit()
    people = svc.list_people(public_only=not editor)
    suggestions = merge_suggestions() if editor else []
    return render_template("minutes/people.html", people=people, suggestions=suggestions)


@bp.route("/people/<int:person_id>/merge/preview")
@roles_required(*EDITORS)
def person_merge_preview(person_id: int) -> ResponseReturnValue:
    """What merging ``other`` into this person would move, and the button that does it: the one
    confirmation of a merge (from the person's page and from the people page's suggestions)."""
    keep = db.get_or_404(Person, person_id)
    other = positive_int(request.args.get("other"))
    drop = db.get_or_404(Person, other) if other else None
    if drop is None or drop.id == keep.id:
        flash("Choose another person to merge into this one.", "error")
        return redirect(url_for("minutes.person", person_id=keep.id))
    form = _merge_form(keep)
    form.other.data = drop.id
    preview = svc.merge_preview(keep, drop)
    return render_template("minutes/merge_preview.html", preview=preview, form=form)


@bp.route("/people/<int:person_id>")
@public
def person(person_id: int) -> ResponseReturnValue:
    who = db.get_or_404(Person, person_id)
    public_only = not can_edit()
    if public_only and not svc.is_public(who):
        abort(404)  # known only from drafts or private series: not a public name
    attended = svc.attendance_of(who, published_only=public_only)
    items = svc.follow_ups_of(who, public_only=public_only)
    merge = _merge_form(who) if not public_only else None
    return render_template(
        "minutes/person.html", person=who, attended=attended, follow_ups=items, merge_form=merge
    )


def _merge_form(who: Person) -> MergeForm:
    form = MergeForm()
    form.other.choices = [
        SelectChoice(p.id, p.name + (f" ({p.handle})" if p.handle else ""))
        for p in svc.list_people()
        if p.id != who.id
    ]
    return form


@bp.route("/people/<int:person_id>/merge", methods=["POST"])
@roles_required(*EDITORS)
def person_merge(person_id: int) -> ResponseReturnValue:
    """Organizers and scribes fold a duplicate (``jhb``) into the person (``John Baldwin``), from
    the preview's button (``person_merge_preview``)."""
    keep = db.get_or_404(Person, person_id)
    form = _merge_form(keep)
    if not form.validate_on_submit():
        flash("Choose the person to merge into this one.", "error")
        return redirect(url_for("minutes.person", person_id=keep.id))
    gone = db.get_or_404(Person, form.other.data)
    gone_name = gone.name
    outcome = commit_or_show(
        lambda: svc.merge_people(keep, gone, audit.Actor.current()), refused=(svc.PersonError,)
    )
    if outcome.ok:
        flash(f"{gone_name} merged into {keep.name}.", "success")
    return redirect(url_for("minutes.person", person_id=keep.id))


def _person_form(who: Person | None) -> ResponseReturnValue:
    form = (
        PersonForm()
        if who is None
        else edit_form(
            PersonForm,
            {
                "name": who.name,
                "handle": who.handle or "",
                "email": who.email,
                "affiliation": who.affiliation,
                "aliases": who.aliases,
            },
        )
    )
    if form.validate_on_submit():
        actor = audit.Actor.current()
        name, email = form.name.data or "", form.email.data or ""
        affiliation, aliases = form.affiliation.data or "", (form.aliases.data or "").split(",")
        handle = form.handle.data or ""

        def change() -> Person:
            if who is None:
                return svc.create_person(
                    name,
                    actor,
                    email=email,
                    affiliation=affiliation,
                    aliases=aliases,
                    handle=handle,
                )
            svc.update_person(
                who, name, actor, email=email, affiliation=affiliation, aliases=aliases
            )
            return who

        outcome = commit_or_show(change, form=form, field="name", refused=(svc.PersonError,))
        if outcome.value is not None:
            flash(f"{outcome.value.name} saved.", "success")
            return redirect(url_for("minutes.person", person_id=outcome.value.id))
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
