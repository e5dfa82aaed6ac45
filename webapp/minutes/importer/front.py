"""The structured part of a file: lists of follow-ups and reviews in its front matter."""

from __future__ import annotations

from typing import Any

from webapp.minutes.importer.dates import parse_date
from webapp.minutes.importer.model import ImportProblem, ParsedFollowUp, ParsedReview
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
        closed = parse_date(raw.get("closed"), line, "follow-up closed date")
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
                parse_date(raw.get("due"), line, "due date"),
                closed,
            )
        )
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
