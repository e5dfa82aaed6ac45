"""How a name written in minutes finds its person, in time linear in the names.

A line is read by the one attendee grammar (``webapp.minutes.grammar.attendees``). It matches,
in this order: the person with that handle (or an alias equal to it; case ignored), the person
with that email, the person with that display name or alias (ignoring case and spacing), and, for
a single word, the one attendee of the same meeting whose first name it is. A line with a handle
nobody has never matches by name someone who has another handle: two people may share a name.
Everyone is read once into a :class:`PeopleIndex`; nothing compares every name with every person.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from webapp.extensions import db
from webapp.minutes.grammar.attendees import (  # noqa: F401 - the names callers know
    MAX_EMAIL,
    MAX_HANDLE,
    MAX_NAME,
    Attendee,
    parse_attendee,
    problem,
)
from webapp.models import Person

#: A person as one line of minutes names them (the grammar's ``Attendee``).
NameRef = Attendee


def key(name: str) -> str:
    """A name as compared: spacing collapsed, case folded."""
    return " ".join(name.split()).casefold()


def parse_name(text: str) -> Attendee:
    """One attendee line read by the attendee grammar (the only parser of such lines)."""
    return parse_attendee(text)


class PeopleIndex:
    """Everyone, by every key that names them: read once per request or import."""

    def __init__(self, people: Iterable[Person] | None = None) -> None:
        self.by_name: dict[str, list[Person]] = {}
        self.by_handle: dict[str, Person] = {}
        self.by_email: dict[str, Person] = {}
        if people is None:
            people = db.session.scalars(sa.select(Person).order_by(Person.id))
        for person in people:
            self.add(person)

    def _name(self, name: str, person: Person) -> None:
        found = self.by_name.setdefault(key(name), [])
        if person not in found:
            found.append(person)

    def add(self, person: Person) -> None:
        self._name(person.name, person)
        for alias in person.alias_list:
            self._name(alias, person)
            self.by_handle.setdefault(key(alias), person)
        if person.handle:
            self.by_handle[key(person.handle)] = person
            self._name(person.handle, person)
        if person.email:
            self.by_email.setdefault(person.email.casefold(), person)

    def forget(self, person: Person) -> None:
        for table in (self.by_handle, self.by_email):
            for k in [k for k, p in table.items() if p is person]:
                del table[k]
        for found in self.by_name.values():
            if person in found:
                found.remove(person)

    def named(self, name: str) -> list[Person]:
        return self.by_name.get(key(name), [])

    def find(self, ref: Attendee) -> Person | None:
        """Handle, then email, then name or alias (the first of several people sharing it).
        The handle also names someone without one known so far only by that word (``jhb``,
        then ``John Baldwin (jhb)``). A line whose handle nobody has matches by name only
        someone without a handle."""
        if ref.handle and key(ref.handle) in self.by_handle:
            return self.by_handle[key(ref.handle)]
        if ref.handle:
            bare = [
                p for p in self.named(ref.handle) if not p.handle and key(p.name) == key(ref.handle)
            ]
            if bare:
                return bare[0]
        if ref.email and ref.email.casefold() in self.by_email:
            return self.by_email[ref.email.casefold()]
        named = self.named(ref.name)
        if ref.handle:
            named = [p for p in named if not p.handle]
        return named[0] if named else None

    def who(self, name: str) -> Person | None:
        """Whoever already uses ``name`` as a name, alias or handle."""
        named = self.named(name)
        return named[0] if named else self.by_handle.get(key(name))


class FirstNames:
    """First names of a meeting's attendees so far: "John" names the one John among them."""

    def __init__(self, people: Iterable[Person] = ()) -> None:
        self.people: dict[str, list[Person]] = {}
        for person in people:
            self.add(person)

    def add(self, person: Person) -> None:
        first = key(person.name).split(" ")[0]
        found = self.people.setdefault(first, [])
        if person not in found:
            found.append(person)

    def only(self, word: str) -> Person | None:
        found = self.people.get(key(word), [])
        return found[0] if len(found) == 1 else None
