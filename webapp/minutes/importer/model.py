"""What the importer reads out of one file, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from webapp.models import FollowUpState

#: Longer lines are refused (a paragraph is a few thousand characters at most).
MAX_LINE = 20_000
#: The longest follow-up text (the column's size).
MAX_TASK = 1000


class ImportProblem(ValueError):
    """A file that cannot be imported; ``line`` is 0 when no single line is to blame."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class NoMeetingDate(ImportProblem):
    """Neither ``--date``, the front matter nor the file name says when the meeting was."""


class ImportProblems(ValueError):
    """Every problem found in one file (the file is not imported)."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = sorted(problems, key=lambda p: p.line)


@dataclass
class ParsedFollowUp:
    #: The owner as written; None when the line names nobody.
    owner: str | None
    text: str
    line: int
    state: str = FollowUpState.OPEN
    due: date | None = None
    closed: date | None = None
    closed_here: bool = False
    #: False when the owner is only a guess from a sentence ("John will …"): it counts only when
    #: it names an attendee or a known person; otherwise the follow-up has no owner.
    owner_certain: bool = True
    #: The whole line's text, used when the guessed owner names nobody.
    full_text: str = ""


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
    attendees: list[tuple[str, int]] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    follow_ups: list[ParsedFollowUp] = field(default_factory=list)
    reviews: list[ParsedReview] = field(default_factory=list)
    series: str | None = None
    day: date | None = None
    day_line: int = 0
    state: str | None = None
    next_meeting_text: str | None = None
    next_meeting_line: int = 0
    next_meeting: date | None = None
    has_minutes: bool = True
    #: The note of a cancelled meeting ("Meeting cancelled: FOSDEM"); None when it took place.
    cancelled: str | None = None
    #: Attendees, decisions, notes besides the cancellation, or a front matter ``state``: a
    #: cancelled meeting keeps such minutes.
    minutes_content: bool = False
    extra: ExtraMeeting | None = None
    warnings: list[tuple[int, str]] = field(default_factory=list)
