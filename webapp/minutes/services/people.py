"""People: the participants named in minutes (not accounts), found by name or alias."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.minutes.services.errors import PersonError
from webapp.models import (
    Minutes,
    MinutesAttendee,
    MinutesState,
    Occurrence,
    Person,
    Series,
)


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
