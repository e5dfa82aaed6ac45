"""Logs without secrets: every log line Cadence configures has its URL tokens redacted.

The patterns are :data:`webapp.redact.TOKEN_PATTERNS`, the same that clean sent mail. Covered:

- the development server's request log (the ``werkzeug`` logger) and Flask's own log (an
  exception names the request's path), through :class:`RedactingFilter`;
- gunicorn's access log and error log, through :class:`GunicornLogger`
  (``logger_class`` in ``gunicorn.conf.py``).

A log written by something else in front of Cadence (a reverse proxy) needs its own rule.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.glogging import Logger as _GunicornLogger

from webapp.redact import redact


class RedactingFilter(logging.Filter):
    """Formats the record's message once, redacted, so no handler sees the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def init_app(app: Flask) -> None:
    for logger in (logging.getLogger("werkzeug"), app.logger):
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


class GunicornLogger(_GunicornLogger):
    """Gunicorn's logger with every access-log atom (request line, path, query, referer,
    headers) and every error-log line redacted."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            logger.addFilter(_FILTER)

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        found = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in found.items()}
