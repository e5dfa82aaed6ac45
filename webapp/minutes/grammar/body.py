"""The body of minutes as scribes write them: attendees, tasks, decisions, the next meeting.

One pass over the lines. The attendee list (a heading or a label line with bullets, or an inline
``Attendees: a, b and c``) is taken out of the notes; everything else stays in the notes, and
tasks, decisions, "Next meeting" and "Meeting cancelled" are read from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from webapp.minutes.grammar import lines as ln
from webapp.minutes.grammar.attendance import HIDDEN, ListedAttendee, take_attendance, visible_lines
from webapp.minutes.grammar.attendees import parse_attendee, problem, role_words
from webapp.minutes.grammar.model import MAX_TASK, ImportProblem, ParsedFollowUp
from webapp.models import FollowUpState

Numbered = list[tuple[int, str]]


@dataclass
class Body:
    attendees: list[ListedAttendee] = field(default_factory=list)
    kept: Numbered = field(default_factory=list)
    follow_ups: list[ParsedFollowUp] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    next_meeting: tuple[int, str] | None = None
    cancelled: str | None = None
    #: The lines that say the meeting was cancelled (not minutes content).
    cancelled_lines: set[int] = field(default_factory=set)
    problems: list[ImportProblem] = field(default_factory=list)


def take_attendees(numbered: Numbered, body: Body) -> None:
    """Find the first attendance block; ``body.kept`` is every other line."""
    body.attendees, body.kept = take_attendance(numbered, role_words())


def _task(
    body: Body,
    number: int,
    owner: str | None,
    text: str,
    *,
    certain: bool,
    checked: bool = False,
    full: str = "",
) -> None:
    done, text = ln.done_marker(text.strip())
    done = done or checked
    if not text:
        body.problems.append(ImportProblem(number, "the task has no text"))
        return
    if len(text) > MAX_TASK:
        message = f"the task has {len(text):,} characters (at most {MAX_TASK:,})"
        body.problems.append(ImportProblem(number, message))
        return
    if owner is not None and certain:
        wrong = problem(parse_attendee(owner))
        if wrong:
            body.problems.append(ImportProblem(number, wrong))
            return
    state = FollowUpState.DONE if done else FollowUpState.OPEN
    item = ParsedFollowUp(owner, text, number, state, closed_here=done, owner_certain=certain)
    item.ordinal = len(body.follow_ups)
    item.full_text = ln.done_marker(full.strip())[1] if full else text
    body.follow_ups.append(item)


def _labelled_task(body: Body, number: int, name: str, rest: str) -> bool:
    """``ACTION: Name: text``, ``AI: name: text``, ``TODO: name: text``; ``DONE: Name: text``
    closes like ``- [x]``."""
    done = name in ln.DONE_LABELS
    if (name not in ln.TASK_LABELS and not done) or not rest:
        return False
    split = ln.owner_split(rest)
    if split is None:
        _task(body, number, None, rest, certain=True, checked=done)
    else:
        _task(body, number, split[0], split[1], certain=True, checked=done, full=rest)
    return True


def _ai_task(body: Body, number: int, text: str) -> bool:
    """``AI: name: text`` and ``AI(name): text`` (capital letters only: "ai" is a word)."""
    head = text.lstrip("*_ ")
    if head.startswith("AI(") and "):" in head[:80]:
        owner, _, rest = head[3:].partition("):")
        rest = rest.strip().lstrip("*_ ")
        _task(body, number, owner.strip(), rest, certain=True, full=f"{owner.strip()}: {rest}")
        return True
    if head.startswith(("AI:", "AI**:", "AI:**")):
        rest = head.split(":", 1)[1].lstrip("*_ ").strip()
        split = ln.owner_split(rest)
        if split is None:
            _task(body, number, None, rest, certain=True)
        else:
            _task(body, number, split[0], split[1], certain=True, full=rest)
        return True
    return False


def _checkbox_task(body: Body, number: int, item: ln.Bullet, in_actions: bool) -> None:
    if item.text.startswith("@"):
        found = ln.leading_reference(item.text)
        if found:
            checked = bool(item.checked)
            _task(body, number, found[0], found[1], certain=True, checked=checked, full=item.text)
            return
    split = ln.owner_split(item.text)
    if split is not None:
        checked = bool(item.checked)
        _task(body, number, split[0], split[1], certain=True, checked=checked, full=item.text)
        return
    guess = ln.leading_reference(item.text) if in_actions else None
    if guess is not None:
        checked = bool(item.checked)
        _task(body, number, guess[0], guess[1], certain=False, checked=checked, full=item.text)
    else:
        _task(body, number, None, item.text, certain=True, checked=bool(item.checked))


def _section_task(body: Body, number: int, text: str) -> None:
    """A bullet under "Action items": its owner is the person it starts with, if any."""
    guess = ln.leading_reference(text)
    if guess is None:
        _task(body, number, None, text, certain=True)
    else:
        _task(body, number, guess[0], guess[1], certain=False, full=text)


def _decision(kept: Numbered, index: int, first: str) -> str:
    parts = [first]
    for _, more in kept[index + 1 :]:
        if more == HIDDEN:
            continue
        if (
            not more.strip()
            or ln.heading(more) is not None
            or ln.bullet(more)
            or (ln.label(more) or ("", ""))[0]
            in ln.TASK_LABELS | ln.DECISION_LABELS | ln.DONE_LABELS
            or ln.next_meeting_text(more) is not None
        ):
            break
        item = ln.bullet(more)
        parts.append(item.text if item else more.strip())
    return " ".join(parts)


@dataclass
class _Scan:
    in_code: bool = False
    #: Under an "Action items" heading, or after an "Action items:" label line.
    in_actions: bool = False
    actions_label: bool = False


def _cancelled_heading(body: Body, kept: Numbered, index: int) -> None:
    """``# Meeting cancelled`` then a paragraph: read like ``- Meeting cancelled: paragraph``."""
    number, line = kept[index]
    title = line.lstrip("#").strip().rstrip("#").strip().rstrip(":").strip()
    if ln.cancelled_note(title) is None and ln.cancelled_title(title) is None:
        return
    lines: list[int] = [number]
    parts: list[str] = []
    for more_number, more in kept[index + 1 :]:
        if more == HIDDEN:
            continue
        if not more.strip() and not parts:
            continue
        if not more.strip() or ln.heading(more) is not None:
            break
        lines.append(more_number)
        item = ln.bullet(more)
        parts.append(item.text if item else more.strip())
    note = f"{title}: {' '.join(parts)}" if parts else title
    body.cancelled = ln.cancelled_note(note) or ln.cancelled_title(title) and note
    body.cancelled_lines.update(lines)


def _line(body: Body, kept: Numbered, index: int, state: _Scan, scan: tuple[bool, bool]) -> None:
    scan_actions, scan_decisions = scan
    number, line = kept[index]
    title = ln.heading(line)
    if title is not None:
        state.in_actions = title in ln.ACTION_SECTIONS
        state.actions_label = False
        if body.cancelled is None:
            _cancelled_heading(body, kept, index)
        return
    item = ln.bullet(line)
    text = item.text if item else line.strip()
    if state.actions_label and item is None and text:
        state.in_actions = state.actions_label = False
    found = ln.label(text)
    if scan_actions:
        if found and not found[1] and found[0] in ln.ACTION_SECTIONS and item is None:
            state.in_actions = state.actions_label = True
            return
        if _ai_task(body, number, text) or (found and _labelled_task(body, number, *found)):
            return
        if item is not None and item.checked is not None:
            _checkbox_task(body, number, item, state.in_actions)
            return
        nexting = item is not None and ln.next_meeting_text(item.text) is not None
        if item is not None and state.in_actions and item.indent < 2 and item.text and not nexting:
            _section_task(body, number, item.text)
            return
    if scan_decisions and found and found[0] in ln.DECISION_LABELS and found[1]:
        body.decisions.append(_decision(kept, index, found[1].strip("*_ ")))
        return
    following = ln.next_meeting_text(text)
    if following is not None and body.next_meeting is None:
        body.next_meeting = (number, following)
    elif body.cancelled is None:
        body.cancelled = ln.cancelled_note(text)
        if body.cancelled is not None:
            body.cancelled_lines.add(number)


def scan(body: Body, *, scan_actions: bool, scan_decisions: bool) -> None:
    """Tasks, decisions, the next meeting and a cancellation, from the kept lines (never from
    inside an HTML comment or a code block)."""
    state = _Scan()
    visible = visible_lines(body.kept)
    for index, (_number, line) in enumerate(visible):
        if line.lstrip().startswith(("```", "~~~")):
            state.in_code = not state.in_code
            continue
        if state.in_code or line == HIDDEN:
            continue
        _line(body, visible, index, state, (scan_actions, scan_decisions))


def check_attendees(body: Body) -> None:
    for item in body.attendees:
        message = problem(parse_attendee(item.text))
        if message:
            body.problems.append(ImportProblem(item.line, message))
