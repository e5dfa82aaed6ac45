"""The one grammar of minutes: attendee lines, attendance blocks, task and decision lines.

The importer, the minutes editor and the call page all read through here; nothing else parses
these shapes. Everything here is pure (text in, data out) and linear in its input.

- ``parse_attendee(line) -> Attendee``: one attendee line (name, handle, email, role).
- ``format_attendee(name, handle, role) -> str``: the line the export writes (read back alike).
- ``read_minutes(text) -> Reading``: attendees, absentees, decisions, tasks of a text.
- ``read_tasks(notes)``, ``read_attendees(box)``: the editor's two fields.
"""

from __future__ import annotations

from webapp.minutes.grammar.attendance import ListedAttendee
from webapp.minutes.grammar.attendees import (
    ROLE_WORDS,
    Attendee,
    format_attendee,
    parse_attendee,
    role_words,
)
from webapp.minutes.grammar.model import ImportProblem, ParsedFollowUp
from webapp.minutes.grammar.reading import (
    Reading,
    attendee,
    read_attendees,
    read_minutes,
    read_tasks,
    split_attendance,
)

#: A task line as read (owner as written, text, done or not, ordinal).
Task = ParsedFollowUp

__all__ = [
    "ROLE_WORDS",
    "Attendee",
    "ImportProblem",
    "ListedAttendee",
    "ParsedFollowUp",
    "Reading",
    "Task",
    "attendee",
    "format_attendee",
    "parse_attendee",
    "read_attendees",
    "read_minutes",
    "read_tasks",
    "role_words",
    "split_attendance",
]
