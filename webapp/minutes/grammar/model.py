"""What reading a text of minutes yields, and how it says that a line is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
    #: The whole line's text, used when the owner names nobody known.
    full_text: str = ""
    #: Which task line of the text it is (0, 1, …): its identity within the minutes. None for
    #: follow-ups listed in front matter (an export).
    ordinal: int | None = None
    #: Why it was closed, when the export says ("closed in the archive").
    note: str = ""
