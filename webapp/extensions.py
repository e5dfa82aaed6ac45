"""Flask extensions, created unbound and initialised in ``create_app``."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.utils import decode_cookie, encode_cookie
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from webapp.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()


class RotatingLoginManager(LoginManager):
    """Flask-Login signs the "keep me signed in" cookie with ``SECRET_KEY`` only; this one also
    takes a cookie signed with a key of ``SECRET_KEY_FALLBACKS`` (a key rotation keeps people
    signed in until the fallback is removed)."""

    def _load_user_from_remember_cookie(self, cookie: str) -> Any:
        if decode_cookie(cookie) is None:
            for key in current_app.config.get("SECRET_KEY_FALLBACKS") or []:
                payload = decode_cookie(cookie, key=key)
                if payload is not None:
                    cookie = encode_cookie(payload)
                    break
        return super()._load_user_from_remember_cookie(cookie)


login_manager = RotatingLoginManager()


def client_address() -> str:
    """The address rate limits count against (ProxyFix makes it the real client's)."""
    return get_remote_address() or request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address, default_limits=[])


def sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    """SQLite enforces foreign keys only when each connection asks (``create_app`` listens)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
