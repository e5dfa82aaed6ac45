"""The session cookie: set only when a session holds something, never on public resources.

Flask's signed-cookie session is kept, with two rules on top:

- Only a sign-in makes a session permanent (a cookie with an expiry); an anonymous visitor's
  session is a browser-session cookie, and exists only once a page stores something in it (a
  form's CSRF token, a flashed message). An anonymous GET of a public page stores nothing, so
  its answer carries no cookie.
- Responses of ``@stateless`` views (feeds, the programme's ICS and JSON, the JSON API) and
  static files never
  carry a cookie nor ``Vary: Cookie``, even for a signed-in visitor: their body is the same
  for everyone, so shared caches may keep them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user

from webapp.security import is_stateless


class CadenceSessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session: SessionMixin, response: Any) -> None:
        if request.endpoint == "static" or is_stateless(app, request.endpoint):
            return  # the session was neither read for the body nor changed by it
        super().save_session(app, session, response)


def resolve_sign_in() -> None:
    """Look the request's sign-in up before the view runs: its use is noted in a transaction of
    its own (``webapp.auth.signins.resolve``), which must not wait behind the view's writes."""
    if request.endpoint != "static" and not is_stateless(current_app, request.endpoint):
        current_user._get_current_object()  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    app.session_interface = CadenceSessionInterface()
