from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue

from webapp import clock, zonedata
from webapp.extensions import db
from webapp.meetings.pages import home_context
from webapp.security import public, stateless

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home() -> ResponseReturnValue:
    return render_template("main/home.html", **home_context(clock.now()))


@bp.route("/healthz")
@public
@stateless
def healthz() -> ResponseReturnValue:
    """For load balancers and monitors: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
    return jsonify(status="ok", database="ok", tzdata=zonedata.version())
