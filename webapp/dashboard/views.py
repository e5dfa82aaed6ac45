from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp import clock
from webapp.dashboard import sections
from webapp.security import signed_in

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.route("/")
@signed_in
def index() -> ResponseReturnValue:
    return render_template(
        "dashboard/index.html", sections=sections.build(current_user, clock.now())
    )


# Routes and sections in sibling modules register when imported.
from webapp.dashboard import (  # noqa: E402, F401
    audit_views,
    cfp_sections,
    core_sections,
    meeting_sections,
    outbox_sections,
    settings_views,
)
