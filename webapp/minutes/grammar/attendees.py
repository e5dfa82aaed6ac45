"""One attendee line: who it names (name, handle, email) and their role at that meeting.

The shapes: ``Name``, ``Name @handle``, ``@handle``, ``handle@``, ``Name (handle)``,
``Name <email>``, ``Name (affiliation)``, ``Name @handle (role or affiliation, free text)``,
``Name - affiliation``, each with an optional trailing role (``Name @handle TSC``).

A handle comes only from ``@handle``, from ``handle@``, or — when the line has no ``@handle`` — from
a parenthesis holding a single token of ``[A-Za-z0-9_.-]{2,39}`` that is not all capitals and not a
role word (``member``, ``guest``, ``TSC``…). Everything else in brackets, after a `` - `` or after
the handle is the person's role or affiliation at that meeting: a role never becomes a handle.

One scan of the characters (brackets tracked by depth), then string operations on the pieces: a
line costs its length, however strange.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, has_app_context

MAX_NAME = 120
MAX_HANDLE = 60
MAX_EMAIL = 254
MAX_ROLE = 200

#: Words that say what someone is at a meeting, never who they are. ``MINUTES_ROLE_WORDS`` in
#: the configuration adds to them.
ROLE_WORDS = frozenset(
    """
    member members guest guests observer observers chair chairs cochair co-chair vice-chair
    chairperson emeritus tsc ctc board host hosts scribe notes notetaker note-taker minutes
    facilitator moderator lead leads maintainer maintainers committer committers contributor
    contributors regular voting non-voting nonvoting staff invited invitee visitor visitors
    speaker presenter secretary treasurer president liaison alternate absent remote online late
    left core admin organizer organiser organizers employee intern mentor mentee student
    founder advisor adviser rep representative delegate proxy coordinator manager director
    editor reviewer community foundation release security lurker lurking listener listening
    interim acting outgoing incoming new returning former past sponsor partner
    """.split()  # noqa: SIM905 - a list of words reads better as words
)

#: A handle as written after ``@`` or before a trailing ``@``.
_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,59}")
#: A handle alone in parentheses: ``Name (jhb)``.
_PAREN_HANDLE = re.compile(r"[A-Za-z0-9_.-]{2,39}")
_DASHES = (" - ", " – ", " — ")
_PUNCTUATION = ",;:-–— "


@dataclass(frozen=True)
class Attendee:
    """A person as one line of minutes names them, with their role at that meeting."""

    name: str
    handle: str | None = None
    email: str | None = None
    role: str = ""

    @property
    def single_word(self) -> bool:
        return " " not in self.name


@functools.lru_cache(maxsize=8)
def _with(extra: tuple[str, ...]) -> frozenset[str]:
    return ROLE_WORDS | {w.casefold() for w in extra}


def role_words(extra: Iterable[str] | None = None) -> frozenset[str]:
    """The role words: the built-in ones plus ``extra`` (by default the app's
    ``MINUTES_ROLE_WORDS``, when there is an app)."""
    if extra is None:
        extra = current_app.config.get("MINUTES_ROLE_WORDS", ()) if has_app_context() else ()
    return _with(tuple(extra))


def is_email(text: str) -> bool:
    """``local@domain.tld`` by string operations (no backtracking on a long line)."""
    local, at, domain = text.partition("@")
    if not at or not local or "." not in domain.strip(".") or len(text) > MAX_EMAIL:
        return False
    return not any(c.isspace() or c in "<>@()" for c in local + domain)


def handle_of(token: str) -> str | None:
    """``@jhb``, ``jhb@``, ``@jhb,`` → ``jhb``; None for anything else."""
    token = token.rstrip(",;:.")
    if token.startswith("@"):
        token = token[1:]
    elif token.endswith("@"):
        token = token[:-1]
    else:
        return None
    return token.lower() if _HANDLE.fullmatch(token) else None


def _all_capitals(token: str) -> bool:
    return any(c.isalpha() for c in token) and token == token.upper()


def paren_handle(text: str, words: frozenset[str] = ROLE_WORDS) -> str | None:
    """``(jhb)`` → ``jhb``; never a role word, an all-capitals word or more than one token."""
    text = text.strip()
    at = handle_of(text)
    if at is not None:
        return at
    if not _PAREN_HANDLE.fullmatch(text) or not any(c.isalpha() for c in text):
        return None
    if _all_capitals(text) or text.casefold() in words:
        return None
    return text.lower()


_BRACKET = re.compile(r"[()<>]")


def _matches(text: str) -> dict[int, int]:
    """Where each ``(`` and ``<`` closes: one pass with a stack per kind of bracket."""
    found: dict[int, int] = {}
    stacks: dict[str, list[int]] = {"(": [], "<": []}
    for m in _BRACKET.finditer(text):
        c, i = m.group(), m.start()
        if c in stacks:
            stacks[c].append(i)
        else:
            stack = stacks["(" if c == ")" else "<"]
            if stack:
                found[stack.pop()] = i
    return found


def _pieces(text: str) -> list[tuple[str, str]]:
    """``text`` as ("text", …), ("paren", …) and ("angle", …) pieces, outermost brackets."""
    pieces: list[tuple[str, str]] = []
    start = 0
    for i, end in sorted(_matches(text).items()):
        if i < start:
            continue  # inside a bracket already taken
        if start < i:
            pieces.append(("text", text[start:i]))
        pieces.append(("paren" if text[i] == "(" else "angle", text[i + 1 : end].strip()))
        start = end + 1
    if start < len(text):
        pieces.append(("text", text[start:]))
    return pieces


@dataclass
class _Reading:
    name: list[str]
    handle: str | None = None
    email: str | None = None
    roles: list[str] = field(default_factory=list)
    #: Once something that is not the name was seen, plain words are the role.
    past_name: bool = False

    def role(self, text: str) -> None:
        text = text.strip(_PUNCTUATION)
        if text:
            self.roles.append(text)


def _dash_split(text: str) -> tuple[str, str | None]:
    for dash in _DASHES:
        head, found, tail = text.partition(dash)
        if found:
            return head, tail
    return text, None


def _plain(reading: _Reading, text: str) -> bool:
    """Words outside brackets; True when a `` - `` made the rest of the line the role."""
    if not reading.past_name:
        text, after = _dash_split(text)
    else:
        after = None
    for word in text.split():
        handle = handle_of(word)
        if handle is not None and reading.handle is None:
            reading.handle, reading.past_name = handle, True
        elif is_email(word.rstrip(",;")) and reading.email is None:
            reading.email, reading.past_name = word.rstrip(",;"), True
        elif reading.past_name:
            reading.role(word)
        else:
            reading.name.append(word)
    return after is not None


def parse_attendee(text: str, words: frozenset[str] | None = None) -> Attendee:
    """One attendee line (without its bullet) → :class:`Attendee`. Pure string handling.
    ``words``: the role words (by default :func:`role_words`)."""
    words = role_words() if words is None else words
    text = " ".join(text.split()).strip("*_ ")
    reading = _Reading(name=[])
    pieces = _pieces(text)
    rest_is_role = -1
    for index, (kind, value) in enumerate(pieces):
        if kind == "text":
            if _plain(reading, value):
                rest_is_role = index
                break
            continue
        reading.past_name = True
        if is_email(value) and reading.email is None:
            reading.email = value
        elif kind == "paren" and handle_of(value) and reading.handle is None:
            reading.handle = handle_of(value)
        else:
            reading.role(value if kind == "paren" else f"<{value}>")
    if rest_is_role >= 0:
        _after_dash(reading, text, pieces, rest_is_role)
    _paren_handle(reading, pieces, words, rest_is_role)
    return _attendee(reading)


def _after_dash(reading: _Reading, text: str, pieces: list[tuple[str, str]], index: int) -> None:
    """``Name - Acme Corp (Berlin)``: everything after the dash is the role, as written."""
    before = "".join(
        v if k == "text" else (f"({v})" if k == "paren" else f"<{v}>") for k, v in pieces[:index]
    )
    _head, tail = _dash_split(text[len(before) :])
    reading.role(tail or "")


def _paren_handle(
    reading: _Reading, pieces: list[tuple[str, str]], words: frozenset[str], stop: int
) -> None:
    """Without an ``@handle`` on the line, the first one-token parenthesis may be the handle."""
    if reading.handle is not None:
        return
    limit = stop if stop >= 0 else len(pieces)
    for kind, value in pieces[:limit]:
        if kind != "paren":
            continue
        handle = paren_handle(value, words)
        if handle is not None and value.strip(_PUNCTUATION) in reading.roles:
            reading.handle = handle
            reading.roles.remove(value.strip(_PUNCTUATION))
            return


def _attendee(reading: _Reading) -> Attendee:
    name = " ".join(reading.name).strip(_PUNCTUATION)
    if not name:
        name = reading.handle or (reading.email.split("@")[0] if reading.email else "")
    role = ", ".join(reading.roles)
    return Attendee(name, reading.handle, reading.email, role)


def format_attendee(name: str, handle: str | None, role: str) -> str:
    """The line the export writes, read back to the same attendee: ``Name @handle (role)``;
    without a handle ``Name - role`` (so a one-word role is never read as a handle)."""
    out = name if handle is None or name.casefold() != handle.casefold() else ""
    if handle:
        out = f"{out} @{handle}".strip()
    if role:
        out += f" ({role})" if handle else f" - {role}"
    return out


def problem(ref: Attendee) -> str | None:
    """Why ``ref`` cannot name a person (too long...), or None."""
    if not ref.name:
        return "a person needs a name"
    if len(ref.name) > MAX_NAME:
        return f"the name {ref.name[:40]!r}… has {len(ref.name)} characters (at most {MAX_NAME})"
    if ref.email and len(ref.email) > MAX_EMAIL:
        return f"the email address has more than {MAX_EMAIL} characters"
    if len(ref.role) > MAX_ROLE:
        return f"the role {ref.role[:40]!r}… has {len(ref.role)} characters (at most {MAX_ROLE})"
    return None
