"""Configuration: defaults here, then ``instance/config.py``, then environment variables.

No secret lives in this file. A development secret key is generated into the instance folder on
first run; production mode (``CADENCE_ENV=production``) refuses to start with it.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(SystemExit):
    """A configuration mistake: printed as one line, and the process exits with status 1."""

    def __init__(self, message: str) -> None:
        super().__init__(f"cadence: configuration error: {message}")


DEFAULTS: dict[str, Any] = {
    "CADENCE_ENV": "development",
    # None: http://HOST:PORT of the server being run (``default_base_url``).
    "CADENCE_BASE_URL": None,
    "COMMUNITY_NAME": "bhyve community",
    "DEFAULT_TIMEZONE": "America/New_York",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "REDIS_URL": None,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    # "Keep me signed in" (Flask-Login's remember cookie) lasts two weeks, not its default year.
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_TIMEOUT": 10,
    "MAIL_DEFAULT_SENDER": "Cadence <cadence@localhost>",
    # Development only: the outbox writes each message as an .eml file in this folder (relative:
    # in the instance folder) instead of sending it; `make run` sets it when no MAIL_SERVER is.
    "MAIL_FILE_DIR": None,
    # The mail server takes addresses with non-ASCII before the @ (RFC 6531); off: refused.
    "MAIL_SMTPUTF8": False,
    # Mail templates render in a child process: CPU seconds per render, address space (MB).
    "MAIL_RENDER_CPU_SECONDS": 0.5,
    "MAIL_RENDER_MEMORY_MB": 256,
    # Old secret keys, newest first: they still open sessions, forms, "keep me signed in"
    # cookies and sealed mail; new ones use SECRET_KEY (README: "Rotating the secret key").
    "SECRET_KEY_FALLBACKS": [],
    "FEED_PAST_MONTHS": 12,
    # How long clients and proxies may reuse a feed before asking again (seconds).
    "FEED_MAX_AGE": 900,
    # Answer repeated feed requests below Flask (webapp.meetings.feeds.FastFeeds).
    "FEED_FAST_PATH": True,
    # Seconds a process may reuse the feeds' data version before asking the database again.
    "FEED_VERSION_TTL": 1,
    # Answer anonymous GETs of public pages from stored renders (webapp.page_cache).
    "PAGE_CACHE": True,
    # Call for papers: submissions per client address (Flask-Limiter syntax), on POST only.
    "CFP_RATE_LIMIT": "10 per hour",
    # "Send me my link": requests per client address, and per address asked for.
    "CFP_LINK_RATE_LIMIT": "5 per hour",
    "CFP_LINK_ADDRESS_LIMIT": "3 per day",
    "SUBSCRIBE_RATE_LIMIT": "5 per hour",
    "SUBSCRIBE_ADDRESS_LIMIT": "3 per day",
    # Co-speaker invitations: per conference per day, and distinct addresses per submitter.
    "CFP_INVITATIONS_PER_DAY": 100,
    "CFP_INVITEES_PER_SUBMITTER": 12,
    # Wrong passwords for one account before each next check waits (1 s, 2 s, 4 s … at most
    # LOGIN_MAX_DELAY seconds); a right password starts the count again.
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_MAX_DELAY": 300,
    # Outbox: the worker (`flask outbox work`) sends committed messages within seconds and
    # retries with exponential backoff, up to MAIL_MAX_ATTEMPTS.
    "MAIL_MAX_ATTEMPTS": 8,
    # Tests (and only tests) may set CADENCE_NOW to a callable returning an aware datetime.
    "CADENCE_NOW": None,
    # TEST-ONLY: seconds a CFP submission waits after its rows are written and before the commit,
    # so that fault tests can kill a worker mid-request. Always 0 in production mode.
    "CFP_TEST_DELAY_SECONDS": 0,
}

# Environment variables read on top of instance/config.py, and how to read them.
_ENV_STR = (
    "SECRET_KEY",
    "CADENCE_ENV",
    "CADENCE_BASE_URL",
    "REDIS_URL",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "MAIL_FILE_DIR",
    "CFP_RATE_LIMIT",
    "CFP_LINK_RATE_LIMIT",
    "CFP_LINK_ADDRESS_LIMIT",
    "SUBSCRIBE_RATE_LIMIT",
    "SUBSCRIBE_ADDRESS_LIMIT",
)
_ENV_INT = (
    "MAIL_PORT",
    "MAIL_TIMEOUT",
    "FEED_PAST_MONTHS",
    "FEED_MAX_AGE",
    "FEED_VERSION_TTL",
    "MAIL_MAX_ATTEMPTS",
    "MAIL_RENDER_MEMORY_MB",
    "CFP_INVITATIONS_PER_DAY",
    "CFP_INVITEES_PER_SUBMITTER",
    "LOGIN_FREE_FAILURES",
    "LOGIN_MAX_DELAY",
)
_ENV_BOOL = ("MAIL_USE_TLS", "MAIL_USE_SSL", "PROXY_FIX", "MAIL_SMTPUTF8", "PAGE_CACHE")
_ENV_FLOAT = ("CFP_TEST_DELAY_SECONDS", "MAIL_RENDER_CPU_SECONDS")
#: Read as a list, comma-separated: SECRET_KEY_FALLBACKS="older-key,oldest-key".
_ENV_LIST = ("SECRET_KEY_FALLBACKS",)

#: Values that must never sign a production session.
INSECURE_KEYS = {"", "dev", "development", "secret", "changeme", "you-will-never-guess"}
DEV_KEY_FILE = "secret_key"


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Pick Cadence's settings out of the process environment."""
    found: dict[str, Any] = {}
    for name in _ENV_STR:
        if environ.get(name):
            found[name] = environ[name]
    for name in _ENV_INT:
        if environ.get(name):
            try:
                found[name] = int(environ[name])
            except ValueError:
                raise ConfigError(f"{name} must be a whole number, not {environ[name]!r}") from None
    for name in _ENV_BOOL:
        if environ.get(name):
            found[name] = environ[name].strip().lower() in {"1", "true", "yes", "on"}
    for name in _ENV_FLOAT:
        if environ.get(name):
            try:
                found[name] = float(environ[name])
            except ValueError:
                raise ConfigError(f"{name} must be a number, not {environ[name]!r}") from None
    for name in _ENV_LIST:
        if environ.get(name):
            found[name] = [part.strip() for part in environ[name].split(",") if part.strip()]
    if environ.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    return found


def normalise_database_url(url: str) -> str:
    """Check a database URL and select the psycopg 3 driver for plain ``postgresql://`` URLs."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL {url!r} is not a database URL "
            "(expected e.g. sqlite:///path.db or postgresql://user@host/dbname)"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(f"DATABASE_URL uses {backend!r}; Cadence supports sqlite and postgresql")
    if backend == "postgresql" and parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def development_secret_key(instance_path: Path) -> str:
    """Read, or create once, the instance folder's generated development key."""
    path = instance_path / DEV_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def default_base_url(environ: os._Environ[str] | dict[str, str]) -> str:
    """Where the development server or gunicorn serves, when ``CADENCE_BASE_URL`` is not set:
    ``http://HOST:PORT`` from the environment (``make run`` and ``make serve`` pass both), so
    ``PORT=5500 make run`` puts :5500 in subscribe buttons, feeds and mail. A wildcard listen
    address (0.0.0.0, ::) becomes 127.0.0.1."""
    port = environ.get("PORT") or "5000"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"PORT must be a port number, not {port!r}")
    host = environ.get("HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - a listen address, replaced
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{int(port)}"


def finalise(
    config: dict[str, Any], instance_path: Path, environ: os._Environ[str] | None = None
) -> None:
    """Fill derived settings and refuse unsafe ones. Mutates ``config``."""
    if not config.get("CADENCE_BASE_URL"):
        config["CADENCE_BASE_URL"] = default_base_url(
            environ if environ is not None else os.environ
        )
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'cadence.sqlite'}"
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # No pool pre-ping needed, and SQLite waits for a lock rather than failing at once.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}

    production = config.get("CADENCE_ENV") == "production"
    if not config.get("SECRET_KEY"):
        if production:
            raise ConfigError(
                "SECRET_KEY is not set; production mode refuses the generated development key"
            )
        config["SECRET_KEY"] = development_secret_key(instance_path)
    key = str(config["SECRET_KEY"])
    if production:
        dev_file = instance_path / DEV_KEY_FILE
        if key in INSECURE_KEYS or (dev_file.exists() and dev_file.read_text().strip() == key):
            raise ConfigError("SECRET_KEY is a development key; set a secret one for production")
        if len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        # A test-only hook never slows a production server down.
        config["CFP_TEST_DELAY_SECONDS"] = 0
        if config.get("MAIL_FILE_DIR"):
            raise ConfigError("MAIL_FILE_DIR is for development; production sends by SMTP")
    if config.get("MAIL_FILE_DIR"):
        config["MAIL_FILE_DIR"] = str(instance_path / config["MAIL_FILE_DIR"])

    _rotation(config, production)

    if config.get("REDIS_URL") and not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]
    config.setdefault("RATELIMIT_STORAGE_URI", "memory://")

    https = str(config.get("CADENCE_BASE_URL", "")).startswith("https://")
    # Flask pre-fills these with http defaults, so an https base URL switches them on.
    config["SESSION_COOKIE_SECURE"] = bool(config.get("SESSION_COOKIE_SECURE")) or https
    config["REMEMBER_COOKIE_SECURE"] = bool(config.get("REMEMBER_COOKIE_SECURE")) or https
    if https:
        config["PREFERRED_URL_SCHEME"] = "https"


def _rotation(config: dict[str, Any], production: bool) -> None:
    """Old keys (``SECRET_KEY_FALLBACKS``) verify sessions, sealed mail and CSRF tokens.

    Flask-WTF signs its tokens with ``WTF_CSRF_SECRET_KEY``, else ``SECRET_KEY`` alone; given
    the list of keys (oldest first, as itsdangerous takes them: it signs with the last), a form
    opened before a rotation can still be sent after it."""
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, str):
        fallbacks = [fallbacks]
    fallbacks = [str(k) for k in fallbacks if str(k) and str(k) != str(config["SECRET_KEY"])]
    if production and any(k in INSECURE_KEYS or len(k) < 32 for k in fallbacks):
        raise ConfigError("SECRET_KEY_FALLBACKS holds a key shorter than 32 characters")
    config["SECRET_KEY_FALLBACKS"] = fallbacks
    if not config.get("WTF_CSRF_SECRET_KEY"):
        config["WTF_CSRF_SECRET_KEY"] = [*fallbacks, str(config["SECRET_KEY"])]
