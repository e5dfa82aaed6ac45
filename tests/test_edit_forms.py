"""Every edit form, posted back as the page shows it, changes nothing.

Each form is pre-filled the one way (``webapp.edit_forms.edit_form``); a value the page failed
to show (a select on its first option, a list shown as its repr, an unchecked box) would be posted
changed, and the stored rows would differ.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tests.forms import resubmit
from tests.minutes.conftest import create_bhyve
from webapp import audit
from webapp.edit_forms import FormNotFilled, edit_form
from webapp.extensions import db
from webapp.minutes import services as minutes
from webapp.models import Minutes, Series

#: Rows that record the request rather than what was edited (the data version moves with the
#: audit entry every request writes).
VOLATILE = {"audit_entries", "sign_ins", "rendered_feeds", "outbox_messages", "data_version"}


def snapshot(app: Any) -> dict[str, list[tuple]]:
    with app.app_context():
        return {
            t.name: sorted(map(tuple, db.session.execute(sa.select(t)).all()), key=repr)
            for t in db.metadata.sorted_tables
            if t.name not in VOLATILE
        }


def assert_unchanged(app: Any, client: Any, url: str, having: str | None = None) -> None:
    before = snapshot(app)
    response = resubmit(client, url, having=having)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    after = snapshot(app)
    changed = {k: (before[k], rows) for k, rows in after.items() if rows != before[k]}
    assert changed == {}, "\n".join(f"{k}:\n  {b}\n  {a}" for k, (b, a) in changed.items())


def test_series_form(app, client_as) -> None:
    with app.app_context():
        create_bhyve("* Roll call")
        series = db.session.scalar(sa.select(Series))
        series.join_url, series.place, series.public = "https://meet.example.org/b", "Online", False
        series.rules[-1].until_date = date(2027, 1, 1)
        db.session.commit()
    assert_unchanged(app, client_as("organizer"), "/organize/series/bhyve/edit")


def test_user_form(app, client_as, make_user) -> None:
    someone = make_user(roles=("reviewer", "scribe"), name="Rod Grimes")
    assert_unchanged(app, client_as("admin"), f"/admin/users/{someone.id}")


def test_settings_form(app, client_as) -> None:
    admin = client_as("admin")
    patterns = r"\bD(\d+) => https://reviews.freebsd.org/D{1}"
    changes = {"community_name": "bhyve", "feed_past_months": "6", "reference_patterns": patterns}
    assert resubmit(admin, "/dashboard/settings", changes).status_code == 302
    assert_unchanged(app, admin, "/dashboard/settings")


def test_mail_template_form(app, client_as) -> None:
    assert_unchanged(app, client_as("organizer"), "/organize/mail-templates/cfp_received")


def test_person_and_review_forms(app, client_as) -> None:
    with app.app_context():
        create_bhyve("* Roll call")
        series = db.session.scalar(sa.select(Series))
        author = minutes.create_person(
            "Rod Grimes", audit.CLI, email="rod@example.org", affiliation="FreeBSD",
            aliases=["Rod"], handle="rgrimes",
        )  # fmt: skip
        first = minutes.add_review(
            series, date(2019, 2, 7), "https://reviews.freebsd.org/D1", "vmm: one", audit.CLI
        )
        second = minutes.add_review(
            series, date(2019, 2, 7), "https://reviews.freebsd.org/D2", "vmm: two", audit.CLI,
            author=author, parent=first, state="landed",
        )  # fmt: skip
        db.session.commit()
        person_id, review_id = author.id, second.id
    scribe = client_as("scribe")
    assert_unchanged(app, scribe, f"/people/{person_id}/edit")
    assert_unchanged(app, scribe, f"/reviews/{review_id}/edit")


def test_minutes_editor(app, client_as) -> None:
    from tests.minutes.conftest import FIXTURE
    from webapp.minutes import importer

    with app.app_context():
        create_bhyve("* Roll call")
        importer.import_text(
            FIXTURE.read_text(),
            "2019-02-07.md",
            "bhyve",
            audit.CLI,
            datetime(2019, 2, 8, tzinfo=UTC),
            day=date(2019, 2, 7),
        )
        db.session.commit()
    edit = "/meetings/bhyve/2019-02-07/minutes/edit"

    def content() -> tuple:
        with app.app_context():
            m = db.session.scalar(sa.select(Minutes))
            return (m.notes, m.decisions, m.state, [p.name for p in m.attendees])

    before = content()
    response = resubmit(client_as("scribe"), edit, having="notes")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    # What was written stays (the editor itself records a "no change" revision).
    assert content() == before


def test_a_field_without_a_stored_value_is_refused(app) -> None:
    from webapp.cfp.forms import LateLinkForm

    with app.test_request_context(), pytest.raises(FormNotFilled, match="valid_until"):
        edit_form(LateLinkForm, {"label": "Ada"})


def test_no_form_is_filled_from_an_object() -> None:
    """``obj=`` lets an object's attributes win over the stored values given beside them."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "webapp"
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "Form(obj=" in line or "form_cls(obj=" in line
    ]
    assert offenders == []
