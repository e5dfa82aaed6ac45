"""What a speaker changes through their private link; every change is in the history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from webapp import audit
from webapp.cfp.services.errors import NotAllowed
from webapp.cfp.services.programme import schedule_changed
from webapp.cfp.services.submissions import SubmissionData, _check_choice, speaker_may_edit
from webapp.extensions import db
from webapp.models import AuditEntry, Speaker, Submission


def _speaker_fields(speaker: Speaker) -> dict[str, object]:
    return {
        "speaker.name": speaker.name,
        "speaker.affiliation": speaker.affiliation,
        "speaker.bio": speaker.bio,
        "co_speakers": ", ".join(s.name for s in co_speakers_of(speaker)),
    }


def co_speakers_of(speaker: Speaker) -> list[Speaker]:
    """The other speakers of ``speaker``'s submission, in the programme's order."""
    return [s for s in speaker.submission.speakers if s.id != speaker.id]


def _rename_co_speakers(speaker: Speaker, names: Sequence[str]) -> None:
    others = co_speakers_of(speaker)
    if len(names) != len(others):
        raise NotAllowed("The list of co-speakers changed meanwhile: reload the page.")
    for other, name in zip(others, names, strict=True):
        if not name.strip():
            raise NotAllowed("Every co-speaker needs a name.")
        other.name = name.strip()


def _submission_fields(s: Submission) -> dict[str, object]:
    return {
        "title": s.title,
        "format_id": s.format_id,
        "track_id": s.track_id,
        "abstract": s.abstract,
        "description": s.description,
        "notes": s.notes,
    }


def update_submission(
    submission: Submission,
    speaker: Speaker,
    data: SubmissionData,
    actor: audit.Actor,
    now: datetime,
    co_speaker_names: Sequence[str] | None = None,
) -> None:
    """A speaker's change (with, when given, the co-speakers' names as the programme shows
    them). Public pages show it once the next programme release is made."""
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
    if data.speaker is not None:
        speaker.name = data.speaker.name.strip()
        speaker.affiliation = data.speaker.affiliation.strip()
        speaker.bio = data.speaker.bio.strip()
    if co_speaker_names is not None:
        _rename_co_speakers(speaker, co_speaker_names)
    submission.updated_at = now
    if title_changed and submission.is_placed:
        schedule_changed(submission, now)
    db.session.flush()
    audit.record(
        actor,
        "submission.update",
        "submission",
        submission.code,
        "edited by a speaker",
        audit.diff(before, _submission_fields(submission) | _speaker_fields(speaker)),
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
