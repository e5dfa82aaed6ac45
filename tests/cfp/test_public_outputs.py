"""What the form calls "for the reviewers" or "never published" appears in no public output."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Submission

SECRET_DESCRIPTION = "Reviewers-only description zq7"
SECRET_NOTES = "Never-published notes zq8"


def _public_outputs(client, conference, code: str) -> dict[str, str]:
    slug = conference.slug
    return {
        path: client.get(path).get_data(as_text=True)
        for path in (
            f"/conferences/{slug}/",
            f"/conferences/{slug}/program",
            f"/conferences/{slug}/talks/{code}",
            f"/conferences/{slug}/program.ics",
            f"/conferences/{slug}/schedule.json",
            f"/conferences/{slug}/program/changes",
            f"/conferences/{slug}/program/changes.atom",
            "/calendar.ics",
        )
    }


def test_the_description_and_notes_are_in_no_public_output(app, client, programme) -> None:
    c, codes, organizer = programme
    with app.app_context():
        talk = db.session.scalar(sa.select(Submission).where(Submission.code == codes["keynote"]))
        talk.description = SECRET_DESCRIPTION
        talk.notes = SECRET_NOTES
        db.session.commit()
    # A release after the edit: only public fields are ever released.
    organizer.post(f"/organize/conferences/{c.slug}/programme/release", data={"note": "again"})
    outputs = _public_outputs(client, c, codes["keynote"])
    assert (
        "About Keynote: bhyve in 2027."
        in outputs[f"/conferences/{c.slug}/talks/{codes['keynote']}"]
    )
    assert "About Keynote: bhyve in 2027." in outputs[f"/conferences/{c.slug}/schedule.json"]
    for path, body in outputs.items():
        assert SECRET_DESCRIPTION not in body, path
        assert SECRET_NOTES not in body, path
    # The organizers still see it.
    page = organizer.get(f"/organize/conferences/{c.slug}/submissions/{codes['keynote']}")
    assert SECRET_DESCRIPTION in page.get_data(as_text=True)
