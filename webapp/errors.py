"""Error pages in the site's layout; JSON for API clients."""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

from flask import Flask, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in first.",
    403: "Your account may not open this page.",
    404: "There is no page at this address.",
    405: "This page does not accept that kind of request.",
    413: "What you sent is too large.",
    429: "Too many requests. Wait a moment and try again.",
    500: "Something went wrong on our side. Nothing you typed was saved by this request.",
    503: "The database is not answering right now. Try again in a minute; a form you send again "
    "is stored once.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def _back_to() -> str | None:
    """Where signing in should lead back to: this page, or for a form post the page it was on."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return None


def render_error(code: int, reason: str | None = None) -> ResponseReturnValue:
    message = reason or MESSAGES.get(code, "Error.")
    if _wants_json():
        return {"error": code, "message": message}, code
    back = _back_to() if code == 401 else None
    return render_template("errors/error.html", code=code, message=message, back=back), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        return render_error(
            400,
            f"The form's security token is missing or expired ({exc.description}). "
            "Go back, reload the page and send it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        custom = (
            exc.description
            if exc.description and exc.description != type(exc).description
            else None
        )
        return render_error(code, custom)

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError) -> ResponseReturnValue:
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError) -> ResponseReturnValue:
        """The database went away (restart, failover, lock timeout): an honest 503, not a 500."""
        app.logger.warning("database unavailable: %s", exc.orig)
        with contextlib.suppress(Exception):  # the connection is gone; the pool replaces it
            db.session.rollback()
        try:
            response = make_response(render_error(503))
        except Exception:  # noqa: BLE001 - the page itself needed the database (a signed-in user)
            response = make_response(MESSAGES[503] + "\n", 503)
            response.mimetype = "text/plain"
        response.headers["Retry-After"] = "30"
        return response
