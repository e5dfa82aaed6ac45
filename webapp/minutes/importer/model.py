"""What the importer reads out of one file, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from webapp.minutes.grammar.attendance import ListedAttendee
from webapp.minutes.grammar.model import (  # noqa: F401 - the importer's names for them
    MAX_LINE,
    MAX_TASK,
    ImportProblem,
    ImportProblems,
    ParsedFollowUp,
)


class NoMeetingDate(ImportProblem):
    """Neither ``--date``, the front matter nor the file name says when the meeting was."""


@dataclass
class ParsedReview:
    url: str
    title: str
    line: int
    author: str | None = None
    state: str = "open"
    parent: str | None = None
    position: int | None = None


@dataclass
class ExtraMeeting:
    """A meeting outside the series' rule, as the export writes it (``extra:``)."""

    start: time | None = None
    duration: int | None = None
    title: str = ""


@dataclass
class Parsed:
    name: str
    content_hash: str
    notes: str
    attendees: list[ListedAttendee] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    follow_ups: list[ParsedFollowUp] = field(default_factory=list)
    reviews: list[ParsedReview] = field(default_factory=list)
    series: str | None = None
    day: date | None = None
    day_line: int = 0
    #: Which meeting of ``day`` the file says it is (``suffix:`` in the front matter, or
    #: ``--date 2019-02-07-guests``): '' for the date's meeting; None when it does not say, and
    #: its name decides (``webapp.minutes.importer.meeting.which_meeting``).
    suffix: str | None = None
    #: The front matter names the meeting's ``date`` (Cadence's export does).
    dated_inside: bool = False
    state: str | None = None
    next_meeting_text: str | None = None
    next_meeting_line: int = 0
    next_meeting: date | None = None
    has_minutes: bool = True
    #: The follow-ups are the task lines of the notes (not a front matter list): they are
    #: synced by the one rule for texts (``webapp.minutes.services.task_sync``).
    tasks_from_text: bool = False
    #: The note of a cancelled meeting ("Meeting cancelled: FOSDEM"); None when it took place.
    cancelled: str | None = None
    #: Attendees, decisions, notes besides the cancellation, or a front matter ``state``: a
    #: cancelled meeting keeps such minutes.
    minutes_content: bool = False
    extra: ExtraMeeting | None = None
    #: A moved meeting's local start and length (the export's ``moved``).
    moved: tuple[datetime, int | None] | None = None
    warnings: list[tuple[int, str]] = field(default_factory=list)
