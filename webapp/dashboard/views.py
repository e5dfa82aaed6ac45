from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from webapp.security import signed_in

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.route("/")
@signed_in
def index() -> ResponseReturnValue:
    return render_template("dashboard/index.html")


# Routes in sibling modules register on ``bp`` when imported.
from webapp.dashboard import audit_views, settings_views  # noqa: E402, F401
