"""The dashboard page: the registered sections, in order, for the signed-in user's roles."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp import clock
from webapp.dashboard import sections
from webapp.dashboard.blueprint import bp
from webapp.security import signed_in


@bp.route("/")
@signed_in
def index() -> ResponseReturnValue:
    return render_template(
        "dashboard/index.html", sections=sections.build(current_user, clock.now())
    )
