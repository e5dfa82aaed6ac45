"""How many SQL statements one CFP submission costs (two speakers, three organizers)."""

from __future__ import annotations

from tests.cfp.conftest import form_data, page_token
from tests.querycount import count_queries
from webapp.extensions import db

#: Statements of the POST until its commit. It was 26 before the services were split (the form
#: token looked up twice, the conference's choices in three queries, a SELECT per mail template,
#: a code-uniqueness SELECT, co-speakers mailed at once); the per-address limit adds two. The
#: edited mail templates are read once per transaction, not once per message. The commit's bump
#: of the data version (``webapp.data_version``: public pages' stored renders) adds one.
#: Recording which messages belong to the submission (its page lists them) adds one batched
#: INSERT; the custom questions come with the conference's choices.
MAX_STATEMENTS = 17


def test_one_submission_costs_a_bounded_number_of_statements(
    app, client, make_conference, make_user
) -> None:
    conference = make_conference()
    for n in range(3):
        make_user(email=f"org{n}@example.org", roles=("organizer",))
    page = client.get(f"/conferences/{conference.slug}/cfp").get_data(as_text=True)
    data = form_data(
        conference,
        **{"co_speakers-0-name": "Bob Co", "co_speakers-0-email": "bob@example.org"},
    )
    data["form_token"] = page_token(page)
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as counter:
        response = client.post(f"/conferences/{conference.slug}/cfp", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert counter.count <= MAX_STATEMENTS, "\n".join(counter.statements)
