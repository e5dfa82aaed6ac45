"""A whole text of minutes, read by the one grammar: who was there, decisions, tasks.

``read_minutes`` is what the call page calls on every change of the shared text: pure (no
database), linear in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from webapp.minutes.grammar.attendance import ListedAttendee, read_attendee_lines
from webapp.minutes.grammar.attendees import Attendee, parse_attendee, problem, role_words
from webapp.minutes.grammar.body import Body, check_attendees, scan, take_attendees
from webapp.minutes.grammar.model import ImportProblem, ParsedFollowUp


@dataclass
class Reading:
    """What a text of minutes says."""

    #: Who was there, each with their role at the meeting (a group title when the line names none).
    attendees: list[Attendee] = field(default_factory=list)
    #: Absentees and regrets.
    absent: list[Attendee] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    #: The task lines, in order; ``ordinal`` is each one's place among them.
    tasks: list[ParsedFollowUp] = field(default_factory=list)
    #: The text without the attendance block.
    notes: str = ""
    next_meeting: str | None = None
    cancelled: str | None = None
    #: Lines that cannot be read (a task without text, a name too long), by line number.
    problems: list[ImportProblem] = field(default_factory=list)


def attendee(listed: ListedAttendee, words: frozenset[str] | None = None) -> Attendee:
    """One listed item as an attendee; a group title (``Guests``) is the role it lacks."""
    ref = parse_attendee(listed.text, words)
    if not ref.role and listed.group:
        return Attendee(ref.name, ref.handle, ref.email, listed.group)
    return ref


def split_attendance(
    listed: list[ListedAttendee], words: frozenset[str] | None = None
) -> tuple[list[Attendee], list[Attendee]]:
    """(present, absent), each an attendee with their role."""
    present = [attendee(x, words) for x in listed if not x.absent]
    absent = [attendee(x, words) for x in listed if x.absent]
    return [a for a in present if a.name], [a for a in absent if a.name]


def read_minutes(text: str, *, with_attendance: bool = True) -> Reading:
    """Everything the text of minutes says. ``with_attendance=False``: the text has no
    attendance block (the editor keeps attendees in a field of their own)."""
    numbered = list(enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1))
    body = Body()
    if with_attendance:
        take_attendees(numbered, body)
    else:
        body.kept = numbered
    check_attendees(body)
    scan(body, scan_actions=True, scan_decisions=True)
    words = role_words()
    present, absent = split_attendance(body.attendees, words)
    return Reading(
        attendees=present,
        absent=absent,
        decisions=body.decisions,
        tasks=body.follow_ups,
        notes="\n".join(line for _, line in body.kept),
        next_meeting=body.next_meeting[1] if body.next_meeting else None,
        cancelled=body.cancelled,
        problems=body.problems,
    )


def read_tasks(text: str) -> tuple[list[ParsedFollowUp], list[ImportProblem]]:
    """The task lines of notes (no attendance block in them): (tasks, problems)."""
    reading = read_minutes(text, with_attendance=False)
    return reading.tasks, reading.problems


def read_attendees(text: str) -> tuple[list[Attendee], list[Attendee], list[str]]:
    """The editor's attendee box → (present, absent, problems as messages)."""
    words = role_words()
    listed = read_attendee_lines(text, words)
    problems = [
        f"line {x.line}: {message}"
        for x in listed
        if (message := problem(parse_attendee(x.text, words)))
    ]
    present, absent = split_attendance(listed, words)
    return present, absent, problems
