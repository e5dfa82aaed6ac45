"""Gunicorn settings for Cadence (`make serve`, or `gunicorn --config gunicorn.conf.py wsgi:app`)."""

import os

bind = os.environ.get("CADENCE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 1
timeout = 30
graceful_timeout = 20
# Restart workers now and then so that slow leaks cannot build up.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
# Speaker links and late-submission links are tokens in URLs: redacted in both logs
# (webapp/logs.py, with the patterns of webapp/redact.py).
logger_class = "webapp.logs.GunicornLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
