"""Conferences: their dates, call-for-papers window, session formats, tracks and rooms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from webapp import audit, dates, plaintext
from webapp.cfp.services.criteria import DEFAULT_CRITERIA, Criterion, sync_criteria
from webapp.cfp.services.errors import CfpError
from webapp.cfp.services.questions import QuestionSpec, questions_text, sync_questions
from webapp.cfp.services.text import check_day, local_to_utc, zone_or_error
from webapp.extensions import db
from webapp.models import Conference, Room, SessionFormat, Submission, Track

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


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
    criteria: list[Criterion] = field(default_factory=lambda: list(DEFAULT_CRITERIA))
    questions: list[QuestionSpec] = field(default_factory=list)


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
        raise CfpError(f"Session format {name[:20]!r}… is longer than 60 characters.")
    return name, value


def _check_days(data: ConferenceData) -> None:
    check_day(data.starts_on, "The first day")
    check_day(data.ends_on, "The last day")
    if data.ends_on < data.starts_on:
        raise CfpError(f"The conference ends ({data.ends_on}) before it starts ({data.starts_on}).")
    days = (data.ends_on - data.starts_on).days + 1
    if days > dates.MAX_CONFERENCE_DAYS:
        raise CfpError(
            f"The conference lasts {days} days; at most {dates.MAX_CONFERENCE_DAYS} are allowed."
        )


def _check_names(data: ConferenceData) -> None:
    """Names that reach the programme feed: no control or invisible characters (the forms'
    ``PlainText`` says the same beside the field; this covers the CLI)."""
    names = [("The name", data.name), ("The place", data.place)]
    names += [("A track", t) for t in data.tracks] + [("A room", r) for r in data.rooms]
    names += [("A session format", n) for n, _ in data.formats]
    for what, value in names:
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            raise CfpError(f"{what} {value[:60]!r} may not contain control characters.")
        if (hidden := plaintext.hidden_in(value)) is not None:
            raise CfpError(
                f"{what} {value[:60]!r} may not contain the invisible character "
                f"{plaintext.describe(hidden)}."
            )


def _check(data: ConferenceData) -> tuple[datetime, datetime]:
    if not SLUG_RE.match(data.slug):
        raise CfpError(
            f"Slug {data.slug!r}: 3 to 60 lowercase letters, digits and dashes, e.g. bhyvecon-2027."
        )
    if not data.name.strip():
        raise CfpError("The conference needs a name.")
    _check_names(data)
    zone = zone_or_error(data.timezone)
    _check_days(data)
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


def _slug_free(slug: str) -> None:
    if db.session.scalar(sa.select(Conference.id).where(Conference.slug == slug)):
        raise CfpError(f"A conference with slug {slug!r} exists already.")


def _apply(conference: Conference, data: ConferenceData, now: datetime) -> None:
    opens, closes = _check(data)
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


def create_conference(data: ConferenceData, actor: audit.Actor, now: datetime) -> Conference:
    _check(data)
    _slug_free(data.slug)
    conference = Conference(created_at=now)
    _apply(conference, data, now)
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
    _check(data)
    if data.slug != conference.slug:
        _slug_free(data.slug)
    before = _conference_fields(conference)
    _apply(conference, data, now)
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
        "criteria": [f"{r.name}:{r.weight}:{r.scale_max}" for r in c.criteria],
        "questions": questions_text(c),
    }


Named = TypeVar("Named", Track, Room)


def _names(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in lines if n.strip()))


def _keep_named(
    current: list[Named],
    names: list[str],
    make: type[Named],
    column: InstrumentedAttribute[int | None],
    refusal: str,
) -> list[Named]:
    """The rows named ``names`` (existing ones kept); removing one a submission uses is refused."""
    by_name = {row.name: row for row in current}
    kept: list[Named] = []
    for pos, name in enumerate(names):
        row = by_name.pop(name, None) or make(name=name)
        row.position = pos
        kept.append(row)
    for gone in by_name.values():
        if gone.id and _used(column, gone.id):
            raise CfpError(refusal.format(name=gone.name))
    return kept


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
    conference.tracks = _keep_named(
        conference.tracks,
        _names(data.tracks),
        Track,
        Submission.track_id,
        "Track {name!r} has submissions; it cannot be removed.",
    )
    conference.rooms = _keep_named(
        conference.rooms,
        _names(data.rooms),
        Room,
        Submission.room_id,
        "Room {name!r} has talks in the programme; it cannot be removed.",
    )
    sync_criteria(conference, data.criteria)
    sync_questions(conference, data.questions)


def _used(column: InstrumentedAttribute[int | None], value: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.func.count()).where(column == value)))


def conference_by_slug(slug: str, with_choices: bool = False) -> Conference | None:
    """The conference; ``with_choices`` loads its formats, tracks and custom questions in the
    same round trip."""
    query = sa.select(Conference).where(Conference.slug == slug)
    if with_choices:
        query = query.options(
            joinedload(Conference.formats),
            joinedload(Conference.tracks),
            joinedload(Conference.questions),
        )
    return db.session.scalars(query).unique().first()


def list_conferences() -> Sequence[Conference]:
    return db.session.scalars(sa.select(Conference).order_by(Conference.starts_on.desc())).all()
