"""What the importer reads out of one file, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from webapp.models import (
    FollowUpState,
)


class ImportProblem(ValueError):
    """A file that cannot be imported; ``line`` is 0 when no single line is to blame."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class ParsedFollowUp:
    owner: str
    text: str
    line: int
    state: str = FollowUpState.OPEN
    due: date | None = None
    closed: date | None = None
    closed_here: bool = False


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
    warnings: list[tuple[int, str]] = field(default_factory=list)
