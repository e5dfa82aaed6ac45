"""The minutes pages as people see them: publishing, permissions, conflicts, history, XSS."""

from __future__ import annotations

import re
import time as time_module
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from flask import Flask

from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.minutes.conftest import FIXTURE
from webapp import audit
from webapp.extensions import db
from webapp.markdown import render_markdown
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import importer
from webapp.minutes import services as svc
from webapp.models import Minutes, MinutesRevision

MINUTES = "/meetings/bhyve/2019-02-07/minutes"
EDIT = MINUTES + "/edit"
NOW = datetime(2019, 2, 7, 22, tzinfo=UTC)


def start(app: Flask, notes: str = "First notes.\n", state: str = "draft") -> int:
    with app.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, date(2019, 2, 7), audit.CLI, NOW)
        svc.save_minutes(
            minutes,
            minutes.version,
            svc.MinutesInput(notes, "", ["Rod Grimes"], state),
            audit.CLI,
            NOW,
        )
        db.session.commit()
        return minutes.id


def import_fixture(app: Flask) -> None:
    with app.app_context():
        importer.import_text(
            FIXTURE.read_text(), "2019-02-07.md", "bhyve", audit.CLI, NOW, day=date(2019, 2, 7)
        )
        db.session.commit()


def test_published_fixture_page_links_the_bug_and_shows_everything(app, client, bhyve) -> None:
    import_fixture(app)
    page = client.get(MINUTES).get_data(as_text=True)
    assert '<a href="https://bugs.freebsd.org/bugzilla/show_bug.cgi?id=229852"' in page
    assert ">Bug 229852</a>: Looks like people are working on it." in page
    for name in ("Patrick Mooney", "Sergiu Weisz", "Hans Rosenfeld"):
        assert name in page
    assert "SX lock is the preferred one in FreeBSD." in page  # the decision
    assert "Next meeting, per these minutes: 2019-02-21" in page
    assert "<code>vm_page_test_dirty()</code>" in page
    with app.test_request_context():
        assert (
            svc.minutes_url_for(meetings.get_series("bhyve"), date(2019, 2, 7))
            == "http://localhost" + MINUTES
        )


def test_public_sees_published_minutes_only(app, client, client_as, bhyve) -> None:
    start(app, "Secret draft.\n")
    assert client.get(MINUTES).status_code == 404
    with app.test_request_context():
        assert svc.minutes_url_for(meetings.get_series("bhyve"), date(2019, 2, 7)) is None
    scribe = client_as("scribe")
    page = scribe.get(MINUTES).get_data(as_text=True)
    assert "Secret draft." in page
    assert "draft" in page
    # The agenda page does not leak the draft either.
    assert "Secret draft." not in client.get("/meetings/bhyve/2019-02-07/agenda").get_data(
        as_text=True
    )
    assert "Secret draft." not in client.get("/minutes.atom").get_data(as_text=True)


def test_reviewer_cannot_edit_minutes(app, client_as, bhyve) -> None:
    start(app)
    reviewer = client_as("reviewer")
    assert reviewer.get(EDIT).status_code == 403
    assert (
        reviewer.post(EDIT, data={"notes": "x", "version": 1, "state": "draft"}).status_code == 403
    )
    assert reviewer.post(MINUTES + "/start").status_code == 403
    assert client_as().get(EDIT).status_code == 403  # signed in without a role


def test_scribe_starts_writes_and_publishes(app, client, client_as, bhyve) -> None:
    scribe = client_as("scribe")
    assert "Start minutes" in scribe.get(EDIT).get_data(as_text=True)
    assert scribe.post(MINUTES + "/start").status_code == 302
    page = scribe.get(EDIT).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    response = scribe.post(
        EDIT,
        data={
            "attendees": "Rod Grimes\nJohn Baldwin\n",
            "notes": "We met.\r\n\r\nD12345 was reviewed.\r\n",
            "decisions": "Ship it\n",
            "state": "published",
            "version": version,
        },
    )
    assert response.status_code == 302
    page = scribe.get(EDIT).get_data(as_text=True)
    assert "Minutes saved (version 2, published). New people: Rod Grimes, John Baldwin." in page
    assert 'data-clear-draft="1"' in page  # the browser forgets its kept copy
    public = client.get(MINUTES).get_data(as_text=True)
    assert '<a href="https://reviews.freebsd.org/D12345"' in public
    assert "Ship it" in public


def test_second_save_from_the_same_version_is_refused_and_keeps_both_texts(
    app, client_as, bhyve
) -> None:
    start(app, "Line one.\n")
    alice, bob = client_as("scribe"), client_as("organizer")
    form = {"attendees": "Rod Grimes", "decisions": "", "state": "draft", "version": "2"}
    assert (
        alice.post(EDIT, data={**form, "notes": "Line one.\nAlice adds this.\n"}).status_code == 302
    )
    refused = bob.post(EDIT, data={**form, "notes": "Line one.\nBob typed this live.\n"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Not saved: someone else saved these minutes meanwhile" in page
    assert "Alice adds this." in page  # their text
    assert re.search(
        r'<textarea[^>]*name="notes"[^>]*>\s*Line one.\nBob typed this live.', page
    )  # still in the form
    assert '<span class="diff-del">-Alice adds this.</span>' in page
    assert '<span class="diff-add">+Bob typed this live.</span>' in page
    assert re.search(r'name="version"[^>]*value="3"', page)  # saving again after merging is allowed
    merged = {
        **form,
        "version": "3",
        "notes": "Line one.\nAlice adds this.\nBob typed this live.\n",
    }
    assert bob.post(EDIT, data=merged).status_code == 302
    with app.app_context():
        minutes = db.session.query(Minutes).one()
        assert minutes.version == 4
        texts = [
            r.notes for r in db.session.query(MinutesRevision).order_by(MinutesRevision.version)
        ]
        assert texts == ["", "Line one.\n", "Line one.\nAlice adds this.\n", merged["notes"]]


def test_the_update_itself_guards_the_version(app, bhyve) -> None:
    minutes_id = start(app)
    with app.app_context():
        minutes = db.session.get(Minutes, minutes_id)
        data = svc.MinutesInput("Mine.\n", "", [], "draft")
        svc.save_minutes(minutes, 2, data, audit.CLI, NOW)
        with pytest.raises(svc.EditConflict, match="now version 3"):
            svc.save_minutes(minutes, 2, data, audit.CLI, NOW)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_history_shows_who_changed_what_and_a_diff(app, client, make_user, bhyve) -> None:
    start(app, "Old line.\n")
    user = make_user(roles=("scribe",))
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert (
        client.post(
            "/login", data={"csrf_token": token, "email": user.email, "password": TEST_PASSWORD}
        ).status_code
        == 302
    )
    form = {
        "attendees": "Rod Grimes",
        "notes": "New line.\n",
        "decisions": "",
        "state": "draft",
        "version": "2",
    }
    assert client.post(EDIT, data=form).status_code == 400  # no token: refused
    token = csrf_token_from(client.get(EDIT).get_data(as_text=True))
    assert client.post(EDIT, data={**form, "csrf_token": token}).status_code == 302
    history = client.get(MINUTES + "/history").get_data(as_text=True)
    assert user.email in history
    assert '<span class="diff-del">-Old line.</span>' in history
    assert '<span class="diff-add">+New line.</span>' in history
    assert client.get(MINUTES + "/history?a=1&b=99").status_code == 404


class Tags(HTMLParser):
    """The tags and attributes a browser would see (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![i](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[e](&#106;avascript:alert(1))",
    "[e](jav&#x61;script:alert(1))",
    "<iframe src=https://evil.example></iframe>",
    '[t](https://ok.example "x\\" onmouseover=\\"alert(1)")',
]


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_notes_is_harmless(app, client, bhyve, payload: str) -> None:
    start(app, f"Before.\n\n{payload}\n\nD12345 after.\n", state="published")
    page = client.get(MINUTES).get_data(as_text=True)
    notes = page.split('<div class="minutes-notes">', 1)[1].split("</div>", 1)[0]
    tags = Tags()
    tags.feed(notes)
    assert {t for t, _ in tags.found} <= {"p", "a", "img", "code"}  # no script, svg, iframe
    for _tag, attrs in tags.found:
        for name, value in attrs:
            assert not name.startswith("on"), (name, value)  # no event handlers
            if name in {"href", "src"}:
                scheme = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert scheme.startswith(("https:", "http:", "mailto:")), value
    assert '<a href="https://reviews.freebsd.org/D12345"' in notes  # references still link


def test_reference_linking_skips_code_and_links_and_is_configurable(app) -> None:
    with app.app_context():
        out = str(render_markdown("D12345 `D12345` [D12345](https://example.org) PR 229852"))
        assert out.count("https://reviews.freebsd.org/D12345") == 1
        assert "<code>D12345</code>" in out
        assert '<a href="https://bugs.freebsd.org/bugzilla/show_bug.cgi?id=229852"' in out


@pytest.mark.app_config(
    REFERENCE_PATTERNS=[
        (
            r"\b(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)#(?P<num>\d+)\b",
            "https://github.com/{owner}/{repo}/issues/{num}",
        ),
    ]
)
def test_github_pattern_can_be_configured(app) -> None:
    with app.app_context():
        out = str(render_markdown("See freebsd/freebsd-src#123 and D12345."))
        assert '<a href="https://github.com/freebsd/freebsd-src/issues/123"' in out
        assert "reviews.freebsd.org" not in out


def test_broken_reference_pattern_stops_the_app(app_config) -> None:
    from webapp import create_app
    from webapp.config import ConfigError

    with pytest.raises(ConfigError, match="REFERENCE_PATTERNS entry"):
        create_app({**app_config, "REFERENCE_PATTERNS": [("(unclosed", "https://x/{1}")]})


def test_people_pages_never_show_emails_publicly(app, client, client_as, bhyve) -> None:
    with app.app_context():
        rod = svc.create_person(
            "Rod Grimes", audit.CLI, email="rod@example.org", affiliation="FreeBSD", aliases=["Rod"]
        )
        db.session.commit()
        rod_id = rod.id
    start(app, "Notes.\n", state="published")
    listing = client.get("/people/").get_data(as_text=True)
    assert "Rod Grimes" in listing
    assert "FreeBSD" in listing
    page = client.get(f"/people/{rod_id}").get_data(as_text=True)
    assert "rod@example.org" not in page
    assert "bhyve bi-weekly call, 2019-02-07" in page  # attendance
    assert "rod@example.org" in client_as("scribe").get(f"/people/{rod_id}").get_data(as_text=True)
    assert client.get("/people/999").status_code == 404


def test_people_are_edited_with_errors_beside_the_field(app, client_as) -> None:
    organizer = client_as("organizer")
    response = organizer.post(
        "/people/new", data={"name": "John Baldwin", "aliases": "John, jhb", "email": ""}
    )
    assert response.status_code == 302
    duplicate = organizer.post("/people/new", data={"name": "Johnny", "aliases": "jhb"})
    assert duplicate.status_code == 400
    assert "&#39;jhb&#39; already names John Baldwin" in duplicate.get_data(as_text=True)
    assert client_as("reviewer").get("/people/new").status_code == 403


def test_retime_refuses_to_drop_a_meeting_with_minutes(app, bhyve) -> None:
    start(app)
    with app.app_context():
        series = meetings.get_series("bhyve")
        with pytest.raises(ScheduleError, match="has minutes or follow-ups attached"):
            meetings.retime(series, date(2019, 2, 1), date(2019, 2, 5), time(15), audit.CLI)


def test_atom_feed_is_valid_and_deterministic(app, client, bhyve) -> None:
    import xml.etree.ElementTree as ET

    empty = client.get("/minutes.atom")
    assert empty.status_code == 200
    assert empty.mimetype == "application/atom+xml"
    import_fixture(app)
    first, second = client.get("/minutes.atom").data, client.get("/minutes.atom").data
    assert first == second
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(first)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.find("a:id", ns).text.startswith("tag:localhost,")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", root.find("a:updated", ns).text)
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.find("a:id", ns).text.endswith("cadence/minutes/bhyve/2019-02-07")
    assert entry.find("a:title", ns).text == "bhyve bi-weekly call: minutes of 2019-02-07"
    links = {link.get("rel"): link.get("href") for link in entry.findall("a:link", ns)}
    assert links == {
        "alternate": "http://localhost" + MINUTES,
        "related": "http://localhost/meetings/bhyve/2019-02-07",
    }
    assert "bugs.freebsd.org" in entry.find("a:content", ns).text
    assert root.find("a:author/a:name", ns).text


def test_atom_feed_carries_the_latest_entries_only_and_renders_each_revision_once(
    app, client, bhyve, monkeypatch
) -> None:
    from webapp import markdown
    from webapp.minutes import atom

    with app.app_context():
        series = meetings.get_series("bhyve")
        for k in range(atom.FEED_ENTRIES + 5):
            day = date(2019, 1, 24) + timedelta(days=14 * k)
            minutes = svc.start_minutes(series, day, audit.CLI, NOW)
            notes = (
                "D12345 " * (atom.CONTENT_LIMIT // 6) if k == 0 else f"Meeting {k}, D{1000 + k}\n"
            )
            svc.save_minutes(
                minutes,
                minutes.version,
                svc.MinutesInput(notes, "", [], "published"),
                audit.CLI,
                NOW,
            )
        db.session.commit()
    renders = []
    real = markdown._md.render
    monkeypatch.setattr(markdown._md, "render", lambda *a: renders.append(1) or real(*a))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(client.get("/minutes.atom").data)  # noqa: S314 - our own output
    entries = root.findall("a:entry", ns)
    assert len(entries) == atom.FEED_ENTRIES
    assert entries[0].find("a:id", ns).text.endswith("/bhyve/2019-12-26")  # newest first
    assert "reviews.freebsd.org/D1024" in entries[0].find("a:content", ns).text
    assert renders == []  # each revision was rendered when it was saved


def test_saving_2500_new_attendee_names_is_fast(app, client_as, bhyve) -> None:
    """Each new name used to re-read and compare every person: 2,500 names killed the worker."""
    start(app)
    scribe = client_as("scribe")
    page = scribe.get(EDIT).get_data(as_text=True)
    names = [f"N{i:04d}" for i in range(2500)]  # 15 KB: within the form's limit
    began = time_module.perf_counter()
    response = scribe.post(
        EDIT,
        data={
            "csrf_token": csrf_token_from(page),
            "version": "2",
            "state": "draft",
            "attendees": "\n".join(["Rod Grimes", "Rod", *names]),
            "notes": "Many people.\n",
            "decisions": "",
        },
    )
    elapsed = time_module.perf_counter() - began
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert elapsed < 20, f"saving took {elapsed:.1f} s"
    with app.app_context():
        minutes = svc.get_minutes(meetings.get_series("bhyve"), date(2019, 2, 7))
        assert len(minutes.attendees) == 2501  # "Rod" is the Rod Grimes already listed
        assert minutes.attendees[1].name == "N0000"


def test_people_page_shows_no_name_from_draft_or_private_minutes(app, client, bhyve) -> None:
    start(app, state="draft")  # names Rod Grimes in draft minutes
    assert "Rod Grimes" not in client.get("/people/").get_data(as_text=True)
    with app.app_context():
        rod_id = svc.find_person("Rod Grimes").id
    assert client.get(f"/people/{rod_id}").status_code == 404
    import_fixture(app)  # published minutes naming Rod Grimes and others
    people = client.get("/people/").get_data(as_text=True)
    assert "Rod Grimes" in people
    assert "Patrick Mooney" in people
    assert client.get(f"/people/{rod_id}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/bhyve/20190207/minutes",
        "/meetings/bhyve/2019-W06-4/agenda",
        "/meetings/bhyve/9999-12-23/minutes",
        "/meetings/bhyve/9999-12-23/agenda",
        "/meetings/bhyve/0001-01-01/agenda",
    ],
)
def test_minutes_addresses_take_one_spelling_of_a_date_in_range(client, bhyve, path) -> None:
    assert client.get(path).status_code == 404


def test_follow_up_state_refuses_a_date_out_of_range(app, client_as, bhyve) -> None:
    with app.app_context():
        series = meetings.get_series("bhyve")
        owner = svc.create_person("Rod Grimes", audit.CLI)
        item = svc.add_follow_up(series, date(2019, 2, 7), owner, "find acpidump", audit.CLI)
        db.session.commit()
        item_id = item.id
    response = client_as("scribe").post(
        f"/follow-ups/{item_id}/state", data={"state": "done", "day": "9999-12-31"}
    )
    assert response.status_code == 400
    assert "outside the dates Cadence accepts" in response.get_data(as_text=True)


def test_imported_minutes_are_published_at_their_meeting_in_the_feed(app, client, bhyve) -> None:
    later = datetime(2026, 11, 30, 12, tzinfo=UTC)
    with app.app_context():
        importer.import_text(
            FIXTURE.read_text(), "2019-02-07.md", "bhyve", audit.CLI, later, day=date(2019, 2, 7)
        )
        db.session.commit()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = ET.fromstring(client.get("/minutes.atom").data).find("a:entry", ns)  # noqa: S314
    assert entry.find("a:published", ns).text == "2019-02-07T21:00:00Z"  # 16:00 in New York
    assert entry.find("a:updated", ns).text == "2019-02-07T21:00:00Z"
