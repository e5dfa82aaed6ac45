""" "Send me my link" (``/conferences/SLUG/cfp/link``): the same answer for every address."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from webapp import addresses, clock
from webapp.cfp import services
from webapp.cfp.forms import LinkRequestForm
from webapp.cfp.services.link_requests import send_links
from webapp.extensions import limiter
from webapp.security import public
from webapp.transaction import commit_or_show

bp = Blueprint("cfp_links", __name__)


def _per_client() -> str:
    return str(current_app.config.get("CFP_LINK_RATE_LIMIT") or "5 per hour")


def _per_address() -> str:
    return str(current_app.config.get("CFP_LINK_ADDRESS_LIMIT") or "3 per day")


def _asked_address() -> str:
    """Requests for one address (by its key) are limited, whoever sends them."""
    typed = (request.form.get("email") or "").strip()
    return "link-address:" + (addresses.key_or_none(typed) or typed.lower()[:254])


@bp.route("/conferences/<slug>/cfp/link", methods=["GET", "POST"])
@public
@limiter.limit(_per_client, methods=["POST"])
@limiter.limit(_per_address, methods=["POST"], key_func=_asked_address)
def link_again(slug: str) -> ResponseReturnValue:
    conference = services.conference_by_slug(slug)
    if conference is None:
        abort(404)
    form = LinkRequestForm()
    if form.validate_on_submit():
        address = form.email.data or ""
        if commit_or_show(lambda: send_links(conference, address, clock.now()), form=form).ok:
            # The same words whether or not the address has a proposal here.
            flash(
                f"If {address} sent or was named on a proposal to {conference.name}, a mail "
                "with its private link is on its way there. Links we sent before keep working.",
                "success",
            )
            return redirect(url_for("cfp_links.link_again", slug=slug))
    return render_template("cfp/link_again.html", conference=conference, form=form)
