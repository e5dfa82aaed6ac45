"""The bi-weekly call: series, their schedule, occurrences, pages, JSON API and calendar feeds."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.announcements.pages import bp as announcements_bp
    from webapp.announcements.subscription_views import bp as subscriptions_bp
    from webapp.meetings.api import bp as api_bp
    from webapp.meetings.feeds.http import install_fast_path
    from webapp.meetings.organize import bp as organize_bp
    from webapp.meetings.views import bp

    for blueprint in (bp, organize_bp, api_bp, announcements_bp, subscriptions_bp):
        app.register_blueprint(blueprint)
    install_fast_path(app)
