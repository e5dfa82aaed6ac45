"""Cadence: the meetings, minutes and call for papers of an open-source community."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import config as cfg

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``instance/config.py``, then the environment, then tests."""
    instance_path = Path(
        (test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("CADENCE_INSTANCE")
        or ROOT / "instance"
    )
    app = Flask(
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

    from webapp import wiring

    wiring.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)

    from webapp import cli, errors

    errors.register(app)
    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    import sqlalchemy as sa

    from webapp.extensions import csrf, db, limiter, login_manager, migrate, sqlite_foreign_keys
    from webapp.models import User

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", sqlite_foreign_keys)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to open that page."
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None


def _register_blueprints(app: Flask) -> None:
    """Each area registers its blueprints and what it offers the others (``webapp.wiring``)."""
    from webapp import cfp, dashboard, meetings, minutes
    from webapp.auth.views import bp as auth_bp
    from webapp.main.views import bp as main_bp
    from webapp.users.views import bp as users_bp

    for bp in (main_bp, auth_bp, users_bp):
        app.register_blueprint(bp)
    meetings.init_app(app)
    minutes.init_app(app)
    cfp.init_app(app)
    dashboard.init_app(app)


def _register_hooks(app: Flask) -> None:
    from flask import request, session

    from webapp.security import enforce_access, is_stateless, security_headers

    @app.before_request
    def make_session_permanent() -> None:
        # Sessions end PERMANENT_SESSION_LIFETIME after the last request. Stateless resources
        # (feeds) leave the session alone, so their responses set no cookie.
        if not is_stateless(app, request.endpoint):
            session.permanent = True

    app.before_request(enforce_access)
    app.after_request(security_headers)

    @app.context_processor
    def site() -> dict[str, Any]:
        from webapp import settings

        return {"community_name": settings.current().community_name}
