"""Tokens in URLs never reach the logs Cadence configures: the development server's request log,
Flask's log, and gunicorn's access log (run for real)."""

from __future__ import annotations

import contextlib
import logging
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.faults.conftest import server_env
from tests.servers import Gunicorn
from webapp.redact import redact

SPEAKER_TOKEN = "SpEaKeRtOkEn0123456789abcdefXYZ"
LATE_TOKEN = "LaTeToKeN0123456789abcdefXYZ"
FORM_TOKEN = "FoRmToKeN0123456789abcdefXYZ"
CALENDAR_TOKEN = "CaLeNdArToKeN0123456789abcdefXYZ"
PATHS = [
    f"/cfp/s/{SPEAKER_TOKEN}",
    f"/cfp/s/{SPEAKER_TOKEN}/edit?x=1",
    f"/conferences/nope/cfp?late={LATE_TOKEN}",
    f"/conferences/nope/cfp?lang=en&late={LATE_TOKEN}&b=2",
    f"/conferences/nope/cfp/received/{FORM_TOKEN}",
    f"/calendar/private/{CALENDAR_TOKEN}.ics",
]
TOKENS = (SPEAKER_TOKEN, LATE_TOKEN, FORM_TOKEN, CALENDAR_TOKEN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /cfp/s/abc123 HTTP/1.1", "GET /cfp/s/[redacted] HTTP/1.1"),
        ("GET /cfp/s/abc123/withdraw", "GET /cfp/s/[redacted]/withdraw"),
        ("late=abc&x=1", "late=[redacted]&x=1"),
        ("/c/cfp?a=1&late=abc#f", "/c/cfp?a=1&late=[redacted]#f"),
        ("/c/cfp/received/abc?x", "/c/cfp/received/[redacted]?x"),
        ("/cfp/submissions?template=late", "/cfp/submissions?template=late"),
        ("GET /calendar/private/abc-_1.ics HTTP/1.1", "GET /calendar/private/[redacted] HTTP/1.1"),
        ("GET /calendar//private/abc.ics", "GET /calendar//private/[redacted]"),
        ("GET /calendar/%70rivate/abc.ics", "GET /calendar/%70rivate/[redacted]"),
        ("GET /calendar/bhyve.ics HTTP/1.1", "GET /calendar/bhyve.ics HTTP/1.1"),
        # Odd spellings of the same address, as a raw request line may carry them.
        ("GET /cfp//s/abc123 HTTP/1.1", "GET /cfp//s/[redacted] HTTP/1.1"),
        ("GET /cfp/%73/abc123 HTTP/1.1", "GET /cfp/%73/[redacted] HTTP/1.1"),
        ("GET /%63fp%2Fs/abc123", "GET /%63fp%2Fs/[redacted]"),
        ("/c/cfp?%6Cate=abc&x=1", "/c/cfp?%6Cate=[redacted]&x=1"),
        ("/c/cfp?late%3Dabc", "/c/cfp?late%3D[redacted]"),
        ("GET /cfp/s/abc%2F123 x", "GET /cfp/s/[redacted]%2F123 x"),
        # A subscriber's confirmation and one-click unsubscribe links.
        (
            "POST /subscriptions/unsubscribe/abc-_1 HTTP/1.1",
            "POST /subscriptions/unsubscribe/[redacted] HTTP/1.1",
        ),
        ("GET /subscriptions/confirm/abc?x", "GET /subscriptions/confirm/[redacted]?x"),
        ("GET /subscriptions//%75nsubscribe/abc", "GET /subscriptions//%75nsubscribe/[redacted]"),
    ],
)
def test_the_one_list_of_token_patterns(text, expected) -> None:
    assert redact(text) == expected


def _get(url: str) -> None:
    with contextlib.suppress(urllib.error.HTTPError):  # 404s are logged too
        urllib.request.urlopen(url, timeout=10).read()  # noqa: S310 - loopback


def test_development_server_log_is_redacted(app, caplog) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in PATHS:
                _get(f"http://127.0.0.1:{server.server_port}{path}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
    logged = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(logged) == len(PATHS)
    text = "\n".join(logged)
    assert "/cfp/s/[redacted]" in text
    assert "late=[redacted]" in text
    assert "/calendar/private/[redacted]" in text
    for token in TOKENS:
        assert token not in text


def test_flask_error_log_is_redacted(app, caplog) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/cfp/s/<token>/boom")
    def boom(token: str) -> str:
        raise RuntimeError("boom")

    from webapp.security import public

    public(app.view_functions["boom"])
    with caplog.at_level(logging.ERROR):
        assert app.test_client().get(f"/cfp/s/{SPEAKER_TOKEN}/boom").status_code == 500
    assert "Exception on /cfp/s/[redacted]/boom" in caplog.text
    assert SPEAKER_TOKEN not in caplog.text


def test_gunicorn_access_log_is_redacted(app, tmp_path: Path) -> None:
    with Gunicorn(server_env(app, tmp_path), workers=1) as server:
        for path in PATHS:
            _get(server.url + path)
        request = urllib.request.Request(  # noqa: S310 - loopback
            server.url + "/healthz", headers={"Referer": f"http://x/cfp/s/{SPEAKER_TOKEN}"}
        )
        urllib.request.urlopen(request, timeout=10).read()  # noqa: S310 - loopback
        server.stop()
        output = server.output()
    assert output.count("/cfp/s/[redacted]") >= 3, output
    assert "late=[redacted]" in output, output
    assert "/calendar/private/[redacted]" in output, output
    for token in TOKENS:
        assert token not in output, output
