"""Cadence: the meetings, minutes and call for papers of an open-source community."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import config as cfg
from webapp.converters import CadenceMap

ROOT = Path(__file__).resolve().parent.parent


class Cadence(Flask):
    """Flask with Cadence's URL converters (webapp.converters) on every route."""

    url_map_class = CadenceMap


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``instance/config.py``, then the environment, then tests."""
    instance_path = Path(
        (test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("CADENCE_INSTANCE")
        or ROOT / "instance"
    )
    app = Cadence(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(cfg.DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(cfg.from_environment(os.environ))
    else:
        app.config.update(test_config)
    cfg.finalise(app.config, instance_path)

    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    from webapp import logs, wiring, zonedata

    zonedata.pin()
    logs.init_app(app)
    wiring.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)

    from webapp import cli, errors, page_cache

    page_cache.install(app)

    errors.register(app)
    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    import sqlalchemy as sa

    from webapp.extensions import csrf, db, limiter, login_manager, migrate, sqlite_foreign_keys
    from webapp.models import User

    db.init_app(app)
    from webapp import data_version, stored_html

    stored_html.init_app(app)
    data_version.init_app()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", sqlite_foreign_keys)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to open that page."
    # A signed-in session is permanent, where Flask-Login's "strong" protection acts as "basic"
    # anyway; what protects a copied cookie is that it carries a revocable sign-in token
    # (webapp.auth.signins), not the account id.
    login_manager.session_protection = "basic"
    login_manager.id_attribute = "session_token"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        from webapp import clock
        from webapp.auth import signins

        return signins.load_user(token, clock.now(), signins.Lifetimes.of(app.config))


def _register_blueprints(app: Flask) -> None:
    """Each area registers its blueprints and what it offers the others (``webapp.wiring``)."""
    from webapp import cfp, dashboard, live, meetings, minutes, private_feeds
    from webapp.auth.views import bp as auth_bp
    from webapp.main.views import bp as main_bp
    from webapp.users.views import bp as users_bp

    for bp in (main_bp, auth_bp, users_bp):
        app.register_blueprint(bp)
    meetings.init_app(app)
    minutes.init_app(app)
    live.init_app(app)
    cfp.init_app(app)
    dashboard.init_app(app)
    private_feeds.init_app(app)


def _register_hooks(app: Flask) -> None:
    from webapp import sessions
    from webapp.security import enforce_access, refuse_nul, security_headers

    sessions.init_app(app)
    app.before_request(refuse_nul)
    app.before_request(sessions.resolve_sign_in)
    app.before_request(enforce_access)
    app.after_request(security_headers)

    @app.context_processor
    def site() -> dict[str, Any]:
        from webapp import settings

        return {"community_name": settings.current().community_name}
