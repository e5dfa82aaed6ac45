"""Tokens of private feeds, the account-person link, followed series, and the feeds' content.

Services flush, never commit (``webapp.transaction``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from webapp import audit, data_version, sealed
from webapp.extensions import db
from webapp.ical import FeedCalendar, FeedEvent
from webapp.meetings import schedule
from webapp.meetings import services as meetings
from webapp.meetings.feeds import cache
from webapp.meetings.feeds.events import series_events
from webapp.meetings.feeds.window import feed_horizon, window_start
from webapp.meetings.links import meeting_url
from webapp.models import (
    FeedSeriesOptOut,
    FollowUp,
    FollowUpState,
    Person,
    PrivateFeed,
    RenderedFeed,
    Series,
    Speaker,
    Submission,
    User,
)
from webapp.urls import external_url, site_host

#: The longest token accepted in an address (``token_urlsafe(32)`` gives 43 characters).
MAX_TOKEN = 100


class PrivateFeedError(ValueError):
    """A refused change (shown beside the form)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(token: str) -> str:
    return f"/calendar/private/{token}.ics"


def render_key(feed: PrivateFeed) -> str:
    """The stored render's key: by the token's hash, so a new token never meets an old render."""
    return f"private:{feed.token_hash}"


# --- tokens --------------------------------------------------------------------------------------


def feed_of(*, user: User | None = None, speaker: Speaker | None = None) -> PrivateFeed | None:
    if user is not None:
        return db.session.scalar(sa.select(PrivateFeed).where(PrivateFeed.user_id == user.id))
    if speaker is not None:
        return db.session.scalar(sa.select(PrivateFeed).where(PrivateFeed.speaker_id == speaker.id))
    return None


def reset(
    now: datetime, *, user: User | None = None, speaker: Speaker | None = None
) -> PrivateFeed:
    """A new token for the owner's feed (made on first use); the old one stops working."""
    feed = feed_of(user=user, speaker=speaker)
    if feed is None:
        feed = PrivateFeed(
            user_id=user.id if user is not None else None,
            speaker_id=speaker.id if speaker is not None else None,
        )
        db.session.add(feed)
    else:
        # The old address's render goes too (it could never be served again: its key is the old
        # token's hash, and the token is looked up first).
        db.session.execute(sa.delete(RenderedFeed).where(RenderedFeed.key == render_key(feed)))
    token = secrets.token_urlsafe(32)
    feed.token_hash = hash_token(token)
    feed.token_sealed = sealed.seal(token)
    feed.created_at = now
    db.session.flush()
    return feed


def address(feed: PrivateFeed) -> str:
    """The feed's full address, for its owner's eyes only."""
    return external_url(feed_path(sealed.unseal(feed.token_sealed)))


def reseal() -> tuple[int, int]:
    """Seal every private feed's token again under ``SECRET_KEY`` (after a rotation, before the
    fallback goes: ``flask outbox reseal``), so its owner's page still shows the address. The
    address itself does not change (it is looked up by the token's unkeyed SHA-256). Flushes;
    returns how many were re-sealed and how many no key opens (their owner resets them)."""
    count = unreadable = 0
    for feed in db.session.scalars(sa.select(PrivateFeed).order_by(PrivateFeed.id)):
        try:
            token_sealed = sealed.reseal(feed.token_sealed)
        except sealed.Unreadable:
            unreadable += 1
            continue
        feed.token_sealed = token_sealed
        count += 1
    db.session.flush()
    return count, unreadable


def by_token(token: str) -> PrivateFeed | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    return db.session.scalar(
        sa.select(PrivateFeed).where(PrivateFeed.token_hash == hash_token(token))
    )


# --- the account's person and series -------------------------------------------------------------


def link_person(user: User, person: Person | None, actor: audit.Actor) -> None:
    """Link ``user`` to ``person`` (None: unlink). One account per person."""
    if person is not None:
        holder = db.session.scalar(
            sa.select(User).where(User.person_id == person.id, User.id != user.id)
        )
        if holder is not None:
            raise PrivateFeedError(f"{person.name} is already linked to another account.")
    before = user.person_id
    user.person_id = person.id if person is not None else None
    db.session.flush()
    if before != user.person_id:
        what = f"linked to {person.name}" if person is not None else "unlinked from its person"
        audit.record(actor, "user.person", "user", user.id, f"{user.email} {what}")


def linked_person(user: User) -> Person | None:
    return db.session.get(Person, user.person_id) if user.person_id is not None else None


def people_to_link(user: User) -> list[Person]:
    """People no other account is linked to, by name."""
    taken = sa.select(User.person_id).where(User.person_id.is_not(None), User.id != user.id)
    query = sa.select(Person).where(Person.id.not_in(taken)).order_by(Person.name, Person.handle)
    return list(db.session.scalars(query))


def person_label(person: Person) -> str:
    return f"{person.name} (@{person.handle})" if person.handle else person.name


def visible_series(user: User) -> list[Series]:
    """The series the account may see: public ones, and private ones for organizers."""
    return meetings.list_series(public_only=not user.has_role("organizer"))


def followed_ids(user: User) -> set[int]:
    out = set(
        db.session.scalars(
            sa.select(FeedSeriesOptOut.series_id).where(FeedSeriesOptOut.user_id == user.id)
        )
    )
    return {s.id for s in visible_series(user)} - out


def set_followed(user: User, chosen: Iterable[int]) -> None:
    """Follow exactly ``chosen`` among the visible series; only the opt-outs are stored, so a
    series added later is followed."""
    visible = {s.id for s in visible_series(user)}
    unknown = set(chosen) - visible
    if unknown:
        raise PrivateFeedError("That series does not exist.")
    wanted_out = visible - set(chosen)
    mine = sa.select(FeedSeriesOptOut).where(FeedSeriesOptOut.user_id == user.id)
    rows = db.session.scalars(mine)
    have = {row.series_id: row for row in rows}
    for series_id, row in have.items():
        if series_id not in wanted_out and series_id in visible:
            db.session.delete(row)
    for series_id in wanted_out - set(have):
        db.session.add(FeedSeriesOptOut(user_id=user.id, series_id=series_id))
    db.session.flush()


# --- what the feeds hold -------------------------------------------------------------------------


def version(now: datetime) -> str:
    """What a private feed's render depends on: the feeds' version (window, base URL, series),
    the data version every committed change moves (follow-ups, links, choices), and the hour
    (a follow-up without a due date sits on the next meeting, which moves on by itself)."""
    with db.engine.connect() as conn:
        counter, _changed = data_version.current(conn)
    return f"{cache.data_version(now)}|{counter}|{now.astimezone(UTC):%Y-%m-%dT%H}"


def follow_up_uid(follow_up: FollowUp) -> str:
    return f"follow-up-{follow_up.id}@{site_host()}"


#: SEQUENCE of a follow-up's event: minutes of its last change plus days of its date since
#: this day, so that an edit or a later date (the next meeting moving on) always raises it.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _sequence(follow_up: FollowUp, day: date) -> int:
    minutes = int((follow_up.updated_at - _EPOCH).total_seconds() // 60)
    return max(0, minutes + (day - _EPOCH.date()).days)


def _local_day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def follow_up_event(follow_up: FollowUp, series: Series, now: datetime) -> FeedEvent | None:
    """An open follow-up as an all-day event: on its due date, else on its series' next meeting
    (Google and Outlook ignore VTODO). None without a due date or a next meeting."""
    zone = schedule.zone(series.timezone)
    day = follow_up.due_date
    where = "Due"
    if day is None:
        upcoming = meetings.next_occurrence(series, now)
        if upcoming is None:
            return None
        day = upcoming.start.astimezone(zone).date()
        where = "Next meeting"
    start = _local_day_start(day, zone)
    raised = follow_up.raised_at.original_date
    owner = follow_up.owner.name if follow_up.owner is not None else ""
    text = (
        f"{where}: {day.isoformat()}.\n\n{follow_up.text}\n\n"
        f"Raised at the {series.title} meeting of {raised.isoformat()}"
        + (f" ({owner})." if owner else ".")
    )
    return FeedEvent(
        uid=follow_up_uid(follow_up),
        summary=f"Follow-up: {follow_up.text}"[:300],
        start=start,
        end=_local_day_start(day + timedelta(days=1), zone),
        tzid=series.timezone,
        last_modified=max(follow_up.updated_at, series.updated_at),
        sequence=_sequence(follow_up, day),
        description=text,
        url=meeting_url(series, raised),
        all_day=True,
    )


def open_follow_ups(person: Person, series_ids: set[int]) -> list[FollowUp]:
    query = (
        sa.select(FollowUp)
        .where(
            FollowUp.owner_id == person.id,
            FollowUp.state == FollowUpState.OPEN,
            FollowUp.series_id.in_(series_ids),
        )
        .order_by(FollowUp.id)
    )
    return list(db.session.scalars(query))


def account_calendar(user: User, now: datetime) -> FeedCalendar:
    """The meetings of the series the account follows, and its person's open follow-ups (of any
    series the account may see)."""
    visible = {s.id: s for s in visible_series(user)}
    followed = followed_ids(user)
    start, horizon = window_start(now), feed_horizon(now)
    events: list[FeedEvent] = []
    for series_id in sorted(followed, key=lambda i: visible[i].slug):
        events += series_events(visible[series_id], start, horizon)
    person = linked_person(user)
    if person is not None:
        for follow_up in open_follow_ups(person, set(visible)):
            found = follow_up_event(follow_up, visible[follow_up.series_id], now)
            events += [found] if found is not None else []
    who = person.name if person is not None else user.display_name
    return FeedCalendar(
        name=f"Cadence: {who}",
        description=(
            "Your meetings and open follow-ups (private: do not share this address). "
            f"{external_url('/account')}"
        ),
        events=tuple(events),
        # The person's record (its name is in NAME); not the account's, which every sign-in
        # touches without changing these bytes.
        last_modified=person.updated_at if person is not None else None,
    )


def speaker_calendar(speaker: Speaker) -> FeedCalendar:
    """The speaker's talks in the released programme of their conference: every submission that
    names their address, as the programme feed writes them (same UIDs)."""
    from webapp.cfp import feed as programme

    submission = speaker.submission
    conference = submission.conference
    codes = set(
        db.session.scalars(
            sa.select(Submission.code)
            .join(Speaker, Speaker.submission_id == Submission.id)
            .where(
                Submission.conference_id == conference.id,
                Speaker.email_key == speaker.email_key,
            )
        )
    )
    events = [
        programme.feed_event(e)
        for e in programme.programme_events(conference)
        if e.uid == programme.talk_uid(conference, e.code) and e.code in codes
    ]
    return FeedCalendar(
        name=f"{conference.name}: talks of {speaker.name}",
        description=(
            f"Your talks in the programme of {conference.name} (private: do not share this "
            f"address). {external_url(f'/conferences/{conference.slug}/program')}"
        ),
        events=tuple(events),
        last_modified=conference.updated_at,
    )
