"""Programme releases: what the public sees is the latest release, never the working programme.

Releasing records a version (``v1``, ``v2``, …) with a note, the released talks (public fields
only) and the changes since the previous release; each talk's SEQUENCE rises when a release
changes it, and the speakers of changed talks get one "programme change" mail per release.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer

from webapp import audit, mail
from webapp.cfp.services.errors import CfpError
from webapp.cfp.services.mailing import mail_context, record_mail
from webapp.cfp.services.programme import placed_talks
from webapp.cfp.services.questions import shown_answers
from webapp.cfp.services.speaker_links import issue_speaker_link
from webapp.extensions import db
from webapp.models import Conference, ProgrammeRelease, Speaker, Submission
from webapp.urls import external_url

#: The public fields of a released talk: a change to any of them is a change of the programme.
PUBLIC = ("title", "abstract", "format", "minutes", "track", "speakers", "answers")
SLOT = ("starts_at", "ends_at", "room")


def _talk(t: Submission) -> dict[str, Any]:
    answers = [[q.text, answer] for q, answer in shown_answers(t, "public") if answer]
    return {
        "code": t.code,
        "id": t.id,
        "title": t.title,
        "abstract": t.abstract,
        "format": t.format.name,
        "minutes": t.format.minutes,
        "track": t.track.name if t.track else None,
        "room": t.room.name if t.room else "",
        "starts_at": t.starts_at.isoformat() if t.starts_at else None,
        "ends_at": t.ends_at.isoformat() if t.ends_at else None,
        "speakers": [
            {"id": s.id, "name": s.name, "affiliation": s.affiliation, "bio": s.bio}
            for s in t.speakers
        ],
        # The answers to the public custom questions, as the talk's page shows them (the key
        # only when there are some: releases made before questions existed compare equal).
        **({"answers": answers} if answers else {}),
    }


def latest_release(conference: Conference) -> ProgrammeRelease | None:
    return db.session.scalar(
        sa.select(ProgrammeRelease)
        .where(ProgrammeRelease.conference_id == conference.id)
        .order_by(ProgrammeRelease.version.desc())
        .limit(1)
    )


def releases(conference: Conference, limit: int = 100) -> Sequence[ProgrammeRelease]:
    """The newest releases first (without their talks: lists show the changes)."""
    return db.session.scalars(
        sa.select(ProgrammeRelease)
        .options(defer(ProgrammeRelease.talks))
        .where(ProgrammeRelease.conference_id == conference.id)
        .order_by(ProgrammeRelease.version.desc())
        .limit(limit)
    ).all()


def _change(kind: str, new: dict[str, Any] | None, old: dict[str, Any] | None) -> dict[str, Any]:
    talk = new or old or {}
    change: dict[str, Any] = {"kind": kind, "code": talk.get("code"), "title": talk.get("title")}
    if old is not None and new is not None:
        change["fields"] = [f for f in (*SLOT, *PUBLIC) if old.get(f) != new.get(f)]
    for side, value in (("before", old), ("after", new)):
        if value is not None:
            change[side] = {f: value.get(f) for f in SLOT}
    return change


def diff(
    old: list[dict[str, Any]], new: list[dict[str, Any]], gone_states: dict[str, str]
) -> list[dict[str, Any]]:
    """Talks added, moved (time), moved to another room, updated, removed or cancelled."""
    before = {t["code"]: t for t in old}
    after = {t["code"]: t for t in new}
    changes = []
    for code, talk in after.items():
        was = before.get(code)
        if was is None:
            changes.append(_change("added", talk, None))
        elif was["starts_at"] != talk["starts_at"] or was["ends_at"] != talk["ends_at"]:
            changes.append(_change("moved", talk, was))
        elif was["room"] != talk["room"]:
            changes.append(_change("room", talk, was))
        elif any(was.get(f) != talk.get(f) for f in PUBLIC):
            changes.append(_change("updated", talk, was))
    for code, was in before.items():
        if code not in after:
            kind = "cancelled" if gone_states.get(code) in ("declined", "withdrawn") else "removed"
            changes.append(_change(kind, None, was))
    return changes


def _gone_states(conference: Conference, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = db.session.execute(
        sa.select(Submission.code, Submission.state).where(
            Submission.conference_id == conference.id, Submission.code.in_(codes)
        )
    )
    return {code: state for code, state in rows}


def _sequenced(
    talks: list[dict[str, Any]],
    previous: dict[str, dict[str, Any]],
    changed: set[str],
    now: datetime,
) -> None:
    """Each talk's SEQUENCE and last change: raised and restamped when this release changes it."""
    for t in talks:
        was = previous.get(t["code"])
        if was is None:
            t["sequence"], t["last_modified"] = 0, now.isoformat()
        elif t["code"] in changed:
            t["sequence"], t["last_modified"] = was["sequence"] + 1, now.isoformat()
        else:
            t["sequence"], t["last_modified"] = was["sequence"], was["last_modified"]


def release(
    conference: Conference, note: str, actor: audit.Actor, now: datetime, notify: bool = True
) -> ProgrammeRelease:
    """Publish the working programme as the next version (``notify``: mail the speakers)."""
    previous = latest_release(conference)
    old = previous.talks if previous else []
    talks = [_talk(t) for t in placed_talks(conference)]
    gone = [t["code"] for t in old if t["code"] not in {n["code"] for n in talks}]
    changes = diff(old, talks, _gone_states(conference, gone))
    if not changes:
        raise CfpError(
            f"Nothing changed since {previous.label}." if previous else "No talk is placed yet."
        )
    _sequenced(talks, {t["code"]: t for t in old}, {c["code"] for c in changes}, now)
    version = (previous.version if previous else 0) + 1
    row = ProgrammeRelease(
        conference_id=conference.id,
        version=version,
        note=note.strip()[:2000],
        created_at=now,
        created_by=actor.label,
        talks=talks,
        changes=changes,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "programme.release",
        "conference",
        conference.id,
        f"released v{version}: {len(changes)} change(s)",
    )
    if notify:
        _mail_speakers(conference, row, changes, now)
    return row


def describe(change: dict[str, Any], conference: Conference) -> str:
    """One line for a change, in the conference's local time."""

    def when(side: str) -> str:
        slot = change.get(side) or {}
        if not slot.get("starts_at"):
            return ""
        local = conference.local(datetime.fromisoformat(slot["starts_at"]))
        return f"{local:%a %d %b %H:%M}, {slot.get('room', '')}"

    title = f"“{change['title']}”"
    return {
        "added": f"{title} added: {when('after')}",
        "moved": f"{title} moved from {when('before')} to {when('after')}",
        "room": f"{title} moved from {when('before')} to {when('after')}",
        "updated": f"{title} updated ({', '.join(change.get('fields', []))})",
        "removed": f"{title} removed from the programme (was {when('before')})",
        "cancelled": f"{title} cancelled (was {when('before')})",
    }.get(change["kind"], title)


def _mail_speakers(
    conference: Conference, row: ProgrammeRelease, changes: list[dict[str, Any]], now: datetime
) -> None:
    """One "programme change" mail per speaker of a changed talk, for this release."""
    by_code: dict[str, list[str]] = {}
    for change in changes:
        by_code.setdefault(change["code"], []).append(describe(change, conference))
    talks = db.session.scalars(
        sa.select(Submission).where(
            Submission.conference_id == conference.id, Submission.code.in_(list(by_code))
        )
    )
    programme_url = external_url(f"/conferences/{conference.slug}/program")
    per_address: dict[str, tuple[Submission, Speaker, list[str]]] = {}
    for talk in talks:
        for speaker in talk.speakers:
            if speaker.invited_at is not None:
                key = speaker.email.lower()
                first = per_address.setdefault(key, (talk, speaker, []))
                first[2].extend(by_code[talk.code])
    for talk, speaker, lines in per_address.values():
        link = issue_speaker_link(speaker, now)
        context = mail_context(
            talk,
            speaker,
            link,
            release=row.label,
            note=row.note,
            changes=lines,
            programme_url=programme_url,
        )
        message = mail.enqueue(speaker.email, "cfp_programme_change", context, now)
        record_mail(talk, message, "cfp_programme_change")
