"""The Atom feed of published minutes."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
)
from flask.typing import ResponseReturnValue

from webapp.minutes import atom
from webapp.minutes import services as svc
from webapp.minutes.views.helpers import bp
from webapp.security import public


@bp.route("/minutes.atom")
@public
def feed() -> ResponseReturnValue:
    base = str(current_app.config["CADENCE_BASE_URL"]).rstrip("/")
    body = atom.feed(svc.published_minutes(), base)
    return Response(body, mimetype="application/atom+xml")
