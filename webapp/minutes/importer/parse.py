"""From text to ``Parsed``: pure, no database.

Every problem of a file is collected (``ImportProblems``) rather than stopping at the first, so
that one run of the importer shows everything to fix.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from webapp import dates
from webapp.minutes import frontmatter
from webapp.minutes.grammar import lines as ln
from webapp.minutes.grammar.attendance import ListedAttendee
from webapp.minutes.grammar.body import Body, check_attendees, scan, take_attendees
from webapp.minutes.importer import files
from webapp.minutes.importer.dates import parse_date, resolve_next_meeting
from webapp.minutes.importer.front import (
    front_cancelled,
    front_extra,
    front_follow_ups,
    front_moved,
    front_reviews,
    string_list,
)
from webapp.minutes.importer.model import ImportProblem, ImportProblems, NoMeetingDate, Parsed
from webapp.minutes.importer.reading import check_lines, normalise
from webapp.minutes.services.records import clean_text
from webapp.models import MINUTES_STATES

NO_DATE = (
    "the file has no meeting date: give --date YYYY-MM-DD, a 'date:' in the front matter, "
    "or a date at the start of the file name (2019-02-07.md, 20190207.md, 2019-02-07-topic.md)"
)


def _meeting_suffix(
    parsed: Parsed, data: dict[str, Any], where: dict[str, int], suffix: str | None
) -> None:
    """Which meeting of its date the file is, when it says so: ``--date``'s key, else the
    front matter's ``suffix`` (a second meeting that day)."""
    parsed.dated_inside = "date" in data
    if suffix is not None:
        parsed.suffix = suffix
    elif "suffix" in data:
        value = data["suffix"]
        try:
            parsed.suffix = dates.check_suffix(value if isinstance(value, str) else repr(value))
        except ValueError as exc:
            raise ImportProblem(where["suffix"], f"front matter: {exc}") from None


def _meeting_day(
    parsed: Parsed, data: dict[str, Any], where: dict[str, int], day: date | None
) -> None:
    """When the meeting was: ``--date``, then the front matter, then the file name."""
    fm_day = parse_date(data.get("date"), where.get("date", 1), "date") if "date" in data else None
    try:
        name_day = files.date_from_name(parsed.name)
    except ValueError as exc:
        raise ImportProblem(0, str(exc)) from None
    if day is not None:
        parsed.day, parsed.day_line = day, 0
        if fm_day is not None and fm_day != day:
            message = f"--date {day} overrides the front matter's date {fm_day}"
            parsed.warnings.append((where["date"], message))
    elif fm_day is not None:
        parsed.day, parsed.day_line = fm_day, where["date"]
    elif name_day is not None:
        parsed.day = name_day
    else:
        raise NoMeetingDate(0, NO_DATE)


def _front(parsed: Parsed, data: dict[str, Any], where: dict[str, int]) -> None:
    if "series" in data:
        if not isinstance(data["series"], str):
            raise ImportProblem(where["series"], "front matter: series must be a series slug")
        parsed.series = data["series"]
    if "state" in data:
        state = data["state"]
        if state == "none":
            parsed.has_minutes = False
        elif state not in MINUTES_STATES:
            message = f"front matter: state {state!r} is not draft or published"
            raise ImportProblem(where["state"], message)
        else:
            parsed.state = state
    if data.get("next_meeting"):
        line = where["next_meeting"]
        parsed.next_meeting = parse_date(data["next_meeting"], line, "next_meeting")
    if "extra" in data:
        parsed.extra = front_extra(data, where["extra"])
    if "cancelled" in data:
        parsed.cancelled = front_cancelled(data, where["cancelled"])
    if "moved" in data:
        parsed.moved = front_moved(data, where["moved"])
    if "decisions" in data:
        parsed.decisions = string_list(data, "decisions", where["decisions"])
    if "follow_ups" in data:
        parsed.follow_ups = front_follow_ups(data, where["follow_ups"])
    if "reviews" in data:
        parsed.reviews = front_reviews(data, where["reviews"])


def _body(parsed: Parsed, data: dict[str, Any], where: dict[str, int], body: Body) -> None:
    for key in ("attendees", "absent"):
        if key in data:
            line = where[key]
            body.attendees += [
                ListedAttendee(n, line, absent=key == "absent")
                for n in string_list(data, key, line)
            ]
    check_attendees(body)
    scan(body, scan_actions="follow_ups" not in data, scan_decisions="decisions" not in data)
    kept = body.kept
    while kept and not kept[0][1].strip():
        kept = kept[1:]
    parsed.attendees = body.attendees
    parsed.notes = clean_text("\n".join(line for _, line in kept))
    if "follow_ups" not in data:
        parsed.follow_ups = body.follow_ups
        parsed.tasks_from_text = True
    if "decisions" not in data:
        parsed.decisions = body.decisions
    if body.cancelled is not None and parsed.cancelled is None and not parsed.attendees:
        parsed.cancelled = body.cancelled[:500]
    notes = [x for n, x in kept if n not in body.cancelled_lines and ln.heading(x) is None]
    content = parsed.attendees or parsed.decisions or any(x.strip() for x in notes)
    parsed.minutes_content = bool(content or parsed.state)
    if body.next_meeting is not None:
        parsed.next_meeting_line, parsed.next_meeting_text = body.next_meeting


def _next_meeting(parsed: Parsed) -> None:
    if parsed.next_meeting is not None or parsed.next_meeting_text is None:
        return
    assert parsed.day is not None  # noqa: S101 - set before the body is read
    parsed.next_meeting = resolve_next_meeting(parsed.next_meeting_text, parsed.day)
    if parsed.next_meeting is None:
        shown = parsed.next_meeting_text[:60]
        message = f"cannot read the date in 'Next meeting: {shown}'"
        parsed.warnings.append((parsed.next_meeting_line, message))


def parse(text: str, name: str, *, day: date | None = None, suffix: str | None = None) -> Parsed:
    """Parse one file's text. ``day`` and ``suffix`` are ``--date``'s meeting (``suffix``
    None: ``--date`` was not given). Raises ``ImportProblem(s)``."""
    text = normalise(text)
    check_lines(text)
    try:
        data, where, body_text, body_line = frontmatter.split(text)
    except frontmatter.FrontMatterError as exc:
        raise ImportProblem(exc.line, str(exc)) from None
    data = data or {}
    parsed = Parsed(name=name, content_hash=hashlib.sha256(text.encode()).hexdigest(), notes="")
    _meeting_day(parsed, data, where, day)
    _meeting_suffix(parsed, data, where, suffix if day is not None else None)
    _front(parsed, data, where)
    body = Body()
    numbered = list(enumerate(body_text.split("\n"), start=body_line))
    if "attendees" in data or "absent" in data:
        body.kept = numbered
    else:
        take_attendees(numbered, body)
    _body(parsed, data, where, body)
    if body.problems:
        raise ImportProblems(body.problems)
    _next_meeting(parsed)
    return parsed
