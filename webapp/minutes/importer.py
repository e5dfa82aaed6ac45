"""Read minutes written in Markdown (the community's own notes, or Cadence's export).

The format (documented in the README):

* optional YAML front matter (``series``, ``date``, ``state``, ``attendees``, ``decisions``,
  ``follow_ups``, ``reviews``, ``next_meeting``) — what the exporter writes;
* otherwise a ``# Attendees`` heading with a bullet list of names, then the notes (a ``# Notes``
  heading right after the attendee list is dropped; everything else is kept byte for byte);
* follow-ups as ``ACTION: Name: text`` lines or ``- [ ] Name: text`` task items
  (``- [x] Name: text`` is done at this meeting);
* decisions: lines starting with ``Conclusion:`` or ``DECISION:`` (they stay in the notes too);
* ``Next meeting: Feb 21st``, resolved to the nearest such date after the meeting.

``parse`` is pure (text in, ``Parsed`` out, ``ImportProblem`` naming the line on bad input);
``apply`` writes one parsed file through the services and flushes; the CLI commits per file.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import frontmatter
from webapp.minutes import services as svc
from webapp.models import (
    FOLLOW_UP_STATES,
    MINUTES_STATES,
    REVIEW_STATES,
    FollowUp,
    FollowUpState,
    MinutesState,
    Person,
    Review,
    Series,
)

ATTENDEES_HEADING = re.compile(
    r"^#{1,3}\s+(attendees|attendance|present|participants)\s*:?\s*#*\s*$", re.I
)
NOTES_HEADING = re.compile(r"^#{1,3}\s+notes\s*#*\s*$", re.I)
ANY_HEADING = re.compile(r"^#{1,6}(\s|$)")
BULLET = re.compile(r"^\s*[-*+]\s+(.*?)\s*$")
ACTION = re.compile(r"^\s*(?:[-*+]\s+)?ACTION:(.*)$")
TASK = re.compile(r"^\s*[-*+]\s+\[([ xX])\]\s*(.*)$")
OWNER_TEXT = re.compile(r"^\s*([^:\s][^:]{0,119}?)\s*:\s*(\S.*?)\s*$")
DECISION = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*)?(?:Conclusion|CONCLUSION|DECISION|Decision):(?:\*\*)?\s*(\S.*?)\s*$"
)
NEXT_MEETING = re.compile(r"^\s*(?:\*\*)?next meeting:?(?:\*\*)?:?\s*(.+?)\s*$", re.I)
DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
_MONTH = r"([A-Za-z]{3,9})\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
_WEEKDAY = r"(?:[A-Za-z]+day,?\s+)?"
MONTH_DAY = re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY}{_YEAR}\b")
DAY_MONTH = re.compile(rf"^{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}\b")
ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})\b")


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


# --- reading -------------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """The file as text with normalised line endings; ImportProblem when it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportProblem(0, "cannot read the file: it does not exist") from None
    except IsADirectoryError:
        raise ImportProblem(0, "cannot read the file: it is a directory") from None
    except OSError as exc:
        raise ImportProblem(0, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportProblem(
            line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)"
        ) from None
    return normalise(text)


def normalise(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def resolve_next_meeting(text: str, meeting_day: date) -> date | None:
    """ "Feb 21st", "21 February", "Thursday, March 7", "2019-02-21" → the nearest such date
    after ``meeting_day`` (the year given wins when there is one)."""
    text = text.strip().strip("*_").strip()
    m = ISO.match(text)
    if m:
        try:
            return date.fromisoformat(m.group(1))
        except ValueError:
            return None
    m = MONTH_DAY.match(text)
    if m:
        month_name, day_text, year_text = m.group(1), m.group(2), m.group(3)
    else:
        m = DAY_MONTH.match(text)
        if not m:
            return None
        day_text, month_name, year_text = m.group(1), m.group(2), m.group(3)
    month = MONTHS.get(month_name.lower())
    if month is None:
        return None
    try:
        if year_text:
            return date(int(year_text), month, int(day_text))
        candidate = date(meeting_day.year, month, int(day_text))
        if candidate <= meeting_day:
            candidate = date(meeting_day.year + 1, month, int(day_text))
        return candidate
    except ValueError:
        return None


def _owner_text(rest: str, line: int, what: str) -> tuple[str, str]:
    m = OWNER_TEXT.match(rest)
    if not m:
        raise ImportProblem(
            line,
            f"malformed {what}: expected '{'ACTION: ' if what == 'action line' else '- [ ] '}Name: text' "
            "(the owner, a colon, then what they will do)",
        )
    return m.group(1), m.group(2)


def _parse_date(value: Any, line: int, what: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ImportProblem(
            line, f"{what} {value!r} is not a date in the form YYYY-MM-DD"
        ) from None


def _string_list(data: dict[str, Any], key: str, line: int) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ImportProblem(line, f"front matter: {key} must be a list of strings")
    return [v for v in value if v.strip()]


def _dict_items(data: dict[str, Any], key: str, line: int) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ImportProblem(line, f"front matter: {key} must be a list of {{...}} items")
    return value


def _front_follow_ups(data: dict[str, Any], line: int) -> list[ParsedFollowUp]:
    items = []
    for raw in _dict_items(data, "follow_ups", line):
        owner, text, state = raw.get("owner"), raw.get("text"), raw.get("state", "open")
        if (
            not isinstance(owner, str)
            or not owner.strip()
            or not isinstance(text, str)
            or not text.strip()
        ):
            raise ImportProblem(line, "front matter: each follow-up needs an owner and a text")
        if state not in FOLLOW_UP_STATES:
            raise ImportProblem(
                line,
                f"front matter: follow-up state {state!r} is not one of {', '.join(FOLLOW_UP_STATES)}",
            )
        closed = _parse_date(raw.get("closed"), line, "follow-up closed date")
        if (state == "open") != (closed is None):
            raise ImportProblem(
                line, f"front matter: follow-up {text!r} is {state} but its closed date is {closed}"
            )
        items.append(
            ParsedFollowUp(
                owner.strip(),
                text.strip(),
                line,
                state,
                _parse_date(raw.get("due"), line, "due date"),
                closed,
            )
        )
    return items


def _front_reviews(data: dict[str, Any], line: int) -> list[ParsedReview]:
    items = []
    for raw in _dict_items(data, "reviews", line):
        url, title, state = raw.get("url"), raw.get("title"), raw.get("state", "open")
        if not isinstance(url, str) or not isinstance(title, str) or not url or not title:
            raise ImportProblem(line, "front matter: each review needs a url and a title")
        if state not in REVIEW_STATES:
            raise ImportProblem(
                line,
                f"front matter: review state {state!r} is not one of {', '.join(REVIEW_STATES)}",
            )
        position = raw.get("position")
        if position is not None and not isinstance(position, int):
            raise ImportProblem(
                line, f"front matter: review position {position!r} is not a whole number"
            )
        items.append(
            ParsedReview(
                url,
                title,
                line,
                raw.get("author") or None,
                state,
                raw.get("parent") or None,
                position,
            )
        )
    return items


def parse(text: str, name: str, *, day: date | None = None) -> Parsed:
    """Parse one file's text (line endings already normalised). ``day`` is ``--date``."""
    text = normalise(text)
    try:
        data, where, body, body_line = frontmatter.split(text)
    except frontmatter.FrontMatterError as exc:
        raise ImportProblem(exc.line, str(exc)) from None
    data = data or {}
    parsed = Parsed(name=name, content_hash=hashlib.sha256(text.encode()).hexdigest(), notes="")

    # When the meeting was: --date, then front matter, then the file name.
    fm_day = _parse_date(data.get("date"), where.get("date", 1), "date") if "date" in data else None
    name_match = DATE_IN_NAME.search(Path(name).name)
    name_day = (
        _parse_date(name_match.group(1), 0, "the date in the file name") if name_match else None
    )
    if day is not None:
        parsed.day, parsed.day_line = day, 0
        if fm_day is not None and fm_day != day:
            parsed.warnings.append(
                (where["date"], f"--date {day} overrides the front matter's date {fm_day}")
            )
    elif fm_day is not None:
        parsed.day, parsed.day_line = fm_day, where["date"]
    elif name_day is not None:
        parsed.day = name_day
    else:
        raise ImportProblem(
            1,
            "the file has no meeting date: give --date YYYY-MM-DD, a 'date:' in the front matter, "
            "or a date in the file name (2019-02-07.md)",
        )

    if "series" in data:
        if not isinstance(data["series"], str):
            raise ImportProblem(where["series"], "front matter: series must be a series slug")
        parsed.series = data["series"]
    if "state" in data:
        state = data["state"]
        if state == "none":
            parsed.has_minutes = False
        elif state not in MINUTES_STATES:
            raise ImportProblem(
                where["state"], f"front matter: state {state!r} is not draft or published"
            )
        else:
            parsed.state = state
    if data.get("next_meeting"):
        parsed.next_meeting = _parse_date(
            data["next_meeting"], where["next_meeting"], "next_meeting"
        )

    lines = body.split("\n")
    numbered = list(enumerate(lines, start=body_line))
    attendees: list[tuple[str, int]] = []
    kept = numbered
    start = next((i for i, (_, line) in enumerate(numbered) if ATTENDEES_HEADING.match(line)), None)
    if "attendees" not in data and start is not None:
        end = next(
            (j for j in range(start + 1, len(numbered)) if ANY_HEADING.match(numbered[j][1])),
            len(numbered),
        )
        for number, line in numbered[start + 1 : end]:
            if not line.strip():
                continue
            bullet = BULLET.match(line)
            if bullet and bullet.group(1):
                attendees.append((bullet.group(1), number))
            else:
                raise ImportProblem(
                    number,
                    f"the attendee list has a line that is not a '- Name' item: {line.strip()!r}",
                )
        rest = numbered[end:]
        while rest and not rest[0][1].strip():
            rest = rest[1:]
        if rest and NOTES_HEADING.match(rest[0][1]):
            rest = rest[1:]
        kept = [x for x in numbered[:start] if x[1].strip()] + rest
    elif "attendees" in data:
        attendees = [
            (n, where["attendees"]) for n in _string_list(data, "attendees", where["attendees"])
        ]
    while kept and not kept[0][1].strip():
        kept = kept[1:]
    parsed.attendees = [(" ".join(n.split()), ln) for n, ln in attendees]
    parsed.notes = svc.clean_text("\n".join(line for _, line in kept))

    scan_actions = "follow_ups" not in data
    scan_decisions = "decisions" not in data
    in_code = False
    for index, (number, line) in enumerate(kept):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if in_code:
            continue
        if scan_actions:
            m = ACTION.match(line)
            if m:
                owner, what = _owner_text(m.group(1), number, "action line")
                parsed.follow_ups.append(ParsedFollowUp(owner, what, number))
                continue
            t = TASK.match(line)
            if t:
                owner, what = _owner_text(t.group(2), number, "task item")
                done = t.group(1).lower() == "x"
                parsed.follow_ups.append(
                    ParsedFollowUp(
                        owner, what, number, "done" if done else "open", closed_here=done
                    )
                )
                continue
        if scan_decisions:
            d = DECISION.match(line)
            if d:
                parts = [d.group(1)]
                for _, more in kept[index + 1 :]:
                    if not more.strip() or any(
                        r.match(more) for r in (ANY_HEADING, BULLET, ACTION, DECISION, NEXT_MEETING)
                    ):
                        break
                    parts.append(more.strip())
                parsed.decisions.append(" ".join(parts))
                continue
        n = NEXT_MEETING.match(line)
        if n and parsed.next_meeting_text is None:
            parsed.next_meeting_text, parsed.next_meeting_line = n.group(1), number
    if not scan_decisions:
        parsed.decisions = _string_list(data, "decisions", where["decisions"])
    if not scan_actions:
        parsed.follow_ups = _front_follow_ups(data, where["follow_ups"])
    if "reviews" in data:
        parsed.reviews = _front_reviews(data, where["reviews"])
    if parsed.next_meeting is None and parsed.next_meeting_text is not None:
        parsed.next_meeting = resolve_next_meeting(parsed.next_meeting_text, parsed.day)
        if parsed.next_meeting is None:
            parsed.warnings.append(
                (
                    parsed.next_meeting_line,
                    f"cannot read the date in 'Next meeting: {parsed.next_meeting_text}'",
                )
            )
    return parsed


# --- writing -------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str  # created, updated, unchanged
    summary: str
    warnings: list[tuple[int, str]] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)


def _person(name: str, actor: audit.Actor, among: list[Person], new: list[str]) -> Person:
    person, created = svc.person_for(name, actor, among=among)
    if created:
        new.append(person.name)
    return person


def apply(
    parsed: Parsed,
    series_slug: str | None,
    actor: audit.Actor,
    now: datetime,
    *,
    default_state: str = MinutesState.PUBLISHED,
) -> Outcome:
    """Write one parsed file (flush only). Raises ImportProblem; the caller rolls back then."""
    slug = series_slug or parsed.series
    if not slug:
        raise ImportProblem(0, "no series: give --series SLUG or 'series:' in the front matter")
    if series_slug and parsed.series and parsed.series != series_slug:
        raise ImportProblem(
            1, f"the file is for series {parsed.series!r}, not --series {series_slug!r}"
        )
    try:
        series = meetings.get_series(slug)
    except ScheduleError as exc:
        raise ImportProblem(0, str(exc)) from None
    day = parsed.day
    assert day is not None  # noqa: S101 - parse() refuses files without a date
    try:
        meetings.find_occurrence(series, day)
    except ScheduleError as exc:
        raise ImportProblem(parsed.day_line, str(exc)) from None

    outcome = Outcome("unchanged", "", list(parsed.warnings))
    if parsed.next_meeting is not None:
        try:
            meetings.find_occurrence(series, parsed.next_meeting)
        except ScheduleError:
            outcome.warnings.append(
                (
                    parsed.next_meeting_line,
                    f"the next meeting {parsed.next_meeting} ('{parsed.next_meeting_text or parsed.next_meeting}') "
                    f"is not a meeting date of {series.slug}",
                )
            )

    minutes = svc.get_minutes(series, day)
    if minutes is not None and minutes.content_hash == parsed.content_hash:
        outcome.summary = (
            f"unchanged: minutes of {series.slug} {day} were imported from this text already"
        )
        return outcome

    changes: list[str] = []
    attendees: list[Person] = []
    for name, _line in parsed.attendees:
        attendees.append(_person(name, actor, attendees, outcome.new_people))
    if parsed.has_minutes:
        data = svc.MinutesInput(
            notes=parsed.notes,
            decisions="\n".join(parsed.decisions),
            attendees=[p.name for p in attendees],
            state=parsed.state or default_state,
        )
        if minutes is None:
            minutes = svc.start_minutes(series, day, actor, now)
            outcome.kind = "created"
        else:
            outcome.kind = "updated"
        svc.save_minutes(
            minutes,
            minutes.version,
            data,
            actor,
            now,
            content_hash=parsed.content_hash,
            next_meeting=parsed.next_meeting,
            summary=f"imported from {Path(parsed.name).name}",
        )
        changes.append(f"{len(attendees)} attendees, {len(parsed.decisions)} decisions")

    occ = meetings.occurrence_row(series, day)
    made = 0
    for item in parsed.follow_ups:
        owner = _person(item.owner, actor, attendees, outcome.new_people)
        text = " ".join(item.text.split())
        existing = db.session.scalar(
            sa.select(FollowUp).where(
                FollowUp.raised_occurrence_id == occ.id,
                FollowUp.owner_id == owner.id,
                FollowUp.text == text,
            )
        )
        if existing is None:
            existing = svc.add_follow_up(series, day, owner, text, actor, due=item.due)
            made += 1
        elif existing.due_date != item.due:
            existing.due_date = item.due
            made += 1
        closed = day if item.closed_here else item.closed
        current_closed = existing.closed_at.original_date if existing.closed_at else None
        if existing.state != item.state or current_closed != closed:
            try:
                svc.set_follow_up_state(existing, item.state, series, closed, actor)
            except (svc.MinutesError, ScheduleError) as exc:
                raise ImportProblem(item.line, f"follow-up {text!r}: {exc}") from None
            made += 1
    if parsed.follow_ups:
        changes.append(f"{len(parsed.follow_ups)} follow-ups")

    by_url: dict[str, Review] = {}
    for item in parsed.reviews:
        author = _person(item.author, actor, attendees, outcome.new_people) if item.author else None
        review = db.session.scalar(
            sa.select(Review).where(Review.series_id == series.id, Review.url == item.url)
        )
        try:
            if review is None:
                review = svc.add_review(
                    series,
                    day,
                    item.url,
                    item.title,
                    actor,
                    author=author,
                    state=item.state,
                    position=item.position,
                )
                made += 1
            elif (review.title, review.state, review.author_id, review.position) != (
                item.title,
                item.state,
                author.id if author else None,
                item.position or review.position,
            ):
                review.title, review.state, review.author = item.title, item.state, author
                review.position = item.position or review.position
                made += 1
        except svc.MinutesError as exc:
            raise ImportProblem(item.line, f"review {item.url}: {exc}") from None
        by_url[item.url] = review
    for item in parsed.reviews:
        review = by_url[item.url]
        parent = None
        if item.parent:
            parent = by_url.get(item.parent) or db.session.scalar(
                sa.select(Review).where(Review.series_id == series.id, Review.url == item.parent)
            )
            if parent is None:
                raise ImportProblem(
                    item.line, f"review {item.url}: its parent {item.parent} is not in the queue"
                )
        if review.parent_id != (parent.id if parent else None):
            review.parent = parent
            made += 1
    if parsed.reviews:
        changes.append(f"{len(parsed.reviews)} reviews")
    db.session.flush()

    if outcome.kind == "unchanged" and made:
        outcome.kind = "updated"
    next_text = f", next meeting {parsed.next_meeting}" if parsed.next_meeting else ""
    people_text = f"; new people: {', '.join(outcome.new_people)}" if outcome.new_people else ""
    what = "minutes" if parsed.has_minutes else "follow-ups and reviews"
    outcome.summary = f"{outcome.kind} {what} of {series.slug} {day}: {', '.join(changes) or 'nothing'}{next_text}{people_text}"
    if outcome.kind != "unchanged":
        audit.record(
            actor, "minutes.import", "minutes", f"{series.slug}/{day}", outcome.summary[:500]
        )
    return outcome


def import_text(
    text: str,
    name: str,
    series_slug: str | None,
    actor: audit.Actor,
    now: datetime,
    *,
    day: date | None = None,
    default_state: str = MinutesState.PUBLISHED,
) -> Outcome:
    return apply(parse(text, name, day=day), series_slug, actor, now, default_state=default_state)


__all__ = [
    "ImportProblem",
    "Outcome",
    "Parsed",
    "Series",
    "apply",
    "import_text",
    "parse",
    "read_text",
]
