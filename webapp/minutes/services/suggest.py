"""Who might be one person under two records (what merging them would do: ``merge.merge_preview``).

Suggestions only (an import never merges beyond the identity rules): a record whose name is
another's handle (``emaste`` and ``Ed Maste @emaste``), a name contained in another (``Ed`` or
``Ed M`` and ``Ed Maste``), initials (``EM``, ``emaste``, ``edm`` and ``Ed Maste``). Two records
with different handles are different people and never suggested. Each person gives a few keys,
so finding the pairs is linear in the people, not quadratic.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from webapp.extensions import db
from webapp.minutes.services.matching import key
from webapp.models import FollowUp, Minutes, MinutesAttendee, Occurrence, Person, Series


@dataclass(frozen=True)
class Suggestion:
    keep: Person
    drop: Person
    reason: str


def _words(name: str) -> list[str]:
    return [w.strip(".,") for w in key(name).replace("-", " ").split() if w.strip(".,")]


def _derived(person: Person) -> dict[str, str]:
    """Shorter ways to write a full name, each with the reason it would match."""
    words = _words(person.name)
    if len(words) < 2:
        return {}
    first, last = words[0], words[-1]
    initials = "".join(w[0] for w in words)
    return {
        first: "one name contained in another",
        f"{first} {last[0]}": "one name contained in another",
        f"{first[0]} {last}": "one name contained in another",
        initials: "initials",
        f"{first[0]}{last}": "initials",
        f"{first}{last[0]}": "initials",
        f"{first[:3]}{last[0]}": "initials",
    }


def _own(person: Person) -> list[tuple[str, str]]:
    """The keys that name this record: its name (and aliases) and handle."""
    keys = [(" ".join(_words(person.name)), "name")]
    keys += [(" ".join(_words(a)), "alias") for a in person.alias_list]
    if person.handle:
        keys.append((person.handle.casefold(), "handle"))
    return keys


def _distinct(a: Person, b: Person) -> bool:
    return bool(a.handle and b.handle and a.handle != b.handle)


def _in_series(series: Series) -> set[int]:
    attended = (
        sa.select(MinutesAttendee.person_id)
        .join(Minutes, MinutesAttendee.minutes_id == Minutes.id)
        .join(Occurrence, Minutes.occurrence_id == Occurrence.id)
        .where(Occurrence.series_id == series.id)
    )
    owning = sa.select(FollowUp.owner_id).where(FollowUp.series_id == series.id)
    return set(db.session.scalars(sa.union(attended, owning)))  # type: ignore[arg-type]


def merge_suggestions(series: Series | None = None) -> list[Suggestion]:
    """Pairs worth a look, the fuller record first (kept), in name order."""
    people = list(db.session.scalars(sa.select(Person).order_by(Person.id)))
    if series is not None:
        ids = _in_series(series)
        people = [p for p in people if p.id in ids]
    full: dict[str, list[tuple[Person, str]]] = {}
    for person in people:
        for k, reason in _derived(person).items():
            full.setdefault(k, []).append((person, reason))
        if person.handle:
            full.setdefault(person.handle.casefold(), []).append((person, "same handle"))
    found: dict[tuple[int, int], Suggestion] = {}
    for person in people:
        for k, what in _own(person):
            for other, reason in full.get(k, []):
                if other is person or _distinct(person, other):
                    continue
                if what == "handle" and reason == "same handle":
                    continue
                pair = (other.id, person.id)
                if pair not in found and (person.id, other.id) not in found:
                    why = "same handle" if reason == "same handle" else reason
                    found[pair] = Suggestion(other, person, why)
    return sorted(found.values(), key=lambda s: (s.keep.name.casefold(), s.drop.name.casefold()))


def meetings_attended(person_ids: list[int]) -> dict[int, int]:
    """How many meetings each person attended (absences not counted)."""
    query = (
        sa.select(MinutesAttendee.person_id, sa.func.count())
        .where(MinutesAttendee.person_id.in_(person_ids), MinutesAttendee.absent.is_(False))
        .group_by(MinutesAttendee.person_id)
    )
    return {pid: n for pid, n in db.session.execute(query)}
