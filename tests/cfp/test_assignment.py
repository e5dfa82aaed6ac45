"""Assignment: by hand or automatically (balanced, N per submission, never a conflict);
reviewers told by mail; their queue puts the assigned first, with progress."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from tests.cfp.conftest import post_submission, score_field, submissions
from tests.conftest import login
from webapp.extensions import db
from webapp.models import ReviewAssignment

BASE = "/organize/conferences/bhyvecon-2027"


def test_assign_automatically_balances_and_skips_conflicts(
    app, client, make_conference, make_user, smtp_server
) -> None:
    c = make_conference()
    for n in range(5):
        response = post_submission(client, c, title=f"Talk {n}", email=f"s{n}@example.org")
        assert response.status_code == 302
    smtp_server.wait_for(5)
    reviewers = [make_user(roles=("reviewer",), name=f"Reviewer {i}") for i in range(3)]
    organizer = make_user(roles=("organizer",))
    clients = {}
    for user in [*reviewers, organizer]:
        clients[user.id] = app.test_client()
        assert login(clients[user.id], user.email).status_code == 302
    codes = [s.code for s in submissions(app)]
    # Reviewer 0 declares a conflict with the first talk.
    conflicted = clients[reviewers[0].id].post(f"{BASE}/submissions/{codes[0]}/conflict")
    assert conflicted.status_code == 302
    chair = clients[organizer.id]
    with app.app_context():
        db.session.execute(sa.text("UPDATE conferences SET reviews_per_submission = 2"))
        db.session.commit()
    response = chair.post(f"{BASE}/assign", follow_redirects=True)
    assert "10 review(s) assigned" in response.get_data(as_text=True)
    with app.app_context():
        pairs = [
            (a.submission_id, a.user_id) for a in db.session.scalars(sa.select(ReviewAssignment))
        ]
        first_id = submissions(app)[0].id
    per_submission = Counter(s for s, _ in pairs)
    per_reviewer = Counter(u for _, u in pairs)
    assert set(per_submission.values()) == {2}
    assert (first_id, reviewers[0].id) not in pairs
    assert max(per_reviewer.values()) - min(per_reviewer.values()) <= 1
    # Each reviewer gets one mail listing their submissions; again: nothing new.
    smtp_server.wait_for(8)
    for user in reviewers:
        [mail] = smtp_server.to(user.email)
        assert f"{per_reviewer[user.id]} submission(s) to review" in str(mail["Subject"])
    assert "0 review(s) assigned" in chair.post(f"{BASE}/assign", follow_redirects=True).text
    # A conflict declared later ends the assignment.
    [(sub_id, user_id)] = [(s_, u) for s_, u in pairs if u == reviewers[1].id][:1]
    code = next(s.code for s in submissions(app) if s.id == sub_id)
    assert clients[user_id].post(f"{BASE}/submissions/{code}/conflict").status_code == 302
    with app.app_context():
        left = db.session.scalars(
            sa.select(ReviewAssignment).where(
                ReviewAssignment.submission_id == sub_id, ReviewAssignment.user_id == user_id
            )
        ).all()
    assert left == []


def test_the_queue_puts_assigned_first_with_progress_and_save_and_next_follows_it(
    app, client, client_as, make_conference, make_user, smtp_server
) -> None:
    c = make_conference()
    for n in range(3):
        response = post_submission(client, c, title=f"Talk {n}", email=f"s{n}@example.org")
        assert response.status_code == 302
    codes = [s.code for s in submissions(app)]
    reviewer = make_user(roles=("reviewer",), name="Rui")
    organizer = client_as("organizer")
    for code in (codes[2], codes[1]):
        response = organizer.post(
            f"{BASE}/submissions/{code}/assign", data={"reviewer": str(reviewer.id)}
        )
        assert response.status_code == 302
    page = organizer.get(f"{BASE}/submissions/{codes[2]}").get_data(as_text=True)
    assert "Unassign Rui" in page
    mine = app.test_client()
    login(mine, reviewer.email)
    listing = mine.get(f"{BASE}/submissions").get_data(as_text=True)
    assert "Assigned to you: 0 of 2 reviewed." in listing
    assert listing.index("Talk 1") < listing.index("Talk 2") < listing.index("Talk 0")
    field = score_field(app)
    # Save and next: the other assigned one, then the rest.
    response = mine.post(
        f"{BASE}/submissions/{codes[1]}/review", data={field: "3", "save_next": "1"}
    )
    assert response.headers["Location"].endswith(codes[2])
    response = mine.post(
        f"{BASE}/submissions/{codes[2]}/review", data={field: "4", "save_next": "1"}
    )
    assert response.headers["Location"].endswith(codes[0])
    listing = mine.get(f"{BASE}/submissions").get_data(as_text=True)
    assert "Assigned to you: 2 of 2 reviewed." in listing
