"""Minutes, people, follow-ups, the review queue and agendas: every change goes through here.

Functions take typed arguments, an explicit actor (and ``now`` where time matters), validate,
change, audit and flush — and never commit: the view or CLI commits once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp import audit
from webapp.extensions import db
from webapp.meetings import schedule
from webapp.meetings import services as meetings
from webapp.meetings.schedule import NotAnOccurrence, Slot
from webapp.models import (
    AgendaItem,
    FollowUp,
    FollowUpState,
    Minutes,
    MinutesAttendee,
    MinutesRevision,
    MinutesState,
    Occurrence,
    Person,
    Review,
    ReviewState,
    Series,
)


class MinutesError(ValueError):
    """A request about minutes that cannot be carried out; the message says why."""


class PersonError(MinutesError):
    pass


class EditConflict(MinutesError):
    """Someone else saved the minutes since the editor loaded them."""

    def __init__(self, current: Minutes) -> None:
        super().__init__(
            f"these minutes were saved by {current.updated_by or 'someone else'} meanwhile "
            f"(now version {current.version})"
        )
        self.current = current


# --- people ----------------------------------------------------------------------------------


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def list_people() -> list[Person]:
    return list(db.session.scalars(sa.select(Person).order_by(Person.name)))


def find_person(name: str) -> Person | None:
    """The person called ``name``, by name or alias, ignoring case."""
    key = _key(name)
    if not key:
        return None
    for person in list_people():
        if _key(person.name) == key or key in {_key(a) for a in person.alias_list}:
            return person
    return None


def _check_person_fields(
    name: str, email: str, aliases: Sequence[str], exclude: Person | None
) -> None:
    if not name.strip():
        raise PersonError("a person needs a name")
    if len(name.strip()) > 120:
        raise PersonError("the name may have at most 120 characters")
    if email and ("@" not in email or len(email) > 254):
        raise PersonError(f"{email!r} is not an email address")
    for candidate in [name, *aliases]:
        other = find_person(candidate)
        if other is not None and other is not exclude:
            raise PersonError(f"{candidate!r} already names {other.name}")


def _alias_text(aliases: Iterable[str]) -> str:
    return ", ".join(a.strip() for a in aliases if a.strip())


def create_person(
    name: str,
    actor: audit.Actor,
    *,
    email: str = "",
    affiliation: str = "",
    aliases: Sequence[str] = (),
) -> Person:
    name = " ".join(name.split())
    _check_person_fields(name, email.strip(), aliases, None)
    person = Person(
        name=name,
        email=email.strip(),
        affiliation=affiliation.strip(),
        aliases=_alias_text(aliases),
    )
    db.session.add(person)
    db.session.flush()
    audit.record(actor, "person.create", "person", person.id, f"added {person.name}")
    return person


def update_person(
    person: Person,
    name: str,
    actor: audit.Actor,
    *,
    email: str,
    affiliation: str,
    aliases: Sequence[str],
) -> None:
    name = " ".join(name.split())
    _check_person_fields(name, email.strip(), aliases, person)
    before = {
        "name": person.name,
        "email": person.email,
        "affiliation": person.affiliation,
        "aliases": person.aliases,
    }
    person.name, person.email = name, email.strip()
    person.affiliation, person.aliases = affiliation.strip(), _alias_text(aliases)
    after = {
        "name": person.name,
        "email": person.email,
        "affiliation": person.affiliation,
        "aliases": person.aliases,
    }
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor, "person.update", "person", person.id, f"edited {person.name}", changes)


def person_for(
    name: str, actor: audit.Actor, *, among: Sequence[Person] = ()
) -> tuple[Person, bool]:
    """The person ``name`` refers to, created when nobody matches. Returns (person, created).

    A bare first name ("John") also matches exactly one of ``among`` (a meeting's attendees)."""
    person = find_person(name)
    if person is not None:
        return person, False
    key = _key(name)
    if key and " " not in key:
        firsts = [p for p in among if _key(p.name).split(" ")[0] == key]
        if len(firsts) == 1:
            return firsts[0], False
    return create_person(name, actor), True


# --- occurrences ---------------------------------------------------------------------------


def stored_occurrence(series: Series, day: date) -> Occurrence | None:
    """The occurrence row of ``day`` if one exists (reading never creates one)."""
    return next((o for o in series.occurrences if o.original_date == day), None)


def has_attachments(occ: Occurrence) -> bool:
    """Do minutes, follow-ups, reviews or agenda items hang on ``occ``? (retime refuses then)"""
    if occ.id is None:
        return False
    checks = [
        sa.select(Minutes.id).where(Minutes.occurrence_id == occ.id),
        sa.select(FollowUp.id).where(
            sa.or_(FollowUp.raised_occurrence_id == occ.id, FollowUp.closed_occurrence_id == occ.id)
        ),
        sa.select(Review.id).where(Review.listed_occurrence_id == occ.id),
        sa.select(AgendaItem.id).where(AgendaItem.occurrence_id == occ.id),
    ]
    return any(db.session.scalar(q.limit(1)) is not None for q in checks)


# --- minutes -------------------------------------------------------------------------------


def get_minutes(series: Series, day: date) -> Minutes | None:
    occ = stored_occurrence(series, day)
    if occ is None or occ.id is None:
        return None
    return db.session.scalar(sa.select(Minutes).where(Minutes.occurrence_id == occ.id))


def minutes_url_for(series: Series, day: date) -> str | None:
    """The public address of the meeting's minutes, once published; None before that."""
    from flask import url_for

    minutes = get_minutes(series, day)
    if minutes is None or not minutes.published or not series.public:
        return None
    return url_for("minutes.minutes_page", slug=series.slug, day=day.isoformat(), _external=True)


def _revision(minutes: Minutes, actor: audit.Actor, now: datetime, summary: str) -> MinutesRevision:
    rev = MinutesRevision(
        minutes_id=minutes.id,
        version=minutes.version,
        at=now,
        user_id=actor.user_id,
        actor=actor.label,
        state=minutes.state,
        notes=minutes.notes,
        decisions=minutes.decisions,
        attendees="\n".join(p.name for p in minutes.attendees),
        summary=summary[:500],
    )
    db.session.add(rev)
    return rev


def start_minutes(series: Series, day: date, actor: audit.Actor, now: datetime) -> Minutes:
    """Empty draft minutes for a meeting (the existing ones if someone started them already)."""
    existing = get_minutes(series, day)
    if existing is not None:
        return existing
    occ = meetings.occurrence_row(series, day)
    minutes = Minutes(
        occurrence_id=occ.id,
        notes="",
        decisions="",
        state=MinutesState.DRAFT,
        version=1,
        updated_by=actor.label,
    )
    db.session.add(minutes)
    db.session.flush()
    _revision(minutes, actor, now, "started")
    audit.record(
        actor, "minutes.create", "minutes", minutes.id, f"started minutes of {series.slug} {day}"
    )
    return minutes


def clean_text(text: str) -> str:
    """Line endings normalised, trailing blank lines dropped; nothing else is touched."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.rstrip("\n")
    return text + "\n" if text.strip() else ""


def clean_lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip())


def _set_attendees(minutes: Minutes, people: Sequence[Person]) -> None:
    seen: set[int] = set()
    wanted = []
    for person in people:
        if person.id not in seen:
            seen.add(person.id)
            wanted.append(person)
    by_id = {row.person_id: row for row in minutes.attendee_rows}
    rows = []
    for position, person in enumerate(wanted):
        row = by_id.get(person.id) or MinutesAttendee(person_id=person.id, person=person)
        row.position = position
        rows.append(row)
    minutes.attendee_rows = rows


@dataclass
class MinutesInput:
    notes: str
    decisions: str
    attendees: list[str]
    state: str


def save_minutes(
    minutes: Minutes,
    seen_version: int,
    data: MinutesInput,
    actor: audit.Actor,
    now: datetime,
    *,
    content_hash: str | None = None,
    next_meeting: date | None = None,
    summary: str = "",
) -> list[Person]:
    """Save what an editor typed, unless someone else saved since ``seen_version``.

    The check is the UPDATE itself (``… WHERE version = :seen``), so two saves racing each other
    cannot both win. Returns the people created for new attendee names.
    """
    if data.state not in (MinutesState.DRAFT, MinutesState.PUBLISHED):
        raise MinutesError(f"state {data.state!r} is not draft or published")
    notes, decisions = clean_text(data.notes), clean_lines(data.decisions)
    published_at = minutes.published_at
    if data.state == MinutesState.PUBLISHED and published_at is None:
        published_at = now
    values = {
        "notes": notes,
        "decisions": decisions,
        "state": data.state,
        "version": seen_version + 1,
        "updated_by": actor.label,
        "updated_at": now,
        "published_at": published_at,
    }
    if content_hash is not None:
        values["content_hash"] = content_hash
    if next_meeting is not None:
        values["next_meeting"] = next_meeting
    before = {
        "state": minutes.state,
        "notes": minutes.notes,
        "decisions": minutes.decisions,
        "attendees": [p.name for p in minutes.attendees],
    }
    result = db.session.execute(
        sa.update(Minutes)
        .where(Minutes.id == minutes.id, Minutes.version == seen_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.expire(minutes)
        raise EditConflict(minutes)
    db.session.expire(minutes, list(values))
    created: list[Person] = []
    people: list[Person] = []
    for name in data.attendees:
        if not name.strip():
            continue
        person, new = person_for(name, actor, among=people)
        people.append(person)
        if new:
            created.append(person)
    _set_attendees(minutes, people)
    db.session.flush()
    after = {
        "state": minutes.state,
        "notes": minutes.notes,
        "decisions": minutes.decisions,
        "attendees": [p.name for p in minutes.attendees],
    }
    changes = audit.diff(before, after)
    for long_field in ("notes",):
        if long_field in changes:
            changes[long_field] = f"{len(before[long_field])} → {len(after[long_field])} characters"
    what = summary or (", ".join(sorted(changes)) if changes else "no change")
    _revision(minutes, actor, now, what)
    audit.record(
        actor,
        "minutes.save",
        "minutes",
        minutes.id,
        f"saved minutes (version {minutes.version}): {what}",
        changes,
    )
    return created


def text_diff(
    old: str, new: str, old_label: str = "before", new_label: str = "after"
) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs; kind is one of ``add``, ``del``, ``hunk``, ``same``."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="", n=2
    )
    out: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line))
    return out


def revision_text(rev: MinutesRevision) -> str:
    """A revision as one text, for diffs: state, attendees, decisions and notes."""
    return (
        f"State: {rev.state}\n\nAttendees:\n{rev.attendees}\n\nDecisions:\n{rev.decisions}\n\n"
        f"Notes:\n{rev.notes}"
    )


def get_revision(minutes: Minutes, version: int) -> MinutesRevision | None:
    return db.session.scalar(
        sa.select(MinutesRevision).where(
            MinutesRevision.minutes_id == minutes.id, MinutesRevision.version == version
        )
    )


def published_minutes(limit: int = 50) -> list[Minutes]:
    query = (
        sa.select(Minutes)
        .join(Occurrence, Minutes.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(Minutes.state == MinutesState.PUBLISHED, Series.public.is_(True))
        .order_by(Occurrence.original_date.desc(), Series.slug)
        .limit(limit)
    )
    return list(db.session.scalars(query))


# --- follow-ups ----------------------------------------------------------------------------


def add_follow_up(
    series: Series,
    day: date,
    owner: Person,
    text: str,
    actor: audit.Actor,
    *,
    due: date | None = None,
) -> FollowUp:
    text = " ".join(text.split())
    if not text:
        raise MinutesError("a follow-up needs a text")
    if len(text) > 1000:
        raise MinutesError("a follow-up may have at most 1000 characters")
    if due is not None and due < day:
        raise MinutesError(f"the due date {due} is before the meeting that raised it ({day})")
    occ = meetings.occurrence_row(series, day)
    item = FollowUp(
        series_id=series.id,
        text=text,
        owner_id=owner.id,
        owner=owner,
        raised_occurrence_id=occ.id,
        due_date=due,
        state=FollowUpState.OPEN,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        actor,
        "follow_up.create",
        "follow_up",
        item.id,
        f"{owner.name}: {text}",
        {"raised": str(day)},
    )
    return item


def set_follow_up_state(
    item: FollowUp, state: str, series: Series, day: date | None, actor: audit.Actor
) -> None:
    """Close (done, dropped) at the meeting of ``day``, or reopen (``open``)."""
    if state not in (FollowUpState.OPEN, FollowUpState.DONE, FollowUpState.DROPPED):
        raise MinutesError(f"state {state!r} is not open, done or dropped")
    was = item.state
    if state == FollowUpState.OPEN:
        item.state, item.closed_occurrence_id, item.closed_at = FollowUpState.OPEN, None, None
    else:
        if day is None:
            raise MinutesError("say at which meeting the follow-up was closed")
        if day < item.raised_at.original_date:
            raise MinutesError(f"the meeting of {day} is before the one that raised it")
        occ = meetings.occurrence_row(series, day)
        item.state, item.closed_occurrence_id, item.closed_at = state, occ.id, occ
    db.session.flush()
    audit.record(
        actor,
        "follow_up.state",
        "follow_up",
        item.id,
        f"{item.owner.name}: {item.text}",
        {"state": [was, state], "at": str(day) if day else None},
    )


def _follow_ups(series: Series) -> sa.Select[tuple[FollowUp]]:
    return sa.select(FollowUp).where(FollowUp.series_id == series.id)


def age_in_meetings(series: Series, raised: date, at: date) -> int:
    return schedule.count_between(
        meetings.rules_of(series), meetings.changes_of(series), raised, at
    )


def ages_in_meetings(series: Series, raised: Iterable[date], at: date) -> dict[date, int]:
    """``age_in_meetings`` for many raise dates at once: the schedule is read once, not per item."""
    rules, changes = meetings.rules_of(series), meetings.changes_of(series)
    return {day: schedule.count_between(rules, changes, day, at) for day in set(raised)}


def open_at(series: Series, day: date) -> list[tuple[FollowUp, int]]:
    """Follow-ups still open at the meeting of ``day``: raised earlier, not closed at or before
    it; with their age in meetings."""
    raised, closed = aliased(Occurrence), aliased(Occurrence)
    query = (
        _follow_ups(series)
        .join(raised, FollowUp.raised_occurrence_id == raised.id)
        .outerjoin(closed, FollowUp.closed_occurrence_id == closed.id)
        .where(raised.original_date < day, sa.or_(closed.id.is_(None), closed.original_date > day))
        .order_by(raised.original_date, FollowUp.id)
    )
    return [
        (f, age_in_meetings(series, f.raised_at.original_date, day))
        for f in db.session.scalars(query)
    ]


def raised_at(series: Series, day: date) -> list[FollowUp]:
    occ = stored_occurrence(series, day)
    if occ is None or occ.id is None:
        return []
    return list(
        db.session.scalars(
            _follow_ups(series).where(FollowUp.raised_occurrence_id == occ.id).order_by(FollowUp.id)
        )
    )


def closed_at(series: Series, day: date) -> list[FollowUp]:
    occ = stored_occurrence(series, day)
    if occ is None or occ.id is None:
        return []
    return list(
        db.session.scalars(
            _follow_ups(series).where(FollowUp.closed_occurrence_id == occ.id).order_by(FollowUp.id)
        )
    )


def open_by_owner(series: Series) -> list[tuple[Person, list[FollowUp]]]:
    raised = aliased(Occurrence)
    query = (
        _follow_ups(series)
        .join(raised, FollowUp.raised_occurrence_id == raised.id)
        .where(FollowUp.state == FollowUpState.OPEN)
        .order_by(raised.original_date, FollowUp.id)
    )
    groups: dict[int, tuple[Person, list[FollowUp]]] = {}
    for item in db.session.scalars(query):
        groups.setdefault(item.owner_id, (item.owner, []))[1].append(item)
    return sorted(groups.values(), key=lambda g: g[0].name.casefold())


def follow_ups_of(person: Person) -> list[FollowUp]:
    raised = aliased(Occurrence)
    query = (
        sa.select(FollowUp)
        .join(raised, FollowUp.raised_occurrence_id == raised.id)
        .where(FollowUp.owner_id == person.id)
        .order_by(FollowUp.state != FollowUpState.OPEN, raised.original_date.desc(), FollowUp.id)
    )
    return list(db.session.scalars(query))


def attendance_of(person: Person, *, published_only: bool) -> list[Minutes]:
    query = (
        sa.select(Minutes)
        .join(MinutesAttendee, MinutesAttendee.minutes_id == Minutes.id)
        .join(Occurrence, Minutes.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(MinutesAttendee.person_id == person.id)
        .order_by(Occurrence.original_date.desc())
    )
    if published_only:
        query = query.where(Minutes.state == MinutesState.PUBLISHED, Series.public.is_(True))
    return list(db.session.scalars(query))


# --- the review queue ----------------------------------------------------------------------


def reviews_of(series: Series) -> list[Review]:
    return list(
        db.session.scalars(
            sa.select(Review)
            .where(Review.series_id == series.id)
            .order_by(Review.position, Review.id)
        )
    )


@dataclass
class ReviewNode:
    review: Review
    children: list[ReviewNode] = field(default_factory=list)

    @property
    def any_open(self) -> bool:
        return self.review.state == ReviewState.OPEN or any(c.any_open for c in self.children)


def review_tree(series: Series, *, open_only: bool = False) -> list[ReviewNode]:
    """The queue as a forest in priority order; stacks nest under their parent review.

    ``open_only`` keeps a review when it or something stacked on it is still open."""
    reviews = reviews_of(series)
    nodes = {r.id: ReviewNode(r) for r in reviews}
    roots: list[ReviewNode] = []
    for review in reviews:
        parent = nodes.get(review.parent_id) if review.parent_id else None
        (parent.children if parent else roots).append(nodes[review.id])

    def prune(items: list[ReviewNode]) -> list[ReviewNode]:
        kept = [n for n in items if n.any_open]
        for n in kept:
            n.children = prune(n.children)
        return kept

    return prune(roots) if open_only else roots


def _check_url(url: str) -> str:
    url = url.strip()
    if (
        not url.startswith(("https://", "http://"))
        or len(url) > 500
        or any(c.isspace() for c in url)
    ):
        raise MinutesError(f"{url!r} is not an http(s) link")
    return url


def _check_parent(series: Series, review: Review | None, parent: Review | None) -> None:
    if parent is None:
        return
    if parent.series_id != series.id:
        raise MinutesError("the parent review belongs to another series")
    node: Review | None = parent
    while node is not None:
        if review is not None and node.id == review.id:
            raise MinutesError("a review cannot be stacked on itself or on a review stacked on it")
        node = node.parent


def add_review(
    series: Series,
    day: date,
    url: str,
    title: str,
    actor: audit.Actor,
    *,
    author: Person | None = None,
    parent: Review | None = None,
    state: str = ReviewState.OPEN,
    position: int | None = None,
) -> Review:
    url = _check_url(url)
    title = " ".join(title.split())
    if not title:
        raise MinutesError("a review needs a title")
    if state not in (ReviewState.OPEN, ReviewState.LANDED, ReviewState.ABANDONED):
        raise MinutesError(f"state {state!r} is not open, landed or abandoned")
    if db.session.scalar(
        sa.select(Review.id).where(Review.series_id == series.id, Review.url == url)
    ):
        raise MinutesError(f"{url} is already in the review queue")
    _check_parent(series, None, parent)
    occ = meetings.occurrence_row(series, day)
    if position is None:
        position = (
            db.session.scalar(
                sa.select(sa.func.max(Review.position)).where(Review.series_id == series.id)
            )
            or 0
        ) + 1
    review = Review(
        series_id=series.id,
        url=url,
        title=title[:300],
        author=author,
        parent=parent,
        state=state,
        position=position,
        listed_occurrence_id=occ.id,
    )
    db.session.add(review)
    db.session.flush()
    audit.record(actor, "review.create", "review", review.id, f"{title} ({url})")
    return review


def update_review(
    review: Review,
    series: Series,
    actor: audit.Actor,
    *,
    title: str,
    state: str,
    author: Person | None,
    parent: Review | None,
) -> None:
    if state not in (ReviewState.OPEN, ReviewState.LANDED, ReviewState.ABANDONED):
        raise MinutesError(f"state {state!r} is not open, landed or abandoned")
    title = " ".join(title.split())
    if not title:
        raise MinutesError("a review needs a title")
    _check_parent(series, review, parent)
    before = {
        "title": review.title,
        "state": review.state,
        "author": review.author.name if review.author else None,
        "parent": review.parent.url if review.parent else None,
    }
    review.title, review.state, review.author, review.parent = title[:300], state, author, parent
    after = {
        "title": review.title,
        "state": review.state,
        "author": author.name if author else None,
        "parent": parent.url if parent else None,
    }
    db.session.flush()
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor, "review.update", "review", review.id, review.title, changes)


def _same_parent(parent_id: int | None) -> sa.ColumnElement[bool]:
    return Review.parent_id.is_(None) if parent_id is None else Review.parent_id == parent_id


def move_review(review: Review, direction: str, actor: audit.Actor) -> bool:
    """Swap ``review`` with the sibling above (``up``) or below (``down``). False at an end."""
    if direction not in ("up", "down"):
        raise MinutesError("move a review up or down")
    siblings = [
        r
        for r in db.session.scalars(
            sa.select(Review)
            .where(Review.series_id == review.series_id, _same_parent(review.parent_id))
            .order_by(Review.position, Review.id)
        )
    ]
    index = siblings.index(review)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(siblings):
        return False
    # Renumber the siblings so that ties (equal positions) cannot make a swap a no-op.
    siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
    slots = sorted(r.position for r in siblings)
    for i, (r, pos) in enumerate(zip(siblings, slots, strict=True)):
        r.position = pos if len(set(slots)) == len(slots) else i + 1
    db.session.flush()
    audit.record(actor, f"review.move_{direction}", "review", review.id, review.title)
    return True


# --- agenda --------------------------------------------------------------------------------


def agenda_items(series: Series, day: date) -> list[AgendaItem]:
    occ = stored_occurrence(series, day)
    if occ is None or occ.id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.occurrence_id == occ.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def add_agenda_item(series: Series, day: date, text: str, actor: audit.Actor) -> AgendaItem:
    text = text.strip()
    if not text:
        raise MinutesError("an agenda item needs a text")
    if len(text) > 1000:
        raise MinutesError("an agenda item may have at most 1000 characters")
    occ = meetings.occurrence_row(series, day)
    last = (
        db.session.scalar(
            sa.select(sa.func.max(AgendaItem.position)).where(AgendaItem.occurrence_id == occ.id)
        )
        or 0
    )
    item = AgendaItem(occurrence_id=occ.id, text=text, position=last + 1, added_by=actor.label)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "agenda_item.create", "agenda_item", item.id, text)
    return item


def delete_agenda_item(item: AgendaItem, actor: audit.Actor) -> None:
    audit.record(actor, "agenda_item.delete", "agenda_item", item.id, item.text)
    db.session.delete(item)
    db.session.flush()


@dataclass
class Meeting:
    """Everything the meeting page shows about one occurrence."""

    series: Series
    slot: Slot
    day: date
    past: bool
    minutes: Minutes | None  # only when the viewer may see them
    draft_hidden: bool  # minutes exist but are a draft the viewer may not see
    carried: list[tuple[FollowUp, int]]
    raised: list[FollowUp]
    closed: list[FollowUp]
    reviews: list[ReviewNode]
    items: list[AgendaItem]
    previous: Slot | None
    next: Slot | None


def meeting(series: Series, day: date, now: datetime, *, can_edit: bool) -> Meeting:
    """The agenda (before) and the minutes and follow-ups (after) of one occurrence.

    Raises ``NotAnOccurrence`` for a date that is not one of the series' meetings."""
    slot = meetings.find_occurrence(series, day)
    minutes = get_minutes(series, day)
    hidden = minutes is not None and not minutes.published and not can_edit
    previous, following = meetings.neighbours(series, day)
    return Meeting(
        series=series,
        slot=slot,
        day=day,
        past=slot.end <= now,
        minutes=None if hidden else minutes,
        draft_hidden=hidden,
        carried=open_at(series, day),
        raised=raised_at(series, day),
        closed=closed_at(series, day),
        reviews=review_tree(series, open_only=True),
        items=agenda_items(series, day),
        previous=previous,
        next=following,
    )


__all__ = ["NotAnOccurrence"]
