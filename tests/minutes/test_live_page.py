"""The call page: scribes and organizers only."""

from __future__ import annotations


def test_call_page_is_for_scribes_and_organizers(client, client_as, bhyve):
    address = "/meetings/bhyve/2019-02-07/live"
    assert client.get(address).status_code in (302, 401, 403, 404)
    assert client_as("reviewer").get(address).status_code in (403, 404)
    for role in ("scribe", "organizer"):
        page = client_as(role).get(address)
        assert page.status_code == 200, role
        assert "bhyve bi-weekly call, 2019-02-07" in page.get_data(as_text=True)


def test_call_page_of_no_meeting_is_404(client_as, bhyve):
    assert client_as("scribe").get("/meetings/bhyve/2019-02-08/live").status_code == 404
