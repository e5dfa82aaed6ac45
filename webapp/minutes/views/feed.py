"""The Atom feed of published minutes (the latest ones only)."""

from __future__ import annotations

from flask import Response
from flask.typing import ResponseReturnValue

from webapp.minutes import atom
from webapp.minutes import services as svc
from webapp.minutes.views.helpers import bp
from webapp.security import public, stateless


@bp.route("/minutes.atom")
@public
@stateless
def feed() -> ResponseReturnValue:
    body = atom.feed(svc.published_minutes(limit=atom.FEED_ENTRIES))
    return Response(body, mimetype="application/atom+xml")
