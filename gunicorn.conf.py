"""Gunicorn settings for Cadence (`make serve`, or
`gunicorn --config gunicorn.conf.py wsgi:app`)."""

import os

bind = os.environ.get("CADENCE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threaded workers (gthread), for the call page's WebSockets (flask-sock): an open socket holds
# one thread of its worker for as long as the page is open, so a sync worker (one thread) would
# be taken by the first socket and killed by the timeout. With gthread the worker's main thread
# keeps answering the master's heartbeat while sockets are open, so `timeout` still catches a
# stuck worker, and requests (feeds, pages) are served by the other threads. Size `threads` for
# the sockets one worker should carry plus the ordinary requests beside them: 32 per worker means
# up to ~24 people on call pages per worker with headroom for everyone else. (gevent would carry
# more sockets per worker, but monkey-patching under psycopg and the outbox is a risk we do not
# need for a call of a few dozen people.) bench/feeds.py measures feeds under this setting.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
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


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """A stopping worker closes its call-page sockets first (a socket would otherwise hold the
    worker for the whole graceful timeout); browsers reconnect at once to another worker, and
    resend whatever edits were not yet acknowledged."""
    import signal
    import threading

    from webapp.live.hub import HUB

    stop = worker.handle_exit

    def handle_exit(sig, frame):  # type: ignore[no-untyped-def]
        threading.Thread(target=HUB.close_all, args=("The server is restarting.",)).start()
        stop(sig, frame)

    signal.signal(signal.SIGTERM, handle_exit)
