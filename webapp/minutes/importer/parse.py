"""From text to Parsed: pure, no database."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from webapp.minutes import frontmatter
from webapp.minutes import services as svc
from webapp.minutes.importer.dates import DATE_IN_NAME, parse_date, resolve_next_meeting
from webapp.minutes.importer.front import (
    front_follow_ups,
    front_reviews,
    string_list,
)
from webapp.minutes.importer.model import ImportProblem, Parsed, ParsedFollowUp
from webapp.minutes.importer.reading import normalise
from webapp.models import (
    MINUTES_STATES,
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


def _owner_text(rest: str, line: int, what: str) -> tuple[str, str]:
    m = OWNER_TEXT.match(rest)
    if not m:
        raise ImportProblem(
            line,
            f"malformed {what}: expected '{'ACTION: ' if what == 'action line' else '- [ ] '}Name: text' "
            "(the owner, a colon, then what they will do)",
        )
    return m.group(1), m.group(2)


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
    fm_day = parse_date(data.get("date"), where.get("date", 1), "date") if "date" in data else None
    name_match = DATE_IN_NAME.search(Path(name).name)
    name_day = (
        parse_date(name_match.group(1), 0, "the date in the file name") if name_match else None
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
        parsed.next_meeting = parse_date(
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
            (n, where["attendees"]) for n in string_list(data, "attendees", where["attendees"])
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
        parsed.decisions = string_list(data, "decisions", where["decisions"])
    if not scan_actions:
        parsed.follow_ups = front_follow_ups(data, where["follow_ups"])
    if "reviews" in data:
        parsed.reviews = front_reviews(data, where["reviews"])
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
