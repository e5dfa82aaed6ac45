"""Gunicorn settings for Cadence (`make serve`, or
`gunicorn --config gunicorn.conf.py wsgi:app`)."""

import os

bind = os.environ.get("CADENCE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 1
timeout = 30
graceful_timeout = 20
# Workers are recycled now and then so that slow leaks cannot build up. Recycling must stay
# cheap: calendar clients poll feeds at thousands of requests a second, and with
# max_requests = 5000 each worker was replaced every ~2 s, each new worker importing the whole
# app again (a third of the feed rate went into imports). So the app is imported once, in the
# master (preload_app), and a recycled worker is a fork; database connections are opened only
# after the fork (post_fork below drops any the master may hold), and recycling is rarer.
preload_app = True
max_requests = 100000
max_requests_jitter = 10000
accesslog = "-"
errorlog = "-"
# Speaker links and late-submission links are tokens in URLs: redacted in both logs
# (webapp/logs.py, with the patterns of webapp/redact.py).
logger_class = "webapp.logs.GunicornLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """A forked worker must not share the master's database connections (if any)."""
    app = server.app.wsgi()
    if hasattr(app, "app_context") and "sqlalchemy" in getattr(app, "extensions", {}):
        from webapp.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)
