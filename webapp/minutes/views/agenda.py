"""Agenda items: organizers add and remove them on a meeting's agenda page."""

from __future__ import annotations

from flask import (
    flash,
    url_for,
)
from flask.typing import ResponseReturnValue

from webapp import audit
from webapp.extensions import db
from webapp.minutes import services as svc
from webapp.minutes.forms import AgendaItemForm
from webapp.minutes.views.helpers import back, bp, occurrence_or_404
from webapp.models import AgendaItem
from webapp.security import roles_required
from webapp.transaction import commit_or_show


@bp.route("/meetings/<slug>/<day>/agenda/items", methods=["POST"])
@roles_required("organizer")
def agenda_item_add(slug: str, day: str) -> ResponseReturnValue:
    series, meeting_day, _slot = occurrence_or_404(slug, day)
    form = AgendaItemForm()
    if not form.validate_on_submit():
        flash("An agenda item needs a text (at most 1000 characters).", "error")
    else:
        text = form.text.data or ""
        added = commit_or_show(
            lambda: svc.add_agenda_item(series, meeting_day, text, audit.Actor.current())
        )
        if added.ok:
            flash("Agenda item added.", "success")
    return back(url_for("minutes.agenda_page", slug=slug, day=day))


@bp.route("/agenda-items/<int:item_id>/delete", methods=["POST"])
@roles_required("organizer")
def agenda_item_delete(item_id: int) -> ResponseReturnValue:
    item = db.get_or_404(AgendaItem, item_id)
    if commit_or_show(lambda: svc.delete_agenda_item(item, audit.Actor.current())).ok:
        flash("Agenda item removed.", "success")
    return back(url_for("main.home"))
