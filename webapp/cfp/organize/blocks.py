"""Breaks and other blocks of the working programme: add, change, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from webapp import audit, clock
from webapp.cfp import services
from webapp.cfp.forms import BlockForm, ButtonForm
from webapp.cfp.organize.blueprint import bp, button_form_or_400, conference_or_404
from webapp.models import Conference, ProgrammeBlock
from webapp.security import roles_required
from webapp.transaction import commit_or_show


def _form(conference: Conference, block: ProgrammeBlock | None) -> BlockForm:
    kwargs: dict[str, Any] = {}
    if request.method == "GET":
        if block is not None:
            local = conference.local(block.starts_at)
            kwargs.update(
                title=block.title,
                kind=block.kind,
                room=block.room_id or 0,
                day=local.date(),
                start=local.time(),
                minutes=block.minutes,
            )
        else:
            day = request.args.get("day", "")
            kwargs.update(day=conference.starts_on, room=0, kind="break")
            if day[:10] in {d.isoformat() for d in services.conference_days(conference)}:
                kwargs["day"] = datetime.fromisoformat(day[:10]).date()
    form = BlockForm(**kwargs)
    form.room.choices = [SelectChoice(0, "All rooms")] + [
        SelectChoice(r.id, r.name) for r in conference.rooms
    ]
    return form


def _data(form: BlockForm) -> services.BlockData:
    return services.BlockData(
        title=form.title.data or "",
        kind=form.kind.data or "",
        room_id=form.room.data or None,
        local_start=datetime.combine(form.day.data, form.start.data),  # type: ignore[arg-type]
        minutes=form.minutes.data or 0,
    )


def _block_or_404(conference: Conference, block_id: int) -> ProgrammeBlock:
    block = services.block_by_id(conference, block_id)
    if block is None:
        abort(404)
    return block


def _edit(conference: Conference, block: ProgrammeBlock | None) -> ResponseReturnValue:
    form = _form(conference, block)
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: services.save_block(
                conference, block, _data(form), audit.Actor.current(), clock.now()
            ),
            form=form,
            field="start",
            refused=(services.CfpError,),
        )
        if outcome.value is not None:
            saved, warnings = outcome.value
            flash(f"{saved.kind.capitalize()} “{saved.title}” saved.", "success")
            for warning in warnings:
                flash(warning.message, "warning")
            day = conference.local(saved.starts_at).date().isoformat()
            return redirect(url_for("organize.grid", slug=conference.slug, day=day))
    return render_template(
        "cfp/organize/block_form.html",
        conference=conference,
        block=block,
        form=form,
        button=ButtonForm(),
    ), (409 if request.method == "POST" else 200)


@bp.route("/conferences/<slug>/programme/blocks/new", methods=["GET", "POST"])
@roles_required("organizer")
def block_new(slug: str) -> ResponseReturnValue:
    return _edit(conference_or_404(slug), None)


@bp.route("/conferences/<slug>/programme/blocks/<int:block_id>", methods=["GET", "POST"])
@roles_required("organizer")
def block_edit(slug: str, block_id: int) -> ResponseReturnValue:
    conference = conference_or_404(slug)
    return _edit(conference, _block_or_404(conference, block_id))


@bp.route("/conferences/<slug>/programme/blocks/<int:block_id>/delete", methods=["GET", "POST"])
@roles_required("organizer")
def block_delete(slug: str, block_id: int) -> ResponseReturnValue:
    """Asks first (GET), then deletes (POST); the public programme keeps it until a release."""
    conference = conference_or_404(slug)
    block = _block_or_404(conference, block_id)
    if request.method == "GET":
        return render_template(
            "cfp/organize/block_delete.html",
            conference=conference,
            block=block,
            button=ButtonForm(),
        )
    button_form_or_400()
    title = block.title
    if commit_or_show(lambda: services.delete_block(block, audit.Actor.current())).ok:
        flash(
            f"“{title}” deleted; it leaves the public programme with the next release.", "success"
        )
    return redirect(url_for("organize.programme", slug=slug))
