"""People: the participants named in minutes (not accounts), found by handle, name or alias.

Emails are stored on the person for organizers and scribes; no public page or export shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.minutes.services.errors import PersonError
from webapp.minutes.services.matching import (
    MAX_EMAIL,
    Attendee,
    FirstNames,
    NameRef,
    PeopleIndex,
    key,
    parse_name,
    problem,
)
from webapp.models import (
    FollowUp,
    Minutes,
    MinutesAttendee,
    MinutesState,
    Occurrence,
    Person,
    Series,
)


def list_people(*, public_only: bool = False) -> list[Person]:
    """Everyone; with ``public_only`` only those the public may see: attendees of published
    minutes of a public series, and owners of a public series' follow-ups (listed on its page).
    Names that only drafts or private series mention stay private."""
    query = sa.select(Person).order_by(Person.name)
    if public_only:
        query = query.where(Person.id.in_(public_person_ids()))
    return list(db.session.scalars(query))


def published_public_occurrences() -> sa.Select[int]:
    """Occurrences whose minutes the public may read."""
    return (
        sa.select(Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .join(Minutes, Minutes.occurrence_id == Occurrence.id)
        .where(Series.public.is_(True), Minutes.state == MinutesState.PUBLISHED)
    )


def public_person_ids() -> sa.CompoundSelect[tuple[int]]:
    """Ids of the people a published page of a public series names."""
    occurrences = published_public_occurrences()
    attended = (
        sa.select(MinutesAttendee.person_id)
        .join(Minutes, MinutesAttendee.minutes_id == Minutes.id)
        .where(Minutes.occurrence_id.in_(occurrences))
    )
    owning = (
        sa.select(FollowUp.owner_id)
        .join(Series, FollowUp.series_id == Series.id)
        .where(Series.public.is_(True), FollowUp.owner_id.is_not(None))
    )
    return sa.union(attended, owning)  # type: ignore[arg-type]


def is_public(person: Person) -> bool:
    query = sa.select(Person.id).where(Person.id == person.id, Person.id.in_(public_person_ids()))
    return db.session.scalar(query) is not None


def find_person(name: str, index: PeopleIndex | None = None) -> Person | None:
    """The person ``name`` refers to (by handle, email, name or alias, ignoring case)."""
    ref = parse_name(name)
    if not ref.name:
        return None
    return (index or PeopleIndex()).find(ref)


def person_of_attendee(name: str, handle: str | None, index: PeopleIndex) -> Person | None:
    """Whom an attendance block's item names: by its name, else by its handle (a revision of the
    shared notes and the call page's list of new people ask alike)."""
    return find_person(name, index) or (find_person(f"@{handle}", index) if handle else None)


def _check_person_fields(
    fields: PersonFields, exclude: Person | None, index: PeopleIndex | None = None
) -> None:
    name, email = fields.name, fields.email
    message = problem(NameRef(name, fields.handle, email or None))
    if message:
        raise PersonError(message)
    if email and ("@" not in email or len(email) > MAX_EMAIL):
        raise PersonError(f"{email!r} is not an email address")
    if fields.handle and parse_name(f"{fields.handle}@").handle != fields.handle.lower():
        raise PersonError(f"{fields.handle!r} is not a handle (letters, digits, . _ -)")
    index = index or PeopleIndex()
    for other in index.named(name):
        # Two people may share a name when both have a handle and the handles differ.
        if other is not exclude and not (
            fields.handle and other.handle != fields.handle and other.handle
        ):
            raise PersonError(f"{name!r} already names {other.name}")
    holder = index.by_handle.get(key(name))
    if holder is not None and holder is not exclude and holder.name.casefold() != name.casefold():
        raise PersonError(f"{name!r} already names {holder.name}")
    for candidate in [*fields.aliases, *([fields.handle] if fields.handle else [])]:
        holder = index.who(candidate)
        if holder is not None and holder is not exclude:
            raise PersonError(f"{candidate!r} already names {holder.name}")


def _alias_text(aliases: Iterable[str]) -> str:
    return ", ".join(a.strip() for a in aliases if a.strip())


@dataclass
class PersonFields:
    name: str
    email: str = ""
    affiliation: str = ""
    aliases: Sequence[str] = ()
    handle: str | None = None

    def __post_init__(self) -> None:
        self.name = " ".join(self.name.split())
        self.email = self.email.strip()
        self.affiliation = self.affiliation.strip()
        self.aliases = [a.strip() for a in self.aliases if a.strip()]
        self.handle = (self.handle or "").strip().strip("@").lower() or None


def create_person(
    name: str,
    actor: audit.Actor,
    *,
    email: str = "",
    affiliation: str = "",
    aliases: Sequence[str] = (),
    handle: str | None = None,
    index: PeopleIndex | None = None,
    flush: bool = True,
) -> Person:
    """A new person; ``flush=False``: added only, the caller flushes (once for many people)
    and then audits each (:func:`audit_created`)."""
    fields = PersonFields(name, email, affiliation, aliases, handle)
    _check_person_fields(fields, None, index)
    person = Person(
        name=fields.name,
        handle=fields.handle,
        email=fields.email,
        affiliation=fields.affiliation,
        aliases=_alias_text(fields.aliases),
    )
    db.session.add(person)
    if index is not None:
        index.add(person)
    if flush:
        db.session.flush()
        audit_created(person, actor)
    return person


def audit_created(person: Person, actor: audit.Actor) -> None:
    audit.record(actor, "person.create", "person", person.id, f"added {person.name}")


def _snapshot(person: Person) -> dict[str, str | None]:
    return {
        "name": person.name,
        "handle": person.handle,
        "email": person.email,
        "affiliation": person.affiliation,
        "aliases": person.aliases,
    }


def update_person(
    person: Person,
    name: str,
    actor: audit.Actor,
    *,
    email: str,
    affiliation: str,
    aliases: Sequence[str],
    handle: str | None = None,
) -> None:
    """Save a person's fields; ``handle=None`` keeps the handle, ``""`` clears it."""
    fields = PersonFields(
        name, email, affiliation, aliases, person.handle if handle is None else handle
    )
    _check_person_fields(fields, person)
    before = _snapshot(person)
    person.name, person.email, person.handle = fields.name, fields.email, fields.handle
    person.affiliation, person.aliases = fields.affiliation, _alias_text(fields.aliases)
    changes = audit.diff(before, _snapshot(person))
    if changes:
        audit.record(actor, "person.update", "person", person.id, f"edited {person.name}", changes)


def _fill_name(person: Person, ref: NameRef, index: PeopleIndex) -> bool:
    """Someone known only by their handle gets the full name a line with that handle gives."""
    if (
        ref.handle
        and person.handle == ref.handle
        and person.name == person.handle
        and not ref.single_word
        and index.who(ref.name) is None
    ):
        person.name = ref.name
        index.add(person)
        return True
    return False


def _enrich(person: Person, ref: NameRef, index: PeopleIndex) -> None:
    """What a line says that the person lacks: a handle (only from a line that writes one), an
    email, a full name for someone known only by their handle or by that word (``jhb`` becomes
    ``John Baldwin (jhb)``); another full name written with their handle (``Ed M @emaste``)
    becomes an alias. Never a role, never another name."""
    if not _fill_name(person, ref, index) and (
        ref.handle
        and person.handle == ref.handle
        and not ref.single_word
        and index.who(ref.name) is None
        and len(person.aliases) + len(ref.name) < 480
    ):
        person.aliases = ", ".join([*person.alias_list, ref.name])
        index.add(person)
    if ref.handle and not person.handle and index.who(ref.handle) in (None, person):
        person.handle = ref.handle
        index.add(person)
        _fill_name(person, ref, index)
    if ref.email and not person.email:
        person.email = ref.email
        index.add(person)


def find_or_create(
    ref: Attendee,
    actor: audit.Actor,
    *,
    index: PeopleIndex,
    firsts: FirstNames | None = None,
    flush: bool = True,
) -> tuple[Person, bool]:
    """The person ``ref`` names by the identity rules, created when nobody matches
    (``flush=False``: as :func:`create_person`)."""
    person = index.find(ref)
    if person is None and ref.single_word and not ref.handle and firsts is not None:
        person = firsts.only(ref.name)
    if person is not None:
        _enrich(person, ref, index)
        return person, False
    # The handle the line writes, and no other: a bare word (``emaste``) is a name.
    handle = ref.handle
    if handle and key(handle) in index.by_handle:
        handle = None
    created = create_person(
        ref.name, actor, email=ref.email or "", handle=handle, index=index, flush=flush
    )
    return created, True


def person_for(
    name: str,
    actor: audit.Actor,
    *,
    among: Sequence[Person] = (),
    index: PeopleIndex | None = None,
    firsts: FirstNames | None = None,
) -> tuple[Person, bool]:
    """The person ``name`` refers to, created when nobody matches. Returns (person, created).

    A bare first name ("John") also matches exactly one of ``among`` (a meeting's attendees)."""
    index = index if index is not None else PeopleIndex()
    firsts = firsts if firsts is not None else FirstNames(among)
    return find_or_create(parse_name(name), actor, index=index, firsts=firsts)


def people_for(
    names: Iterable[str | Attendee], actor: audit.Actor, index: PeopleIndex | None = None
) -> tuple[list[Person], list[Person]]:
    """The people a meeting's attendee list names, in order: (people, the ones created). The
    new people are written together (one flush), however many."""
    index = index if index is not None else PeopleIndex()
    firsts = FirstNames()
    people: list[Person] = []
    created: list[Person] = []
    for name in names:
        ref = parse_name(name) if isinstance(name, str) else name
        if not ref.name:
            continue
        person, new = find_or_create(ref, actor, index=index, firsts=firsts, flush=False)
        people.append(person)
        firsts.add(person)
        if new:
            created.append(person)
    if created:
        db.session.flush()
        for person in created:
            audit_created(person, actor)
    return people, created


def attendance_of(person: Person, *, published_only: bool) -> list[Minutes]:
    query = (
        sa.select(Minutes)
        .join(MinutesAttendee, MinutesAttendee.minutes_id == Minutes.id)
        .join(Occurrence, Minutes.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(MinutesAttendee.person_id == person.id, MinutesAttendee.absent.is_(False))
        .order_by(Occurrence.original_date.desc())
    )
    if published_only:
        query = query.where(Minutes.state == MinutesState.PUBLISHED, Series.public.is_(True))
    return list(db.session.scalars(query))
