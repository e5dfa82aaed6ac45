"""Who was there, and who sent regrets: the attendance block of a text of minutes.

The block starts at a heading or label line about attendance (``# Attendees``, ``Present:``,
``Absent:``, ``Regrets:``) and goes on through groups (``### Members``, ``### Guests``,
``Guests:``, ``- Regrets:``) separated by blank lines, until a line that is neither a group nor an
item. Items under an absence group (absent, regrets, apologies, excused…) are absentees; a group
title (``Guests``) is the role of the items that name none. Text inside an HTML comment is never
read as attendance (it stays in the notes, as written).
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.minutes.grammar import lines as ln

Numbered = list[tuple[int, str]]
#: What ``visible_lines`` makes of a line that was only an HTML comment.
HIDDEN = "<!---->"

ABSENT_WORDS: tuple[str, ...] = ("absent", "regrets", "apologies", "excused", "not present")
ABSENT_WORDS += ("unable to attend", "missing", "did not attend", "not attending", "absences")
#: Words a group title may be made of (besides role words): "Also present", "Voting members".
GROUP_WORDS = frozenset({"also", "present", "attending", "in", "person", "other", "others", "and"})
GROUP_WORDS |= frozenset({"&", "the", "of", "from", "joined", "via", "phone", "video", "call"})


@dataclass(frozen=True)
class ListedAttendee:
    """One item of the block, as written; ``group`` is its group's title (``Guests``)."""

    text: str
    line: int
    group: str = ""
    absent: bool = False


def visible_lines(numbered: Numbered) -> Numbered:
    """The lines with HTML comments (``<!-- … -->``, across lines too) taken out; a line that
    was only a comment becomes ``HIDDEN`` so that it is neither text nor a blank line."""
    out: Numbered = []
    inside = False
    for number, line in numbered:
        parts, rest, had = [], line, inside
        while rest:
            if inside:
                end = rest.find("-->")
                if end < 0:
                    rest = ""
                    break
                rest, inside = rest[end + 3 :], False
            else:
                start = rest.find("<!--")
                if start < 0:
                    parts.append(rest)
                    break
                parts.append(rest[:start])
                rest, inside, had = rest[start + 4 :], True, True
        text = "".join(parts)
        out.append((number, text if text.strip() or not had else HIDDEN))
    return out


def is_absent_word(title: str) -> bool:
    return title.startswith(ABSENT_WORDS)


def is_group_title(title: str, words: frozenset[str]) -> bool:
    """``Members``, ``Guests``, ``TSC members``, ``Also present``, ``Regrets``..."""
    if ln.is_attendee_word(title) or is_absent_word(title):
        return True
    parts = title.replace("-", " ").replace(",", " ").replace("/", " ").split()
    return bool(parts) and all(p in words or p in GROUP_WORDS for p in parts)


def _group(line: str, words: frozenset[str]) -> tuple[str, str | None] | None:
    """A group title line → (title as written, inline names or None)."""
    title = ln.heading(line)
    if title is not None:
        if not is_group_title(title, words):
            return None
        return line.lstrip("#").strip().strip("*_").rstrip(":").strip("*_ "), None
    item = ln.bullet(line)
    text = item.text if item is not None else line.strip()
    found = ln.label(text)
    if found is None or not is_group_title(found[0], words):
        return None
    written = text.lstrip("*_").split(":", 1)[0].strip("*_ ")
    return written, found[1] or None


def _starts_block(line: str) -> bool:
    title = ln.heading(line)
    if title is None:
        if ln.bullet(line):
            return False
        found = ln.label(line)
        title = found[0] if found else None
    return title is not None and (ln.is_attendee_word(title) or is_absent_word(title))


@dataclass
class _Block:
    words: frozenset[str]
    listed: list[ListedAttendee]
    group: str = ""
    absent: bool = False
    seen: bool = False

    def open_group(self, title: str, inline: str | None, number: int) -> None:
        lowered = title.casefold()
        self.absent = is_absent_word(lowered)
        self.group = "" if ln.is_attendee_word(lowered) or self.absent else title
        self.seen = False
        if inline:
            for name in ln.split_names(inline):
                self.add(name, number)

    def add(self, text: str, number: int) -> None:
        self.listed.append(ListedAttendee(text, number, self.group, self.absent))
        self.seen = True


def _next_is_group(visible: Numbered, index: int, words: frozenset[str]) -> bool:
    for _, line in visible[index:]:
        if line == HIDDEN or not line.strip():
            continue
        return _group(line, words) is not None
    return False


def _read_block(visible: Numbered, start: int, block: _Block) -> tuple[int, list[int]]:
    """From the block's first line: (index of the first line after it, comment-only lines)."""
    comments: list[int] = []
    index = start
    while index < len(visible):
        number, line = visible[index]
        if line == HIDDEN:
            comments.append(index)
        elif not line.strip():
            if block.seen and not _next_is_group(visible, index, block.words):
                break
        elif (found := _group(line, block.words)) is not None:
            block.open_group(found[0], found[1], number)
        else:
            item = ln.bullet(line)
            if item is None or not item.text or item.checked is not None:
                break
            block.add(item.text, number)
        index += 1
    return index, comments


def _drop_notes_heading(rest: Numbered) -> Numbered:
    while rest and not rest[0][1].strip():
        rest = rest[1:]
    if rest and ln.heading(rest[0][1]) == "notes":
        rest = rest[1:]
    return rest


def take_attendance(
    numbered: Numbered, words: frozenset[str]
) -> tuple[list[ListedAttendee], Numbered]:
    """The first attendance block's items, and every other line (the notes), as written."""
    visible = visible_lines(numbered)
    for index, (_number, line) in enumerate(visible):
        if not _starts_block(line):
            continue
        block = _Block(words, [])
        end, comments = _read_block(visible, index, block)
        kept = [x for x in numbered[:index] if x[1].strip()]
        kept += [numbered[i] for i in comments]
        return block.listed, kept + _drop_notes_heading(numbered[end:])
    return [], numbered


def read_attendee_lines(text: str, words: frozenset[str]) -> list[ListedAttendee]:
    """The editor's attendee box: one person per line (a bullet is allowed), and group lines
    (``Guests:``, ``### Members``, ``Absent: Ada, Grace``) as in minutes."""
    numbered = list(enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1))
    block = _Block(words, [])
    for number, line in visible_lines(numbered):
        if line == HIDDEN or not line.strip():
            continue
        found = _group(line, words)
        if found is not None:
            block.open_group(found[0], found[1], number)
            continue
        item = ln.bullet(line)
        block.add(item.text if item is not None else line.strip(), number)
    return block.listed
