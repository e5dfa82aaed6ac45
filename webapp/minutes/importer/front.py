"""The structured part of a file: lists of follow-ups and reviews in its front matter."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from webapp.minutes.importer.dates import parse_date
from webapp.minutes.importer.model import (
    ExtraMeeting,
    ImportProblem,
    ParsedFollowUp,
    ParsedReview,
)
from webapp.models import (
    FOLLOW_UP_STATES,
    REVIEW_STATES,
)


def string_list(data: dict[str, Any], key: str, line: int) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ImportProblem(line, f"front matter: {key} must be a list of strings")
    return [v for v in value if v.strip()]


def dict_items(data: dict[str, Any], key: str, line: int) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ImportProblem(line, f"front matter: {key} must be a list of {{...}} items")
    return value


def front_follow_ups(data: dict[str, Any], line: int) -> list[ParsedFollowUp]:
    items = []
    for raw in dict_items(data, "follow_ups", line):
        owner, text, state = raw.get("owner"), raw.get("text"), raw.get("state", "open")
        if (owner is not None and not isinstance(owner, str)) or not isinstance(text, str):
            raise ImportProblem(line, "front matter: each follow-up needs a text (and an owner)")
        if not text.strip():
            raise ImportProblem(line, "front matter: each follow-up needs a text (and an owner)")
        if state not in FOLLOW_UP_STATES:
            raise ImportProblem(
                line,
                f"front matter: follow-up state {state!r} is not one of "
                f"{', '.join(FOLLOW_UP_STATES)}",
            )
        closed = parse_date(raw.get("closed"), line, "follow-up closed date")
        if (state == "open") != (closed is None):
            raise ImportProblem(
                line, f"front matter: follow-up {text!r} is {state} but its closed date is {closed}"
            )
        item = ParsedFollowUp(
            owner.strip() if owner and owner.strip() else None,
            text.strip(),
            line,
            state,
            parse_date(raw.get("due"), line, "due date"),
            closed,
        )
        note = raw.get("note") or ""
        item.note = note[:200] if isinstance(note, str) and state != "open" else ""
        items.append(item)
    return items


def front_reviews(data: dict[str, Any], line: int) -> list[ParsedReview]:
    items = []
    for raw in dict_items(data, "reviews", line):
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


def front_extra(data: dict[str, Any], line: int) -> ExtraMeeting:
    """``extra: {"start": "16:00", "duration": 60, "title": ""}``: a meeting outside the rule."""
    raw = data.get("extra")
    if not isinstance(raw, dict):
        raise ImportProblem(line, "front matter: extra must be {start, duration, title}")
    start, duration, title = raw.get("start"), raw.get("duration"), raw.get("title") or ""
    try:
        at = time.fromisoformat(start) if start else None
    except (TypeError, ValueError):
        raise ImportProblem(line, f"front matter: extra start {start!r} is not HH:MM") from None
    if duration is not None and (not isinstance(duration, int) or not 1 <= duration <= 1440):
        raise ImportProblem(line, f"front matter: extra duration {duration!r} is not 1-1440")
    if not isinstance(title, str) or len(title) > 200:
        raise ImportProblem(line, "front matter: extra title must be text of at most 200")
    return ExtraMeeting(at, duration, title)


def front_moved(data: dict[str, Any], line: int) -> tuple[datetime, int | None]:
    """``moved: {"start": "2019-02-08 16:00", "duration": 90}``: held at another local time."""
    raw = data.get("moved")
    if not isinstance(raw, dict):
        raise ImportProblem(line, "front matter: moved must be {start, duration}")
    start, duration = raw.get("start"), raw.get("duration")
    try:
        at = datetime.strptime(str(start), "%Y-%m-%d %H:%M")  # noqa: DTZ007 - local wall time
    except ValueError:
        message = f"front matter: moved start {start!r} is not YYYY-MM-DD HH:MM"
        raise ImportProblem(line, message) from None
    if duration is not None and (not isinstance(duration, int) or not 1 <= duration <= 1440):
        raise ImportProblem(line, f"front matter: moved duration {duration!r} is not 1-1440")
    return at, duration


def front_cancelled(data: dict[str, Any], line: int) -> str | None:
    """``cancelled: "the note"`` (the export), ``cancelled: true`` or ``false`` (by hand)."""
    value = data.get("cancelled")
    if value is True or value in ("true", "yes"):
        return ""
    if value is False or value in ("false", "no"):
        return None
    if not isinstance(value, str) or len(value) > 500:
        raise ImportProblem(line, "front matter: cancelled must be the note (at most 500)")
    return value
