""" "Send me my link": a speaker who lost their private link asks for it again.

The answer never says whether the address has a proposal; the mail goes only to the addresses
on file (found by their key, ``webapp.addresses.key``), and only to speakers who were invited
(the submitting speaker, and co-speakers once the submitter confirmed). A new link is issued for
each proposal; the older ones stay valid (otherwise anyone who knows a speaker's address could
end their link). The view limits requests per client and per address.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from webapp import addresses, audit, mail
from webapp.cfp.services.speaker_links import issue_speaker_link
from webapp.extensions import db
from webapp.models import Conference, Speaker, Submission


def send_links(conference: Conference, address: str, now: datetime) -> int:
    """Queue one mail per address on file matching ``address``; how many (not for the page)."""
    wanted = addresses.key_or_none(address)
    if wanted is None:
        return 0
    speakers = db.session.scalars(
        sa.select(Speaker)
        .join(Submission)
        .where(
            Submission.conference_id == conference.id,
            Speaker.email_key == wanted,
            Speaker.invited_at.is_not(None),
        )
        .order_by(Submission.code, Speaker.id)
    ).all()
    by_address: dict[str, list[dict[str, str]]] = {}
    for speaker in speakers:
        by_address.setdefault(speaker.email, []).append(
            {"code": speaker.submission.code, "link": issue_speaker_link(speaker, now)}
        )
    for to, links in by_address.items():
        context = {"conference": {"name": conference.name, "slug": conference.slug}}
        mail.enqueue(to, "cfp_link_again", {**context, "links": links}, now)
        audit.record(
            audit.Actor(label="send me my link"),
            "speaker.link_again",
            "conference",
            conference.slug,
            f"{len(links)} link(s) mailed to {to}",
        )
    db.session.flush()
    return len(by_address)
