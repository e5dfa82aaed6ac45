"""Who may open which page, and the headers every response carries.

Every view declares its access with one of the decorators below; a ``before_request`` hook enforces
it, and a view that declares nothing is refused to everyone but admins (default deny). A test walks
the URL map to prove every endpoint declares its access and is enforced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTR = "_cadence_access"


@dataclass(frozen=True)
class Access:
    """``public``: anyone; ``signed_in``: any active account; otherwise one of ``roles``."""

    public: bool = False
    roles: tuple[str, ...] = ()

    def allows(self, user: Any) -> bool:
        if self.public:
            return True
        if not user.is_authenticated:
            return False
        return not self.roles or user.has_role(*self.roles)


def public(view: F) -> F:
    setattr(view, ACCESS_ATTR, Access(public=True))
    return view


def signed_in(view: F) -> F:
    setattr(view, ACCESS_ATTR, Access())
    return view


def roles_required(*roles: str) -> Callable[[F], F]:
    """Any of ``roles`` opens the view; admins open every view."""

    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTR, Access(roles=tuple(roles)))
        return view

    return decorate


STATELESS_ATTR = "_cadence_stateless"


def stateless(view: F) -> F:
    """Mark a public, cacheable resource (a calendar feed): its responses carry no session cookie
    and no ``Vary: Cookie``, so shared caches and calendar clients may keep them. Goes with
    ``@public``; the view must not read the session or ``current_user``."""
    setattr(view, STATELESS_ATTR, True)
    return view


def is_stateless(app: Flask, endpoint: str | None) -> bool:
    return bool(endpoint and getattr(app.view_functions.get(endpoint), STATELESS_ATTR, False))


def access_of(app: Flask, endpoint: str) -> Access | None:
    if endpoint == "static":
        return Access(public=True)
    view = app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None)


def enforce_access() -> ResponseReturnValue | None:
    endpoint = request.endpoint
    if endpoint is None:  # routing failed: let the 404/405 through
        return None
    access = access_of(current_app, endpoint) or Access(roles=("admin",))
    if access.allows(current_user):
        return None
    if not current_user.is_authenticated:
        if request.method == "GET" and not request.path.startswith("/api/"):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    abort(403)


TEXT_CHECKED_ATTR = "_cadence_text_checked"


def checks_text(view: F) -> F:
    """Mark a view whose form refuses control characters beside the field itself (a friendlier
    answer than :func:`refuse_nul`'s 400, keeping what was typed)."""
    setattr(view, TEXT_CHECKED_ATTR, True)
    return view


def refuse_nul() -> None:
    """A NUL byte in a query string or form answers 400 for every view and form: no database
    stores it (PostgreSQL refuses it in text) and no field has a use for it. Forms of
    ``@checks_text`` views say so beside the field instead."""
    texts = [text for pair in request.args.items(multi=True) for text in pair]
    view = current_app.view_functions.get(request.endpoint or "")
    if (
        request.method in {"POST", "PUT", "PATCH", "DELETE"}
        and request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}
        and not getattr(view, TEXT_CHECKED_ATTR, False)
    ):
        texts += [text for pair in request.form.items(multi=True) for text in pair]
        texts += [upload.filename or "" for upload in request.files.values()]
    if any("\x00" in text for text in texts):
        abort(400, "The request contains a NUL character, which no field accepts.")


def content_security_policy(style_nonce: str | None = None) -> str:
    """The strict policy; a page whose editor adds style elements (the call page's CodeMirror)
    sets ``g.csp_style_nonce`` and its own elements carry that nonce. Style attributes stay
    refused everywhere."""
    style = f"'self' 'nonce-{style_nonce}'" if style_nonce else "'self'"
    return (
        f"default-src 'self'; script-src 'self'; style-src {style}; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def security_headers(response: Any) -> Any:
    """Headers for every response. The pages use no inline script or style, so CSP is strict."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_style_nonce")))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("PREFERRED_URL_SCHEME") == "https":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
