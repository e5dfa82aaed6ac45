"""The submissions CSV defuses formulas after ';' and ',' inside a value, not only at its start."""

from __future__ import annotations

import csv
import io

from tests.cfp.conftest import post_submission


def test_submissions_csv_defuses_formulas_after_separators(
    app, client, client_as, make_conference
) -> None:
    c = make_conference()
    post_submission(client, c, title="Talk;=1+2", abstract="see, @SUM(A1); -2")
    text = (
        client_as("organizer")
        .get("/organize/conferences/bhyvecon-2027/submissions.csv")
        .get_data(as_text=True)
    )
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[2] == "Talk;'=1+2"
    assert row[-1] == "see, '@SUM(A1); '-2"
