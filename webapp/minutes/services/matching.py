"""How a name written in minutes finds its person, in time linear in the names.

A name is written ``Name``, ``handle``, ``handle@``, ``@handle``, ``Name (handle)``,
``Name (handle@)`` or ``Name <email>``. It matches, in this order: a person with that handle
(or an alias equal to it), a person with that email, a person with that display name or alias
(ignoring case and spacing), and, for a single word, the one attendee of the same meeting whose
first name it is. Everyone is read once into a :class:`PeopleIndex`; nothing compares every
name with every person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Person

MAX_NAME = 120
MAX_HANDLE = 60
MAX_EMAIL = 254

_HANDLE = re.compile(r"@?([A-Za-z0-9][A-Za-z0-9_.-]{0,59})@?")


def key(name: str) -> str:
    """A name as compared: spacing collapsed, case folded."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class NameRef:
    """A person as one line of minutes names them."""

    name: str
    handle: str | None = None
    email: str | None = None

    @property
    def single_word(self) -> bool:
        return " " not in self.name


def _is_email(text: str) -> bool:
    """``local@domain.tld`` by string operations (no backtracking on a long line)."""
    local, at, domain = text.partition("@")
    if not at or not local or "." not in domain.strip(".") or len(text) > MAX_EMAIL:
        return False
    return not any(c.isspace() or c in "<>@" for c in local + domain)


def _handle(text: str) -> str | None:
    m = _HANDLE.fullmatch(text.strip())
    return m.group(1).lower() if m else None


def parse_name(text: str) -> NameRef:
    """``Name (handle)``, ``Name (handle@)``, ``Name <email>``, ``handle@``, ``@handle`` or a name.

    Pure string handling (``partition``, no pattern over the whole line): a 60 KB line costs its
    length."""
    text = " ".join(text.split())
    if text.endswith(">") and "<" in text:
        name, _, rest = text[:-1].rpartition("<")
        email = rest.strip()
        if _is_email(email):
            name = name.strip()
            return NameRef(name or email.split("@")[0], None, email)
    if text.endswith(")") and "(" in text:
        name, _, rest = text[:-1].rpartition("(")
        handle = _handle(rest)
        if handle and name.strip():
            return NameRef(name.strip(), handle)
    if " " not in text and (text.startswith("@") or text.endswith("@")):
        handle = _handle(text)
        if handle:
            return NameRef(handle, handle)
    return NameRef(text)


def problem(ref: NameRef) -> str | None:
    """Why ``ref`` cannot name a person (too long...), or None."""
    if not ref.name:
        return "a person needs a name"
    if len(ref.name) > MAX_NAME:
        return f"the name {ref.name[:40]!r}… has {len(ref.name)} characters (at most {MAX_NAME})"
    if ref.email and len(ref.email) > MAX_EMAIL:
        return f"the email address has more than {MAX_EMAIL} characters"
    return None


class PeopleIndex:
    """Everyone, by every key that names them: read once per request or import."""

    def __init__(self, people: Iterable[Person] | None = None) -> None:
        self.by_name: dict[str, Person] = {}
        self.by_handle: dict[str, Person] = {}
        self.by_email: dict[str, Person] = {}
        if people is None:
            people = db.session.scalars(sa.select(Person).order_by(Person.id))
        for person in people:
            self.add(person)

    def add(self, person: Person) -> None:
        self.by_name.setdefault(key(person.name), person)
        for alias in person.alias_list:
            self.by_name.setdefault(key(alias), person)
            self.by_handle.setdefault(key(alias), person)
        if person.handle:
            self.by_handle.setdefault(key(person.handle), person)
            self.by_name.setdefault(key(person.handle), person)
        if person.email:
            self.by_email.setdefault(person.email.casefold(), person)

    def forget(self, person: Person) -> None:
        for table in (self.by_name, self.by_handle, self.by_email):
            for k in [k for k, p in table.items() if p is person]:
                del table[k]

    def find(self, ref: NameRef) -> Person | None:
        if ref.handle and key(ref.handle) in self.by_handle:
            return self.by_handle[key(ref.handle)]
        if ref.email and ref.email.casefold() in self.by_email:
            return self.by_email[ref.email.casefold()]
        return self.by_name.get(key(ref.name))

    def who(self, name: str) -> Person | None:
        """Whoever already uses ``name`` as a name, alias or handle."""
        return self.by_name.get(key(name)) or self.by_handle.get(key(name))


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
