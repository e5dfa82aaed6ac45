"""The conference and its call for papers: public pages, speaker links, review, programme."""

from __future__ import annotations

from flask import Flask

from webapp import wiring


def init_app(app: Flask) -> None:
    from webapp import mail
    from webapp.cfp import feed, link_views, mail_kinds
    from webapp.cfp.organize import bp as organize_bp
    from webapp.cfp.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(organize_bp)
    app.register_blueprint(link_views.bp)
    wiring.of(app).feed_providers.append(feed.PROVIDER)
    mail_kinds.register(mail.DEFAULTS)
