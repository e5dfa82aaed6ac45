"""CFP fixtures: a movable clock, a conference factory, a submission helper."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.clock import Clock, install_clock
from webapp import audit
from webapp.cfp import services
from webapp.extensions import db
from webapp.models import Conference, Speaker, SpeakerLink, Submission, SubmissionState

ZONE = "Europe/Amsterdam"
# CFP 2027-01-10 09:00 → 2027-03-01 23:59 Amsterdam (CET, UTC+1); conference 10–11 June 2027.
OPENS_UTC = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
CLOSES_UTC = datetime(2027, 3, 1, 22, 59, tzinfo=UTC)
DURING = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(app: Flask) -> Clock:
    """The app's "now" (``CADENCE_NOW``); tests move it with ``clock.now = …``."""
    return install_clock(app, DURING)


@pytest.fixture
def make_conference(app: Flask, clock: Clock) -> Any:
    def make(
        slug: str = "bhyvecon-2027",
        timezone: str = ZONE,
        opens: str = "2027-01-10 09:00",
        closes: str = "2027-03-01 23:59",
        starts: date = date(2027, 6, 10),
        ends: date = date(2027, 6, 11),
        formats: list[tuple[str, int]] | None = None,
        tracks: list[str] | None = None,
        rooms: list[str] | None = None,
        anonymous_review: bool = False,
    ) -> Conference:
        with app.app_context():
            conference = services.create_conference(
                services.ConferenceData(
                    slug=slug,
                    name="bhyvecon 2027",
                    timezone=timezone,
                    starts_on=starts,
                    ends_on=ends,
                    cfp_opens_local=services.parse_local_datetime(opens, "opens"),
                    cfp_closes_local=services.parse_local_datetime(closes, "closes"),
                    place="Amsterdam",
                    formats=formats or [("Talk", 30), ("Lightning talk", 10), ("Tutorial", 90)],
                    tracks=["Core", "Operations"] if tracks is None else tracks,
                    rooms=["Main hall", "Workshop room"] if rooms is None else rooms,
                    anonymous_review=anonymous_review,
                ),
                audit.CLI,
                clock.now,
            )
            db.session.commit()
            db.session.refresh(conference)
            _ = conference.formats, conference.tracks, conference.rooms
            db.session.expunge_all()
        return conference

    return make


def form_data(conference: Conference, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Live migration in bhyve",
        "format": str(conference.formats[0].id),
        "track": str(conference.tracks[0].id) if conference.tracks else "0",
        "abstract": "How we move running guests between hosts.",
        "description": "Details for the reviewers.",
        "speaker_name": "Ada Lovelace",
        "email": "ada@example.org",
        "affiliation": "Analytical Engines",
        "bio": "Writes programs.",
        "co_speakers-0-name": "",
        "co_speakers-0-email": "",
        "co_speakers-1-name": "",
        "co_speakers-1-email": "",
        "notes": "",
        "consent": "y",
        "website": "",
        "send": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def page_token(html: str) -> str:
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', html)
    assert match, "no form token in the page"
    return match.group(1)


def post_submission(client: FlaskClient, conference: Conference, **overrides: Any) -> Any:
    """GET the form (CSRF token, form token), then POST it like a browser."""
    page = client.get(f"/conferences/{conference.slug}/cfp").get_data(as_text=True)
    data = form_data(conference, **overrides)
    if "form_token" not in overrides:
        data["form_token"] = (
            page_token(page) if 'name="form_token"' in page else secrets.token_urlsafe(24)
        )
    m = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
    if m and "csrf_token" not in overrides:
        data["csrf_token"] = m.group(1)
    return client.post(f"/conferences/{conference.slug}/cfp", data=data)


def submissions(app: Flask) -> list[Submission]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Submission).order_by(Submission.id)))
        for r in rows:
            _ = r.speakers, r.reviews
        db.session.expunge_all()
    return rows


def link_token(url: str) -> str:
    return url.rsplit("/cfp/s/", 1)[1]


def mailed_token(smtp_server: Any, email: str = "ada@example.org") -> str:
    """The token of the private link in the last mail to ``email``."""
    msg = smtp_server.to(email)[-1]
    return link_token(next(u for u in smtp_server.links(msg) if "/cfp/s/" in u))


@pytest.fixture
def csrf_client_as(app: Flask, make_user: Any) -> Any:
    """Like ``client_as``, for apps with CSRF on: signs in through the real form."""
    from tests.conftest import TEST_PASSWORD, csrf_token_from

    def make(*roles: str) -> FlaskClient:
        user = make_user(roles=roles)
        c = app.test_client()
        token = csrf_token_from(c.get("/login").get_data(as_text=True))
        response = c.post(
            "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        c.user = user  # type: ignore[attr-defined]
        return c

    return make


# -- a placed, released programme --------------------------------------------------------------


def _confirmed(app, conference, title: str, fmt: int = 0, speaker: str = "Ada Lovelace") -> str:
    """A confirmed submission straight in the database (the flow itself is tested elsewhere)."""
    with app.app_context():
        s = Submission(
            conference_id=conference.id,
            code=services.new_code(),
            state=SubmissionState.CONFIRMED,
            title=title,
            format_id=conference.formats[fmt].id,
            track_id=conference.tracks[0].id,
            abstract=f"About {title}.",
            description="More.",
            form_token=uuid.uuid4().hex,
            submitted_at=datetime(2027, 2, 1, tzinfo=UTC),
            created_at=datetime(2027, 2, 1, tzinfo=UTC),
            updated_at=datetime(2027, 2, 1, tzinfo=UTC),
        )
        s.speakers.append(
            Speaker(
                name=speaker,
                email=f"{uuid.uuid4().hex[:6]}@example.org",
                invited_at=datetime(2027, 2, 1, tzinfo=UTC),
            )
        )
        s.speakers[0].links.append(
            SpeakerLink(token_hash=uuid.uuid4().hex, created_at=datetime(2027, 2, 1, tzinfo=UTC))
        )
        db.session.add(s)
        db.session.commit()
        return s.code


def _place(client, code: str, room_id: int, day: str, start: str):
    with client.application.app_context():
        talk_id = db.session.scalar(sa.select(Submission.id).where(Submission.code == code))
    p = f"t{talk_id}-"
    return client.post(
        f"/organize/conferences/bhyvecon-2027/programme/{code}",
        data={p + "room": str(room_id), p + "day": day, p + "start": start},
    )


def _release(client, note: str = "", expect: int = 302):
    """Publish the working programme (the public pages show the latest release)."""
    response = client.post(
        "/organize/conferences/bhyvecon-2027/programme/release", data={"note": note}
    )
    assert response.status_code == expect, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def programme(app, make_conference, client_as):
    c = make_conference()
    organizer = client_as("organizer")
    codes = {
        "keynote": _confirmed(app, c, "Keynote: bhyve in 2027"),
        "tutorial": _confirmed(app, c, "Tutorial: UEFI guests", fmt=2, speaker="Grace Hopper"),
        "lightning": _confirmed(app, c, "Lightning: vm-bhyve", fmt=1, speaker="Linus"),
    }
    main, workshop = c.rooms[0].id, c.rooms[1].id
    assert _place(organizer, codes["keynote"], main, "2027-06-10", "09:30").status_code == 302
    assert _place(organizer, codes["tutorial"], workshop, "2027-06-10", "10:00").status_code == 302
    assert _place(organizer, codes["lightning"], main, "2027-06-11", "14:00").status_code == 302
    _release(organizer, "The first programme.")
    return c, codes, organizer


def score_field(app: Flask, slug: str = "bhyvecon-2027", name: str = "Overall") -> str:
    """The review form's field of criterion ``name`` (``c<id>``)."""
    from webapp.models import ReviewCriterion

    with app.app_context():
        cid = db.session.scalar(
            sa.select(ReviewCriterion.id)
            .join(Conference)
            .where(Conference.slug == slug, ReviewCriterion.name == name)
        )
    assert cid is not None, f"no criterion {name!r}"
    return f"c{cid}"
