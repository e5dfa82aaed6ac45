"""The outbox and the mail templates, as organizers see and edit them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from webapp import audit, clock, mail
from webapp.cfp.forms import ButtonForm, MailTemplateForm
from webapp.cfp.organize.blueprint import bp, button_form_or_400
from webapp.cfp.services import mail_templates as mail_templates_service
from webapp.edit_forms import edit_form
from webapp.extensions import db
from webapp.models import MailTemplate, OutboxMessage, OutboxState
from webapp.security import roles_required
from webapp.transaction import Outcome, commit_or_show


@bp.route("/outbox")
@roles_required("organizer")
def outbox() -> ResponseReturnValue:
    rows = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.FAILED]))
        .order_by(OutboxMessage.id)
        .limit(500)
    ).all()
    sent = db.session.scalar(
        sa.select(sa.func.count()).where(OutboxMessage.state == OutboxState.SENT)
    )
    kind = request.args.get("template", "")
    kind = kind if kind in mail.DEFAULTS else ""
    address = request.args.get("to", "")[:254].strip().replace("\x00", "")
    return render_template(
        "cfp/organize/outbox.html",
        rows=rows,
        sent=sent,
        sent_rows=_sent(address, kind),
        kind=kind,
        address=address,
        kinds=sorted(mail.DEFAULTS),
        form=ButtonForm(),
    )


SENT_SHOWN = 200


def _sent(address: str, kind: str) -> list[OutboxMessage]:
    """Sent mail, newest first, by recipient (part of the address) and kind; bodies stay out."""
    query = sa.select(OutboxMessage).where(OutboxMessage.state == OutboxState.SENT)
    if address:
        like = "%" + address.lower().replace("\\", "\\\\").replace("%", "\\%")
        like = like.replace("_", "\\_") + "%"
        query = query.where(sa.func.lower(OutboxMessage.to_addr).like(like, escape="\\"))
    if kind:
        query = query.where(OutboxMessage.template == kind)
    return list(
        db.session.scalars(
            query.order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc()).limit(SENT_SHOWN)
        )
    )


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@roles_required("organizer")
def outbox_retry(message_id: int) -> ResponseReturnValue:
    message = db.get_or_404(OutboxMessage, message_id)
    button_form_or_400()
    # The dashboard's retry buttons come back to the dashboard; nothing else is accepted.
    back = (
        url_for("dashboard.index")
        if request.form.get("return_to") == "dashboard"
        else url_for("organize.outbox")
    )
    if message.state == OutboxState.SENT:
        flash("That message was sent already.", "error")
        return redirect(back)
    now = clock.now()

    def retry() -> None:
        mail.retry(message, now)
        mail_templates_service.retry_message(message.id, message.to_addr, audit.Actor.current())

    if commit_or_show(retry).ok:
        # The outbox worker sends it within seconds: a request never waits for the mail server.
        flash(f"Queued again for {message.to_addr}; it goes out within seconds.", "success")
    return redirect(back)


@bp.route("/mail-templates")
@roles_required("organizer")
def mail_templates() -> ResponseReturnValue:
    edited = {t.name for t in db.session.scalars(sa.select(MailTemplate))}
    return render_template(
        "cfp/organize/mail_templates.html", defaults=mail.DEFAULTS, edited=edited
    )


@bp.route("/mail-templates/<name>", methods=["GET", "POST"])
@roles_required("organizer")
def mail_template(name: str) -> ResponseReturnValue:
    if name not in mail.DEFAULTS:
        abort(404)
    subject, body = mail.template_text(name)
    form = edit_form(MailTemplateForm, {"subject": subject, "body": body})
    if form.validate_on_submit():
        actor = audit.Actor.current()
        done: Outcome[object]
        if request.form.get("reset"):
            done = commit_or_show(lambda: mail_templates_service.reset_template(name, actor))
            message = "Back to the default text."
        else:
            done = commit_or_show(
                lambda: mail_templates_service.save_template(
                    name, form.subject.data or "", form.body.data or "", actor, clock.now()
                ),
                form=form,
                field="body",
                refused=(mail.TemplateInvalid,),
            )
            message = "Template saved."
        if done.ok:
            flash(message, "success")
            return redirect(url_for("organize.mail_template", name=name))
    # The preview renders in the sandbox's child, under the same budget as the worker.
    shown = mail.preview(form.subject.data or "", form.body.data or "", name)
    return render_template(
        "cfp/organize/mail_template.html",
        name=name,
        form=form,
        default=mail.DEFAULTS[name],
        preview=shown if isinstance(shown, tuple) else None,
        preview_error=shown if isinstance(shown, str) else None,
    )
