from webapp import zonedata
from webapp.extensions import db


def test_home_page(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "bhyve community" in response.get_data(as_text=True)


def test_unknown_url_is_404_in_layout(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "There is no page at this address." in page
    assert "Cadence" in page


def test_api_errors_are_json(client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == 404


def test_healthz_reports_database(client, app) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    # (the zone data version joined the report: issue 13)
    assert response.get_json() == {"status": "ok", "database": "ok", "tzdata": zonedata.version()}


def test_healthz_503_when_database_is_gone(app, tmp_path) -> None:
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    with app.app_context():
        db.engine.dispose()
    broken = app.test_client()
    # Point the engine at a directory that does not exist: the database cannot be opened.
    with app.app_context():
        from sqlalchemy import create_engine

        db._app_engines[app][None] = create_engine(f"sqlite:///{tmp_path}/missing/dir/db.sqlite")
    response = broken.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_security_headers_on_every_response(client) -> None:
    for path in ("/", "/login", "/no-such-page"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script_or_style(client) -> None:
    for path in ("/", "/login"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page
        assert "style=" not in page
        assert "onclick" not in page


def test_request_size_limit(client) -> None:
    response = client.post("/login", data={"email": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_401_after_a_form_post_offers_sign_in_back_to_the_form(client) -> None:
    response = client.post(
        "/admin/users/new",
        data={"email": "x@example.org"},
        headers={"Referer": "http://localhost/admin/users/new?from=here", "Accept": "text/html"},
    )
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Please sign in first." in page
    assert 'href="/login?next=/admin/users/new?from%3Dhere"' in page


def test_401_ignores_a_foreign_referrer(client) -> None:
    response = client.post("/admin/users/new", headers={"Referer": "https://evil.example/x"})
    assert 'href="/login"' in response.get_data(as_text=True)
