"""What a speaker changes through their private link; every change is in the history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from webapp import addresses, audit
from webapp.cfp.services.errors import NotAllowed
from webapp.cfp.services.mailing import mail_speaker
from webapp.cfp.services.programme import schedule_changed
from webapp.cfp.services.questions import check_answers
from webapp.cfp.services.submissions import SubmissionData, _check_choice, speaker_may_edit
from webapp.extensions import db
from webapp.models import AuditEntry, Speaker, Submission

#: The submitting speaker and at most ten co-speakers, as on the form.
MAX_SPEAKERS = 11


def _speaker_fields(speaker: Speaker) -> dict[str, object]:
    return {
        "speaker.name": speaker.name,
        "speaker.affiliation": speaker.affiliation,
        "speaker.bio": speaker.bio,
        "co_speakers": ", ".join(s.name for s in co_speakers_of(speaker)),
        "co_speaker_emails": ", ".join(s.email for s in co_speakers_of(speaker)),
    }


def co_speakers_of(speaker: Speaker) -> list[Speaker]:
    """The other speakers of ``speaker``'s submission, in the programme's order."""
    return [s for s in speaker.submission.speakers if s.id != speaker.id]


@dataclass(frozen=True)
class CoSpeakerRow:
    """One row of the co-speakers on the edit form: a stored speaker or (no id) a new one."""

    speaker_id: int | None
    name: str
    email: str
    remove: bool = False


def roster_open(submission: Submission, now: datetime) -> bool:
    """Co-speakers can be added, removed and their addresses corrected until the deadline;
    names can be corrected as long as the speaker may edit."""
    return not submission.conference.cfp(now).after_deadline


def _too_late() -> NotAllowed:
    return NotAllowed(
        "The call is closed: only names can be corrected now; ask the organizers for more."
    )


def _change_stored(speaker: Speaker, other: Speaker, row: CoSpeakerRow, open_: bool) -> None:
    if row.remove:
        if not open_:
            raise _too_late()
        if other.position == 0:
            raise NotAllowed("The speaker who sent the proposal stays on it.")
        speaker.submission.speakers.remove(other)
        return
    if not row.name.strip():
        raise NotAllowed("Every co-speaker needs a name.")
    other.name = row.name.strip()
    if (addresses.key_or_none(row.email) or row.email.strip().lower()) != other.email_key:
        if not open_:
            raise _too_late()
        if other.position == 0:
            raise NotAllowed("Only the speaker who sent the proposal changes their address.")
        # A corrected address: the old address's links stop working; the new one is invited
        # the way co-speakers are at submission, once a speaker confirms from their link.
        other.links.clear()
        other.email = row.email.strip()
        other.invited_at = None


def _apply_co_speakers(speaker: Speaker, rows: Sequence[CoSpeakerRow], now: datetime) -> None:
    submission, open_ = speaker.submission, roster_open(speaker.submission, now)
    others = {s.id: s for s in co_speakers_of(speaker)}
    if {r.speaker_id for r in rows if r.speaker_id is not None} != set(others):
        raise NotAllowed("The list of co-speakers changed meanwhile: reload the page.")
    for row in rows:
        if row.speaker_id is not None:
            _change_stored(speaker, others[row.speaker_id], row, open_)
        elif not row.remove:
            if not open_:
                raise _too_late()
            submission.speakers.append(
                Speaker(name=row.name.strip(), email=row.email.strip(), invited_at=None)
            )
    if len(submission.speakers) > MAX_SPEAKERS:
        raise NotAllowed(f"At most {MAX_SPEAKERS - 1} co-speakers.")
    emails = [s.email_key for s in submission.speakers]
    if len(set(emails)) != len(emails):
        raise NotAllowed("Each speaker needs a different email address.")
    stored = sorted((s for s in submission.speakers if s.id is not None), key=_position)
    for position, each in enumerate(stored + [s for s in submission.speakers if s.id is None]):
        each.position = position


def _position(s: Speaker) -> int:
    return s.position


def _submission_fields(s: Submission) -> dict[str, object]:
    return {
        "title": s.title,
        "format_id": s.format_id,
        "track_id": s.track_id,
        "abstract": s.abstract,
        "description": s.description,
        "notes": s.notes,
        "answers": dict(s.answers or {}),
    }


def update_submission(
    submission: Submission,
    speaker: Speaker,
    data: SubmissionData,
    actor: audit.Actor,
    now: datetime,
    co_speakers: Sequence[CoSpeakerRow] | None = None,
) -> None:
    """A speaker's change (with, when given, the co-speakers as the form lists them). Public
    pages show it once the next programme release is made."""
    if not speaker_may_edit(submission, now):
        raise NotAllowed("This submission can no longer be changed.")
    _check_choice(submission.conference, data)
    if submission.is_placed and data.format_id != submission.format_id:
        raise NotAllowed("The talk is in the programme: ask the organizers to change its format.")
    before = _submission_fields(submission) | _speaker_fields(speaker)
    title_changed = data.title.strip() != submission.title
    submission.title = data.title.strip()
    submission.format_id = data.format_id
    submission.track_id = data.track_id
    submission.abstract = data.abstract.strip()
    submission.description = data.description.strip()
    submission.notes = data.notes.strip()
    submission.answers = check_answers(submission.conference, data.answers)
    if data.speaker is not None:
        speaker.name = data.speaker.name.strip()
        speaker.affiliation = data.speaker.affiliation.strip()
        speaker.bio = data.speaker.bio.strip()
    if co_speakers is not None:
        _apply_co_speakers(speaker, co_speakers, now)
    db.session.flush()
    changes = audit.diff(before, _submission_fields(submission) | _speaker_fields(speaker))
    if not changes:
        return  # the form sent back as it was shown: nothing to record
    submission.updated_at = now
    if title_changed and submission.is_placed:
        schedule_changed(submission, now)
    audit.record(
        actor, "submission.update", "submission", submission.code, "edited by a speaker", changes
    )


def history_of(submission: Submission) -> list[AuditEntry]:
    """Every recorded change of the submission, newest first, with its field-by-field diff."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == "submission", AuditEntry.object_id == submission.code)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(200)
        )
    )


def reissue_link(speaker: Speaker, actor: audit.Actor, now: datetime) -> None:
    """A new private link for ``speaker``, mailed to them; every earlier link stops working."""
    speaker.links.clear()
    db.session.flush()
    speaker.invited_at = speaker.invited_at or now
    mail_speaker(speaker.submission, speaker, "cfp_link_reissued", now)
    audit.record(
        actor,
        "submission.link",
        "submission",
        speaker.submission.code,
        f"new private link for {speaker.email}; earlier ones revoked",
    )
