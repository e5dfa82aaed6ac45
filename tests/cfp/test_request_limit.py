"""The 2 MiB request limit on the submission form: 413 and nothing stored."""

from __future__ import annotations

import pytest

from tests.cfp.conftest import form_data, page_token, submissions
from tests.conftest import csrf_token_from


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_cfp_post_over_two_mebibytes_is_refused_with_413(app, client, make_conference) -> None:
    conference = make_conference()
    page = client.get(f"/conferences/{conference.slug}/cfp").get_data(as_text=True)
    data = form_data(conference, abstract="A" * (3 * 1024 * 1024))
    data.update(form_token=page_token(page), csrf_token=csrf_token_from(page))
    response = client.post(f"/conferences/{conference.slug}/cfp", data=data)
    assert response.status_code == 413
    assert "What you sent is too large." in response.get_data(as_text=True)
    assert submissions(app) == []
    # Just under the limit is read (and refused by the form's own length check, beside the field).
    data["abstract"] = "A" * 700
    response = client.post(f"/conferences/{conference.slug}/cfp", data=data)
    assert response.status_code == 200
    assert "At most 600 characters; this has 700." in response.get_data(as_text=True)
