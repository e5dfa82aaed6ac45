"""Follow-ups carried from meeting to meeting, and the review queue's order and stacks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import demo
from webapp.minutes import services as svc
from webapp.models import FollowUp, Review

M1, M2, M3, M4, M5 = (
    date(2019, 2, 7),
    date(2019, 2, 21),
    date(2019, 3, 7),
    date(2019, 3, 21),
    date(2019, 4, 4),
)


def agenda(client, day: date) -> str:
    response = client.get(f"/meetings/bhyve/{day.isoformat()}/agenda")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page.split("<h3>Open follow-ups</h3>", 1)[1].split("<h3>Review queue</h3>", 1)[0]


def test_follow_up_is_carried_with_its_age_until_closed(app, client, client_as, bhyve) -> None:
    scribe = client_as("scribe")
    response = scribe.post(
        f"/meetings/bhyve/{M1}/follow-ups/new",
        data={"owner": "John Baldwin", "text": "review VM_MAXCPU"},
    )
    assert response.status_code == 302
    with app.app_context():
        item_id = db.session.query(FollowUp).one().id
    assert "review VM_MAXCPU" not in agenda(client, M1)  # raised there, not carried into it
    m2 = agenda(client, M2)
    assert "John Baldwin</a>: review VM_MAXCPU" in m2
    assert "1 meeting old" in m2
    assert "2 meetings old" in agenda(client, M3)
    # Closed at the fourth meeting: gone from its agenda and every later one.
    response = scribe.post(
        f"/follow-ups/{item_id}/state", data={"state": "done", "day": M4.isoformat()}
    )
    assert response.status_code == 302
    assert "2 meetings old" in agenda(client, M3)
    assert "review VM_MAXCPU" not in agenda(client, M4)
    assert "review VM_MAXCPU" not in agenda(client, M5)
    closed = client.get(f"/meetings/bhyve/{M4}/agenda").get_data(as_text=True)
    assert "No open follow-ups." in closed
    with app.app_context():
        series = meetings.get_series("bhyve")
        assert [f.text for f in svc.closed_at(series, M4)] == ["review VM_MAXCPU"]
        assert [f.text for f in svc.raised_at(series, M1)] == ["review VM_MAXCPU"]


def test_cancelled_meetings_do_not_age_a_follow_up(app, client, bhyve) -> None:
    with app.app_context():
        series = meetings.get_series("bhyve")
        owner = svc.create_person("Rod Grimes", audit.CLI)
        svc.add_follow_up(series, M1, owner, "find acpidump", audit.CLI)
        meetings.cancel(series, M2, audit.CLI, reason="FOSDEM")
        db.session.commit()
    assert "1 meeting old" in agenda(client, M3)


def test_series_page_lists_open_follow_ups_by_owner_and_person_page_theirs(
    app, client, bhyve
) -> None:
    with app.app_context():
        series = meetings.get_series("bhyve")
        rod, john = (
            svc.create_person("Rod Grimes", audit.CLI),
            svc.create_person("John Baldwin", audit.CLI),
        )
        svc.add_follow_up(series, M1, rod, "find acpidump", audit.CLI)
        svc.add_follow_up(series, M1, john, "review VM_MAXCPU", audit.CLI)
        done = svc.add_follow_up(series, M1, john, "reply on the list", audit.CLI)
        svc.set_follow_up_state(done, "dropped", series, M2, audit.CLI)
        db.session.commit()
        john_id = john.id
    page = client.get("/series/bhyve/follow-ups").get_data(as_text=True)
    assert (
        page.index("John Baldwin")
        < page.index("review VM_MAXCPU")
        < page.index("Rod Grimes")
        < page.index("find acpidump")
    )
    assert "reply on the list" not in page
    person = client.get(f"/people/{john_id}").get_data(as_text=True)
    assert "review VM_MAXCPU" in person
    assert "reply on the list" in person
    assert "dropped" in person


def test_follow_up_form_errors_are_shown(app, client_as, bhyve) -> None:
    scribe = client_as("scribe")
    response = scribe.post(
        f"/meetings/bhyve/{M2}/follow-ups/new",
        data={"owner": "Rod", "text": "x", "due": "2019-02-01"},
    )
    assert response.status_code == 400
    assert "the due date 2019-02-01 is before the meeting that raised it" in response.get_data(
        as_text=True
    )
    assert (
        scribe.post(
            "/meetings/bhyve/2019-02-08/follow-ups/new", data={"owner": "Rod", "text": "x"}
        ).status_code
        == 404
    )


def queue(client) -> str:
    page = client.get("/series/bhyve/reviews").get_data(as_text=True)
    return page.split('<ol class="review-tree">', 1)[1]


def titles(html: str) -> list[str]:
    return re.findall(r'rel="noopener noreferrer">([^<]+)</a>', html)


def test_review_queue_orders_and_stacks(app, client, client_as, bhyve) -> None:
    scribe = client_as("scribe")
    for code, title in (("D100", "vmm: first"), ("D200", "bhyve: second"), ("D300", "acpi: third")):
        response = scribe.post(
            "/series/bhyve/reviews/new",
            data={
                "url": f"https://reviews.freebsd.org/{code}",
                "title": title,
                "author": "Rod Grimes",
                "parent": "0",
                "state": "open",
                "day": M2.isoformat(),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        ids = {r.title: r.id for r in db.session.query(Review)}
    response = scribe.post(
        "/series/bhyve/reviews/new",
        data={
            "url": "https://reviews.freebsd.org/D201",
            "title": "bhyve: second, part 2",
            "author": "",
            "state": "open",
            "parent": str(ids["bhyve: second"]),
            "day": M2.isoformat(),
        },
    )
    assert response.status_code == 302
    assert titles(queue(client)) == [
        "vmm: first",
        "bhyve: second",
        "bhyve: second, part 2",
        "acpi: third",
    ]
    # The stack nests: the child is in a list inside its parent's item.
    assert re.search(
        r"bhyve: second</a>.*?<ol class=\"review-tree\">"
        r"\s*<li[^>]*>\s*<a[^>]*>bhyve: second, part 2",
        queue(client),
        re.S,
    )

    assert (
        scribe.post(f"/reviews/{ids['acpi: third']}/move", data={"direction": "up"}).status_code
        == 302
    )
    assert titles(queue(client)) == [
        "vmm: first",
        "acpi: third",
        "bhyve: second",
        "bhyve: second, part 2",
    ]
    scribe.post(f"/reviews/{ids['vmm: first']}/move", data={"direction": "down"})
    assert titles(queue(client)) == [
        "acpi: third",
        "vmm: first",
        "bhyve: second",
        "bhyve: second, part 2",
    ]
    scribe.post(
        f"/reviews/{ids['acpi: third']}/move", data={"direction": "up"}
    )  # already first: no change
    assert titles(queue(client))[0] == "acpi: third"

    # Landed reviews leave the agenda's queue unless something stacked on them is still open.
    response = scribe.post(
        f"/reviews/{ids['bhyve: second']}/edit",
        data={"title": "bhyve: second", "author": "Rod Grimes", "parent": "0", "state": "landed"},
    )
    assert response.status_code == 302
    scribe.post(
        f"/reviews/{ids['vmm: first']}/edit",
        data={"title": "vmm: first", "author": "", "parent": "0", "state": "abandoned"},
    )
    page = client.get(f"/meetings/bhyve/{M2}/agenda").get_data(as_text=True)
    agenda_queue = page.split("<h3>Review queue</h3>", 1)[1]
    assert titles(agenda_queue) == ["acpi: third", "bhyve: second", "bhyve: second, part 2"]
    # A review cannot be stacked on its own child.
    with app.app_context():
        child = db.session.query(Review).filter_by(url="https://reviews.freebsd.org/D201").one()
        child_id = child.id
    refused = scribe.post(
        f"/reviews/{ids['bhyve: second']}/edit",
        data={"title": "bhyve: second", "author": "", "state": "landed", "parent": str(child_id)},
    )
    assert refused.status_code == 400
    assert "cannot be stacked on itself or on a review stacked on it" in refused.get_data(
        as_text=True
    )
    assert (
        client_as("reviewer")
        .post(f"/reviews/{child_id}/move", data={"direction": "up"})
        .status_code
        == 403
    )


def test_agenda_items_are_added_by_organizers(app, client, client_as, bhyve) -> None:
    organizer = client_as("organizer")
    response = organizer.post(
        f"/meetings/bhyve/{M2}/agenda/items", data={"text": "Discuss **PR 229852**"}
    )
    assert response.status_code == 302
    page = client.get(f"/meetings/bhyve/{M2}/agenda").get_data(as_text=True)
    assert "<strong>" in page
    assert "bugs.freebsd.org/bugzilla/show_bug.cgi?id=229852" in page
    assert "* Roll call" not in page  # the series' agenda template is rendered
    assert "<li>Roll call</li>" in page
    assert (
        client_as("scribe")
        .post(f"/meetings/bhyve/{M2}/agenda/items", data={"text": "x"})
        .status_code
        == 403
    )


def test_demo_has_real_minutes_follow_ups_and_a_stack(app, client) -> None:
    with app.app_context():
        demo.load(datetime(2026, 1, 1, tzinfo=UTC))
        db.session.commit()
    page = client.get("/meetings/bhyve/2019-02-07/minutes").get_data(as_text=True)
    assert "Patrick Mooney" in page
    assert "Bug 229852</a>" in page
    assert "John Baldwin</a>: review VM_MAXCPU" in page
    carried = agenda(client, M2)
    assert "review VM_MAXCPU" in carried
    assert "find the Bug 229852 reviews" not in carried  # done at 2019-02-21
    reviews = client.get("/series/bhyve/reviews").get_data(as_text=True)
    assert reviews.count('<ol class="review-tree">') == 2
