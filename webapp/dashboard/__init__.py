"""The organizer dashboard: sections per role, the audit log and the site settings."""

from __future__ import annotations

from flask import Flask

from webapp import wiring
from webapp.wiring import DashboardSection


def init_app(app: Flask) -> None:
    from webapp.dashboard import (
        audit_views,  # noqa: F401 - routes on the dashboard blueprint
        cfp_sections,
        core_sections,
        meeting_sections,
        outbox_sections,
        settings_views,  # noqa: F401 - routes on the dashboard blueprint
        views,  # noqa: F401 - routes on the dashboard blueprint
    )
    from webapp.dashboard.blueprint import bp

    board = wiring.of(app)
    for section in (
        DashboardSection(
            10, "dashboard/_meetings.html", ("organizer", "scribe"), meeting_sections.next_meetings
        ),
        DashboardSection(
            20,
            "dashboard/_follow_ups.html",
            ("organizer", "scribe"),
            meeting_sections.open_follow_ups,
        ),
        DashboardSection(
            30, "dashboard/_cfp.html", ("organizer", "reviewer"), cfp_sections.call_for_papers
        ),
        DashboardSection(40, "dashboard/_outbox.html", ("organizer",), outbox_sections.outbox),
        DashboardSection(
            90, "dashboard/_activity.html", ("organizer",), core_sections.recent_activity
        ),
    ):
        board.add_section(section)
    app.register_blueprint(bp)
