"""Conference, submissions, review, decisions and programme.

Services take typed arguments and an explicit ``now``, raise ``CfpError`` subclasses with a
message for the user, flush but never commit. Every state change of a submission goes through
``set_submission_state``.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import sleep
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from webapp import audit, csvsafe, mail
from webapp.extensions import db
from webapp.models import (
    ACCEPTED_STATES,
    TRANSITIONS,
    Conference,
    LateLink,
    ReviewConflict,
    Room,
    SessionFormat,
    Speaker,
    SpeakerLink,
    Submission,
    SubmissionReview,
    SubmissionState,
    Track,
    User,
    UserRole,
)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3456789"  # no 0/O, 1/I/L, 2/Z look-alikes


class CfpError(ValueError):
    """A request about the conference that cannot be carried out; the message is for the user."""


class CfpClosed(CfpError):
    pass


class NotAllowed(CfpError):
    pass


class SlotConflict(CfpError):
    pass


# -- time ----------------------------------------------------------------------------------------


def zone_or_error(name: str) -> ZoneInfo:
    if not name or name not in available_timezones():
        raise CfpError(f"Unknown time zone {name!r}: use an IANA name such as Europe/Amsterdam.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - filtered above
        raise CfpError(f"Unknown time zone {name!r}.") from None


def local_to_utc(wall: datetime, zone: ZoneInfo, what: str = "time") -> datetime:
    """A local wall time in ``zone`` as a UTC instant; a time the clocks skip is refused."""
    if wall.tzinfo is not None:
        raise CfpError(f"{what}: expected a local wall time")
    aware = wall.replace(tzinfo=zone)
    back = aware.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != wall:
        raise CfpError(
            f"{what} {wall:%Y-%m-%d %H:%M} does not exist in {zone.key}: "
            "the clocks skip it (daylight saving time starts)."
        )
    return aware.astimezone(UTC)


def parse_local_datetime(text: str, what: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007 - local wall time
    except ValueError:
        raise CfpError(f"{what} {text!r} is not a date and time like 2027-03-01 23:59.") from None


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CfpError(f"{what} {text!r} is not a date like 2027-06-10.") from None


def format_local(instant: datetime, conference: Conference) -> str:
    return f"{conference.local(instant):%Y-%m-%d %H:%M} {conference.timezone}"


def closes_in(conference: Conference, now: datetime) -> str:
    """'closes in 3 days' (server-side text of the countdown)."""
    left = conference.cfp_closes_at - now
    if left <= timedelta(0):
        return "closed"
    if left >= timedelta(days=2):
        return f"closes in {left.days} days"
    hours = int(left.total_seconds() // 3600)
    if hours >= 2:
        return f"closes in {hours} hours"
    minutes = max(int(left.total_seconds() // 60), 1)
    return f"closes in {minutes} minute{'s' if minutes != 1 else ''}"


# -- conference ----------------------------------------------------------------------------------


@dataclass
class ConferenceData:
    slug: str
    name: str
    timezone: str
    starts_on: date
    ends_on: date
    cfp_opens_local: datetime
    cfp_closes_local: datetime
    place: str = ""
    description: str = ""
    call_text: str = ""
    anonymous_review: bool = False
    formats: list[tuple[str, int]] = field(default_factory=list)
    tracks: list[str] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)


def parse_format(text: str) -> tuple[str, int]:
    """'Talk:30' → ('Talk', 30)."""
    name, sep, minutes = text.rpartition(":")
    name = name.strip()
    if not sep or not name or not minutes.strip().isdigit():
        raise CfpError(f"Session format {text!r} should look like 'Talk:30' (name:minutes).")
    value = int(minutes)
    if not 1 <= value <= 600:
        raise CfpError(f"Session format {name!r}: length must be 1 to 600 minutes, not {value}.")
    if len(name) > 60:
        raise CfpError(f"Session format name {name[:20]!r}… is longer than 60 characters.")
    return name, value


def _check(data: ConferenceData) -> tuple[datetime, datetime]:
    if not SLUG_RE.match(data.slug):
        raise CfpError(
            f"Slug {data.slug!r}: 3 to 60 lowercase letters, digits and dashes, e.g. bhyvecon-2027."
        )
    if not data.name.strip():
        raise CfpError("The conference needs a name.")
    zone = zone_or_error(data.timezone)
    if data.ends_on < data.starts_on:
        raise CfpError(f"The conference ends ({data.ends_on}) before it starts ({data.starts_on}).")
    opens = local_to_utc(data.cfp_opens_local, zone, "CFP opening")
    closes = local_to_utc(data.cfp_closes_local, zone, "CFP closing")
    if closes <= opens:
        raise CfpError(
            f"The CFP closes ({data.cfp_closes_local:%Y-%m-%d %H:%M}) before it opens "
            f"({data.cfp_opens_local:%Y-%m-%d %H:%M})."
        )
    if not data.formats:
        raise CfpError("The conference needs at least one session format, e.g. Talk:30.")
    names = [n.lower() for n, _ in data.formats]
    if len(set(names)) != len(names):
        raise CfpError("Two session formats have the same name.")
    return opens, closes


def create_conference(data: ConferenceData, actor: audit.Actor, now: datetime) -> Conference:
    opens, closes = _check(data)
    if db.session.scalar(sa.select(Conference.id).where(Conference.slug == data.slug)):
        raise CfpError(f"A conference with slug {data.slug!r} exists already.")
    conference = Conference(
        slug=data.slug,
        name=data.name.strip(),
        timezone=data.timezone,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        place=data.place.strip(),
        description=data.description,
        call_text=data.call_text,
        cfp_opens_at=opens,
        cfp_closes_at=closes,
        anonymous_review=data.anonymous_review,
        created_at=now,
        updated_at=now,
    )
    db.session.add(conference)
    _sync_named(conference, data)
    db.session.flush()
    audit.record(
        actor, "conference.create", "conference", conference.id, f"created {conference.slug}"
    )
    return conference


def update_conference(
    conference: Conference, data: ConferenceData, actor: audit.Actor, now: datetime
) -> None:
    opens, closes = _check(data)
    if data.slug != conference.slug and db.session.scalar(
        sa.select(Conference.id).where(Conference.slug == data.slug)
    ):
        raise CfpError(f"A conference with slug {data.slug!r} exists already.")
    before = _conference_fields(conference)
    conference.slug = data.slug
    conference.name = data.name.strip()
    conference.timezone = data.timezone
    conference.starts_on = data.starts_on
    conference.ends_on = data.ends_on
    conference.place = data.place.strip()
    conference.description = data.description
    conference.call_text = data.call_text
    conference.cfp_opens_at = opens
    conference.cfp_closes_at = closes
    conference.anonymous_review = data.anonymous_review
    conference.updated_at = now
    _sync_named(conference, data)
    db.session.flush()
    audit.record(
        actor,
        "conference.update",
        "conference",
        conference.id,
        f"edited {conference.slug}",
        audit.diff(before, _conference_fields(conference)),
    )


def _conference_fields(c: Conference) -> dict[str, object]:
    return {
        "slug": c.slug,
        "name": c.name,
        "timezone": c.timezone,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "place": c.place,
        "cfp_opens_at": c.cfp_opens_at,
        "cfp_closes_at": c.cfp_closes_at,
        "anonymous_review": c.anonymous_review,
        "formats": [f"{f.name}:{f.minutes}" for f in c.formats],
        "tracks": [t.name for t in c.tracks],
        "rooms": [r.name for r in c.rooms],
    }


def _sync_named(conference: Conference, data: ConferenceData) -> None:
    """Match formats, tracks and rooms by name: keep, add, or remove when nothing uses them."""
    by_name = {f.name: f for f in conference.formats}
    kept: list[SessionFormat] = []
    for pos, (name, minutes) in enumerate(data.formats):
        fmt = by_name.pop(name, None) or SessionFormat(name=name, minutes=minutes)
        fmt.minutes, fmt.position = minutes, pos
        kept.append(fmt)
    for gone in by_name.values():
        if gone.id and _used(Submission.format_id, gone.id):
            raise CfpError(f"Session format {gone.name!r} has submissions; it cannot be removed.")
    conference.formats = kept

    tracks = {t.name: t for t in conference.tracks}
    conference.tracks = [
        _positioned(tracks.pop(name, None) or Track(name=name), pos)
        for pos, name in enumerate(dict.fromkeys(n.strip() for n in data.tracks if n.strip()))
    ]

    rooms = {r.name: r for r in conference.rooms}
    new_rooms = [
        _positioned(rooms.pop(name, None) or Room(name=name), pos)
        for pos, name in enumerate(dict.fromkeys(n.strip() for n in data.rooms if n.strip()))
    ]
    for gone_room in rooms.values():
        if gone_room.id and _used(Submission.room_id, gone_room.id):
            raise CfpError(
                f"Room {gone_room.name!r} has talks in the programme; it cannot be removed."
            )
    conference.rooms = new_rooms


def _positioned(obj, pos: int):  # type: ignore[no-untyped-def]
    obj.position = pos
    return obj


def _used(column: sa.orm.InstrumentedAttribute[int | None], value: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.func.count()).where(column == value)))


def conference_by_slug(slug: str) -> Conference | None:
    return db.session.scalar(sa.select(Conference).where(Conference.slug == slug))


def list_conferences() -> Sequence[Conference]:
    return db.session.scalars(sa.select(Conference).order_by(Conference.starts_on.desc())).all()


# -- tokens --------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def public_url(path: str) -> str:
    return current_app.config["CADENCE_BASE_URL"].rstrip("/") + path


def issue_speaker_link(speaker: Speaker, now: datetime) -> str:
    """A new private link for ``speaker`` (earlier ones stay valid); returns its URL."""
    token = secrets.token_urlsafe(32)
    speaker.links.append(SpeakerLink(token_hash=hash_token(token), created_at=now))
    return public_url(f"/cfp/s/{token}")


def speaker_by_token(token: str) -> Speaker | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(Speaker)
        .join(SpeakerLink)
        .where(SpeakerLink.token_hash == hash_token(token))
        .options(selectinload(Speaker.submission))
    )


# -- submissions ---------------------------------------------------------------------------------


@dataclass
class SpeakerData:
    name: str
    email: str
    affiliation: str = ""
    bio: str = ""


@dataclass
class SubmissionData:
    title: str
    format_id: int
    track_id: int | None
    abstract: str
    description: str = ""
    notes: str = ""
    speaker: SpeakerData | None = None
    co_speakers: list[SpeakerData] = field(default_factory=list)


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not db.session.scalar(sa.select(Submission.id).where(Submission.code == code)):
            return code


def submission_by_form_token(token: str) -> Submission | None:
    return db.session.scalar(sa.select(Submission).where(Submission.form_token == token))


def late_link_for(conference: Conference, token: str | None, now: datetime) -> LateLink | None:
    """The valid, unused late-submission link with this token, if any."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(
        sa.select(LateLink).where(
            LateLink.conference_id == conference.id, LateLink.token_hash == hash_token(token)
        )
    )
    if link is None or link.used_at is not None or now >= link.valid_until:
        return None
    return link


def _check_choice(conference: Conference, data: SubmissionData) -> None:
    if data.format_id not in {f.id for f in conference.formats}:
        raise CfpError("Choose one of the session formats.")
    if data.track_id is not None and data.track_id not in {t.id for t in conference.tracks}:
        raise CfpError("Choose one of the tracks.")


def submit(
    conference: Conference,
    data: SubmissionData,
    form_token: str,
    now: datetime,
    late_token: str | None = None,
) -> tuple[Submission, bool]:
    """Store a submission; ``(submission, False)`` when this form was already sent."""
    existing = submission_by_form_token(form_token)
    if existing is not None:
        if existing.conference_id != conference.id:
            raise CfpError("This form belongs to another conference.")
        return existing, False
    late = None
    if not conference.cfp(now).is_open:
        late = late_link_for(conference, late_token, now)
        if late is None:
            raise CfpClosed(_closed_message(conference, now))
    _check_choice(conference, data)
    if data.speaker is None:
        raise CfpError("A submission needs a speaker.")
    emails = [data.speaker.email.lower()] + [c.email.lower() for c in data.co_speakers]
    if len(set(emails)) != len(emails):
        raise CfpError("Each speaker needs a different email address.")
    submission = Submission(
        conference=conference,
        code=_new_code(),
        state=SubmissionState.SUBMITTED,
        title=data.title.strip(),
        format_id=data.format_id,
        track_id=data.track_id,
        abstract=data.abstract.strip(),
        description=data.description.strip(),
        notes=data.notes.strip(),
        form_token=form_token,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    for pos, sp in enumerate([data.speaker, *data.co_speakers]):
        submission.speakers.append(
            Speaker(
                position=pos,
                name=sp.name.strip(),
                email=sp.email.strip(),
                affiliation=sp.affiliation.strip(),
                bio=sp.bio.strip(),
            )
        )
    db.session.add(submission)
    db.session.flush()
    if late is not None:
        late.used_at = now
        late.submission_id = submission.id
    actor = audit.Actor(label=f"speaker {data.speaker.email}"[:254])
    audit.record(
        actor,
        "submission.create",
        "submission",
        submission.code,
        f"submitted {submission.title!r}" + (" with a late link" if late else ""),
    )
    for speaker in submission.speakers:
        link = issue_speaker_link(speaker, now)
        mail.enqueue(speaker.email, "cfp_received", mail_context(submission, speaker, link), now)
    review_link = public_url(
        f"/organize/conferences/{conference.slug}/submissions/{submission.code}"
    )
    for organizer in organizers():
        mail.enqueue(
            organizer.email,
            "cfp_new_submission",
            mail_context(submission, None, review_link),
            now,
        )
    db.session.flush()
    _test_delay()
    return submission, True


def _test_delay() -> None:
    """TEST-ONLY (``CFP_TEST_DELAY_SECONDS``, 0 by default, forced to 0 in production): wait with
    the submission's rows written but not committed, so a fault test can kill the worker here."""
    delay = float(current_app.config.get("CFP_TEST_DELAY_SECONDS") or 0)
    if delay > 0 and current_app.config.get("CADENCE_ENV") != "production":
        sleep(delay)


def _closed_message(conference: Conference, now: datetime) -> str:
    window = conference.cfp(now)
    if window.before_opening:
        return f"The call for papers opens on {format_local(conference.cfp_opens_at, conference)}."
    return f"The call for papers closed on {format_local(conference.cfp_closes_at, conference)}."


def organizers() -> Sequence[User]:
    return db.session.scalars(
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == "organizer", User.active.is_(True))
        .order_by(User.email)
    ).all()


def mail_context(submission: Submission, speaker: Speaker | None, link: str) -> dict[str, object]:
    c = submission.conference
    return {
        "conference": {
            "name": c.name,
            "slug": c.slug,
            "deadline": format_local(c.cfp_closes_at, c),
            "dates": f"{c.starts_on} – {c.ends_on}"
            if c.ends_on != c.starts_on
            else str(c.starts_on),
            "place": c.place,
        },
        "submission": {
            "code": submission.code,
            "title": submission.title,
            "format": submission.format.label if submission.format else "",
            "speakers": submission.speaker_names,
        },
        "speaker": {"name": speaker.name, "email": speaker.email} if speaker else {},
        "link": link,
    }


def speaker_may_edit(submission: Submission, now: datetime) -> bool:
    """Until the deadline while submitted; talk details again once accepted."""
    if submission.state == SubmissionState.SUBMITTED:
        return not submission.conference.cfp(now).after_deadline
    return submission.state in ACCEPTED_STATES


def update_submission(
    submission: Submission,
    speaker: Speaker,
    data: SubmissionData,
    actor: audit.Actor,
    now: datetime,
) -> None:
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
    submission.updated_at = now
    if title_changed and submission.is_placed:
        _schedule_changed(submission, now)
    db.session.flush()
    audit.record(
        actor,
        "submission.update",
        "submission",
        submission.code,
        "edited by a speaker",
        audit.diff(before, _submission_fields(submission) | _speaker_fields(speaker)),
    )


def _speaker_fields(speaker: Speaker) -> dict[str, object]:
    return {
        "speaker.name": speaker.name,
        "speaker.affiliation": speaker.affiliation,
        "speaker.bio": speaker.bio,
    }


def _submission_fields(s: Submission) -> dict[str, object]:
    return {
        "title": s.title,
        "format_id": s.format_id,
        "track_id": s.track_id,
        "abstract": s.abstract,
        "description": s.description,
        "notes": s.notes,
    }


def set_submission_state(
    submission: Submission,
    new_state: SubmissionState,
    by: str,
    actor: audit.Actor,
    now: datetime,
) -> None:
    """THE way a submission changes state: validate, save, audit, queue mail."""
    old = SubmissionState(submission.state)
    allowed_by = TRANSITIONS.get((old, new_state))
    if allowed_by is None:
        raise NotAllowed(f"A submission that is {old} cannot become {new_state}.")
    if allowed_by != by:
        raise NotAllowed(f"Only the {allowed_by}s can make a submission {new_state}.")
    if (
        by == "speaker"
        and new_state == SubmissionState.WITHDRAWN
        and submission.conference.cfp(now).after_deadline
    ):
        raise NotAllowed("The call for papers has closed: write to the organizers to withdraw.")
    submission.state = new_state
    submission.updated_at = now
    if new_state in (SubmissionState.ACCEPTED, SubmissionState.REJECTED):
        submission.decided_at = now
    if new_state not in ACCEPTED_STATES and submission.is_placed:
        _clear_slot(submission, now)
    db.session.flush()
    audit.record(
        actor,
        f"submission.{new_state}",
        "submission",
        submission.code,
        f"{old} → {new_state}",
        {"state": [str(old), str(new_state)]},
    )
    template = {
        SubmissionState.ACCEPTED: "cfp_accepted",
        SubmissionState.REJECTED: "cfp_rejected",
    }.get(new_state)
    if template:
        for speaker in submission.speakers:
            link = issue_speaker_link(speaker, now)
            mail.enqueue(speaker.email, template, mail_context(submission, speaker, link), now)
        db.session.flush()


def decide_many(
    submissions: Iterable[Submission], new_state: SubmissionState, actor: audit.Actor, now: datetime
) -> tuple[int, list[str]]:
    """Bulk accept/reject; returns (changed, messages about the ones skipped)."""
    changed, skipped = 0, []
    for submission in submissions:
        if submission.state == new_state:
            continue
        try:
            set_submission_state(submission, new_state, "organizer", actor, now)
        except NotAllowed as exc:
            skipped.append(f"{submission.code}: {exc}")
        else:
            changed += 1
    return changed, skipped


# -- review --------------------------------------------------------------------------------------


def is_organizer(user: User) -> bool:
    return user.has_role("organizer")


def own_review(submission: Submission, user: User) -> SubmissionReview | None:
    return next((r for r in submission.reviews if r.reviewer_id == user.id), None)


def has_conflict(submission: Submission, user: User) -> bool:
    return any(c.user_id == user.id for c in submission.conflicts)


def may_see_reviews(submission: Submission, user: User) -> bool:
    """Others' scores and comments: only after scoring it yourself."""
    return own_review(submission, user) is not None


def hides_speakers(conference: Conference, user: User) -> bool:
    return conference.anonymous_review and not is_organizer(user)


def save_review(
    submission: Submission, user: User, score: int, comment: str, actor: audit.Actor, now: datetime
) -> SubmissionReview:
    if has_conflict(submission, user):
        raise NotAllowed("You declared a conflict of interest with this submission.")
    if submission.state == SubmissionState.WITHDRAWN:
        raise NotAllowed("This submission was withdrawn.")
    if not 1 <= score <= 5:
        raise CfpError("The score is a whole number from 1 to 5.")
    review = own_review(submission, user)
    before = {"score": review.score, "comment": review.comment} if review else {}
    if review is None:
        review = SubmissionReview(reviewer_id=user.id, created_at=now)
        submission.reviews.append(review)
    review.score, review.comment, review.updated_at = score, comment.strip(), now
    db.session.flush()
    audit.record(
        actor,
        "review.save",
        "submission",
        submission.code,
        f"scored {score}",
        audit.diff(before, {"score": score, "comment": review.comment}),
    )
    return review


def declare_conflict(submission: Submission, user: User, actor: audit.Actor, now: datetime) -> None:
    if has_conflict(submission, user):
        return
    review = own_review(submission, user)
    if review is not None:
        submission.reviews.remove(review)
    submission.conflicts.append(ReviewConflict(user_id=user.id, created_at=now))
    db.session.flush()
    audit.record(actor, "review.conflict", "submission", submission.code, "declared a conflict")


SORTS = ("date", "title", "score")


def list_submissions(
    conference: Conference,
    user: User,
    state: str | None = None,
    format_id: int | None = None,
    track_id: int | None = None,
    sort: str = "date",
) -> list[Submission]:
    query = (
        sa.select(Submission)
        .where(Submission.conference_id == conference.id)
        .options(
            selectinload(Submission.speakers),
            selectinload(Submission.reviews),
            selectinload(Submission.conflicts),
            selectinload(Submission.format),
            selectinload(Submission.track),
        )
    )
    if state:
        query = query.where(Submission.state == state)
    if format_id:
        query = query.where(Submission.format_id == format_id)
    if track_id:
        query = query.where(Submission.track_id == track_id)
    rows = list(db.session.scalars(query.order_by(Submission.submitted_at, Submission.id)))
    if sort == "title":
        rows.sort(key=lambda s: s.title.lower())
    elif sort == "score":

        def key(s: Submission) -> tuple[int, float]:
            mean = visible_mean(s, user)
            return (mean is None, -(mean or 0.0))

        rows.sort(key=key)
    return rows


def visible_mean(submission: Submission, user: User) -> float | None:
    return (
        submission.mean_score if may_see_reviews(submission, user) or is_organizer(user) else None
    )


# -- late links ----------------------------------------------------------------------------------


def create_late_link(
    conference: Conference, label: str, valid_until_local: date, actor: audit.Actor, now: datetime
) -> tuple[LateLink, str]:
    if not label.strip():
        raise CfpError("Say who the link is for.")
    until = local_to_utc(datetime.combine(valid_until_local, time(23, 59)), conference.zone)
    if until <= now:
        raise CfpError("The link must stay valid until a date in the future.")
    token = secrets.token_urlsafe(32)
    link = LateLink(
        conference_id=conference.id,
        token_hash=hash_token(token),
        label=label.strip(),
        valid_until=until,
        created_at=now,
        created_by=actor.label,
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        actor, "late_link.create", "conference", conference.id, f"late link for {label.strip()}"
    )
    return link, public_url(f"/conferences/{conference.slug}/cfp?late={token}")


def late_links(conference: Conference) -> Sequence[LateLink]:
    return db.session.scalars(
        sa.select(LateLink)
        .where(LateLink.conference_id == conference.id)
        .order_by(LateLink.id.desc())
    ).all()


# -- programme -----------------------------------------------------------------------------------


def _schedule_changed(submission: Submission, now: datetime) -> None:
    submission.sequence += 1
    submission.schedule_changed_at = now


def _clear_slot(submission: Submission, now: datetime) -> None:
    submission.room_id = None
    submission.room = None
    submission.starts_at = None
    submission.ends_at = None
    _schedule_changed(submission, now)


def place_talk(
    submission: Submission, room: Room, local_start: datetime, actor: audit.Actor, now: datetime
) -> None:
    """Put a confirmed talk into ``room`` at a local wall time; overlaps in the room are refused."""
    conference = submission.conference
    if submission.state != SubmissionState.CONFIRMED:
        raise NotAllowed("Only confirmed talks go into the programme.")
    if room.conference_id != conference.id:
        raise CfpError("Choose one of this conference's rooms.")
    if not conference.starts_on <= local_start.date() <= conference.ends_on:
        raise CfpError(
            f"{local_start:%Y-%m-%d} is not a day of the conference "
            f"({conference.starts_on} – {conference.ends_on})."
        )
    starts = local_to_utc(local_start, conference.zone, "Start")
    ends = starts + timedelta(minutes=submission.format.minutes)
    other = db.session.scalar(
        sa.select(Submission).where(
            Submission.room_id == room.id,
            Submission.id != submission.id,
            Submission.starts_at < ends,
            Submission.ends_at > starts,
        )
    )
    if other is not None:
        raise SlotConflict(
            f"{room.name} is taken then by “{other.title}” ({other.code}), "
            f"{conference.local(other.starts_at):%a %H:%M}–{conference.local(other.ends_at):%H:%M}."  # type: ignore[arg-type]
        )
    if (
        submission.room_id == room.id
        and submission.starts_at == starts
        and submission.ends_at == ends
    ):
        return
    before = {
        "room": submission.room.name if submission.room else None,
        "starts_at": submission.starts_at,
    }
    submission.room = room
    submission.starts_at = starts
    submission.ends_at = ends
    submission.updated_at = now
    _schedule_changed(submission, now)
    db.session.flush()
    audit.record(
        actor,
        "programme.place",
        "submission",
        submission.code,
        f"{room.name} {local_start:%Y-%m-%d %H:%M}",
        audit.diff(before, {"room": room.name, "starts_at": starts}),
    )


def unplace_talk(submission: Submission, actor: audit.Actor, now: datetime) -> None:
    if not submission.is_placed:
        return
    _clear_slot(submission, now)
    db.session.flush()
    audit.record(
        actor, "programme.unplace", "submission", submission.code, "taken out of the programme"
    )


def placed_talks(conference: Conference) -> list[Submission]:
    return list(
        db.session.scalars(
            sa.select(Submission)
            .where(
                Submission.conference_id == conference.id,
                Submission.state == SubmissionState.CONFIRMED,
                Submission.starts_at.is_not(None),
            )
            .options(selectinload(Submission.speakers), selectinload(Submission.room))
            .order_by(Submission.starts_at, Submission.room_id, Submission.code)
        )
    )


def confirmed_talks(conference: Conference) -> list[Submission]:
    return list(
        db.session.scalars(
            sa.select(Submission)
            .where(
                Submission.conference_id == conference.id,
                Submission.state == SubmissionState.CONFIRMED,
            )
            .order_by(Submission.starts_at.is_(None).desc(), Submission.starts_at, Submission.title)
        )
    )


def public_talk(conference: Conference, code: str) -> Submission | None:
    return db.session.scalar(
        sa.select(Submission).where(
            Submission.conference_id == conference.id,
            Submission.code == code,
            Submission.state == SubmissionState.CONFIRMED,
            Submission.starts_at.is_not(None),
        )
    )


def published_conferences() -> list[Conference]:
    """Conferences with at least one talk in the programme (for the site-wide calendar)."""
    has_talks = (
        sa.select(Submission.id)
        .where(
            Submission.conference_id == Conference.id,
            Submission.state == SubmissionState.CONFIRMED,
            Submission.starts_at.is_not(None),
        )
        .exists()
    )
    return list(
        db.session.scalars(sa.select(Conference).where(has_talks).order_by(Conference.starts_on))
    )


# -- export --------------------------------------------------------------------------------------


def export_csv(conference: Conference) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out)  # defuses formulas in every cell
    writer.writerow(
        [
            "code",
            "state",
            "title",
            "format",
            "track",
            "speakers",
            "emails",
            "mean score",
            "reviews",
            "submitted at (UTC)",
            "abstract",
        ]
    )
    rows = db.session.scalars(
        sa.select(Submission)
        .where(Submission.conference_id == conference.id)
        .order_by(Submission.submitted_at, Submission.id)
    )
    for s in rows:
        mean = s.mean_score
        writer.writerow(
            [
                s.code,
                s.state,
                s.title,
                s.format.name,
                s.track.name if s.track else "",
                s.speaker_names,
                ", ".join(sp.email for sp in s.speakers),
                f"{mean:.2f}" if mean is not None else "",
                len(s.reviews),
                s.submitted_at.strftime("%Y-%m-%d %H:%M"),
                s.abstract,
            ]
        )
    return out.getvalue()
