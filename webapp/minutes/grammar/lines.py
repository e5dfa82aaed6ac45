"""One line of minutes, taken apart with string operations (no pattern over the whole line).

Each function looks at a bounded prefix of the line or splits it once, so reading a file costs
its length, however long or strange its lines are.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Headings and label lines that introduce the attendee list (and typos of "attendees").
ATTENDEE_WORDS = frozenset({"present", "participants", "participant"})
#: Headings and label lines whose bullets are tasks.
ACTION_SECTIONS = frozenset(
    {
        "action items",
        "action item",
        "actions",
        "action points",
        "todo",
        "todos",
        "to do",
        "to-do",
        "next steps",
        "tasks",
    }
)
#: ``LABEL: owner: text`` task lines (``AI`` only in capitals: "ai" is a word).
TASK_LABELS = frozenset({"action", "action item", "todo", "to do"})
#: ``DONE: owner: text`` closes a follow-up like a ticked checkbox.
DONE_LABELS = frozenset({"done", "closed", "completed"})
DECISION_LABELS = frozenset({"conclusion", "decision", "decided", "resolution"})
#: Labels that start a line of their own (a decision's continuation stops there).
LINE_LABELS = TASK_LABELS | DONE_LABELS | DECISION_LABELS
#: Words that join a person to what they will do: "John will post…", "Michael Dexter to send…".
CONNECTORS = frozenset({"to", "will", "should", "shall", "must", "can", "needs", "is", "has"})
CANCELLED: tuple[str, ...] = (
    "meeting cancelled",
    "meeting canceled",
    "meeting was cancelled",
    "cancelled",
)
CANCELLED += ("canceled", "no meeting", "no call", "call cancelled", "meeting skipped")
CANCELLED += ("skipped", "not held", "meeting not held")
#: What may follow those words on a line that says the meeting did not take place.
CANCELLED_AFTER: tuple[str, ...] = (
    ":",
    " -",
    " –",
    " —",
    " (",
    " due",
    " because",
    " for ",
    " this",
    " today",
)
CANCELLED_AFTER += (",", ".", " as ", " in ", " on ", " owing")
#: Those words and what may follow them, built once (every line of a text is asked).
_CANCELLED_PREFIXES = tuple(start + after for start in CANCELLED for after in CANCELLED_AFTER)
#: A title (a heading, a file of one line) that says so anywhere in it.
CANCELLED_TITLE = ("cancelled", "canceled", "no meeting", "skipped", "not held", "no call")
DONE_SUFFIXES = ("(done)", "[done]", "- done", "— done", ": done", "(closed)")
MAX_OWNER_WORDS = 6
MAX_LABEL = 30


def _emphasis(text: str) -> str:
    return text.strip().strip("*_").strip()


def heading(line: str) -> str | None:
    """The text of a ``#`` heading, lower case, without ``#``, emphasis or a trailing colon."""
    if not line.startswith("#"):
        return None
    level = len(line) - len(line.lstrip("#"))
    rest = line[level:]
    if level > 6 or (rest and not rest[0].isspace()):
        return None
    return _emphasis(rest.strip().rstrip("#").strip().rstrip(":").strip()).casefold()


@dataclass(frozen=True)
class Bullet:
    indent: int
    text: str
    #: True, False for ``[x]``/``[ ]``; None without a checkbox.
    checked: bool | None = None


def bullet(line: str) -> Bullet | None:
    """``- text``, ``* text``, ``+ text``, ``1. text``, ``1) text``, each maybe ``[ ]``/``[x]``."""
    stripped = line.lstrip(" \t")
    indent = len(line) - len(stripped)
    if stripped[:1] in ("-", "*", "+") and stripped[1:2] in (" ", "\t"):
        text = stripped[2:].strip()
    else:
        digits = len(stripped) - len(stripped.lstrip("0123456789"))
        if not 0 < digits <= 9 or stripped[digits : digits + 1] not in (".", ")"):
            return None
        if stripped[digits + 1 : digits + 2] not in (" ", "\t"):
            return None
        text = stripped[digits + 2 :].strip()
    box = text[:3]
    if len(box) == 3 and box[0] == "[" and box[2] == "]" and box[1] in " xX":
        return Bullet(indent, text[3:].strip(), box[1] in "xX")
    return Bullet(indent, text)


def label(text: str) -> tuple[str, str] | None:
    """``Label: rest`` (also ``**Label:** rest`` and ``**Label**: rest``) → (label, rest).

    The label is a few words of letters at the start of the line, lower case."""
    head = text.lstrip()
    bold = head.startswith(("**", "__"))
    if bold:
        head = head[2:]
    colon = head.find(":", 0, MAX_LABEL + 3)
    if colon <= 0:
        return None
    name = head[:colon].strip().rstrip("*_").strip()
    rest = head[colon + 1 :]
    if bold and rest.startswith(("**", "__")):
        rest = rest[2:]
    if not name or not all(c.isalpha() or c in " -" for c in name):
        return None
    return name.casefold(), rest.strip()


def is_attendee_word(word: str) -> bool:
    """ "Attendees", "Attendance", "Attended", "Attending", "Attendeees"... or "Present"."""
    return word.startswith("attend") or word in ATTENDEE_WORDS


def _top_level_split(text: str) -> list[str]:
    """``text`` split at commas, semicolons and `` and `` outside brackets."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c in "(<[":
            depth += 1
        elif c in ")>]":
            depth = max(depth - 1, 0)
        elif depth == 0 and (c in ",;" or text.startswith(" and ", i)):
            parts.append(text[start:i])
            start = i + (1 if c in ",;" else 5)
            i = start
            continue
        i += 1
    parts.append(text[start:])
    return parts


def split_names(text: str) -> list[str]:
    """``markj, jhb, emaste and imp`` → the four names (commas inside brackets are kept:
    ``Ada @ada (TSC, chair), Grace`` is two names)."""
    names = []
    for part in _top_level_split(text):
        name = part.strip().strip(".").strip()
        if name.startswith("and "):
            name = name[4:].strip()
        if name:
            names.append(name)
    return names


def owner_candidate(text: str) -> bool:
    """Could ``text`` be a person? Not a URL, a time, a sentence or code."""
    words = text.split()
    return (
        0 < len(words) <= MAX_OWNER_WORDS
        and ":" not in text
        and not any(c in text for c in "[]`/<>")
        and not text[:1].isdigit()
    ) or (text.endswith(">") and "@" in text and len(words) <= MAX_OWNER_WORDS + 1)


def owner_split(text: str) -> tuple[str, str] | None:
    """``Name: text`` → (name, text). The colon must be followed by a space (a URL's is not) and
    the name must look like one (``10:00 UTC: …`` and ``See https://…: …`` do not)."""
    colon = text.find(": ")
    if colon < 0:
        if text.endswith(":"):
            colon = len(text) - 1
        else:
            return None
    owner = _emphasis(text[:colon])
    rest = text[colon + 1 :].strip().lstrip("*_").strip()
    if not owner_candidate(owner):
        return None
    return owner, rest


def leading_reference(text: str) -> tuple[str, str] | None:
    """The person a sentence starts with: ``markj: …``, ``Michael Dexter to …``, ``John will …``,
    ``imp@ will …``, ``@imp …`` → (who, what they will do)."""
    if text.startswith("@"):
        handle, _, rest = text.partition(" ")
        return (handle, rest.strip()) if len(handle) > 1 and rest.strip() else None
    split = owner_split(text)
    if split is not None:
        return split
    words = text.split(" ", MAX_OWNER_WORDS + 1)
    for index in range(1, min(len(words) - 1, MAX_OWNER_WORDS) + 1):
        if words[index].casefold() in CONNECTORS:
            who = " ".join(words[:index])
            rest_words = words[index + 1 :]
            if words[index].casefold() == "needs" and rest_words[:1] == ["to"]:
                rest_words = rest_words[1:]
            rest = " ".join(rest_words).strip()
            if owner_candidate(who) and rest:
                return who, rest
            return None
    return None


def done_marker(text: str) -> tuple[bool, str]:
    """``DONE: text``, ``text (done)``... → (True, text without the marker)."""
    lowered = text.casefold()
    for prefix in ("done:", "[done]", "done -"):
        if lowered.startswith(prefix):
            return True, text[len(prefix) :].strip()
    for suffix in DONE_SUFFIXES:
        if lowered.endswith(suffix):
            return True, text[: -len(suffix)].strip()
    return False, text


def cancelled_note(text: str) -> str | None:
    """The line itself when it says the meeting did not take place ("Meeting cancelled: …")."""
    plain = _emphasis(text).rstrip(".!").strip()
    lowered = plain.casefold()
    if lowered in CANCELLED or lowered.startswith(_CANCELLED_PREFIXES):
        return plain
    return None


_TITLE_WORDS = ("minutes", "meeting", "call", "weekly", "bi-weekly", "biweekly", "of", "the")


def cancelled_title(title: str) -> str | None:
    """A title that says so after its date (``# 2019-03-14: no meeting (FOSDEM)``,
    ``# Meeting 2020-04-02 - skipped``) or at its end (``# bhyve call, 2019-03-14 (cancelled)``)."""
    plain = _emphasis(title).rstrip(".!").strip()
    if len(plain) > 120:
        return None
    lowered = plain.casefold()
    words = lowered.replace(":", " ").replace(",", " ").split()
    while words and (words[0] in _TITLE_WORDS or not words[0].strip("0123456789-/.")):
        words = words[1:]
    rest = " ".join(words).lstrip("-–— ")
    ending = lowered.rstrip(")").rstrip()
    if cancelled_note(rest) is not None:
        return plain
    return plain if any(ending.endswith(word) for word in CANCELLED_TITLE) else None


def next_meeting_text(text: str) -> str | None:
    """``Next meeting: Feb 21st``, ``**Next meeting**: …``, ``Next meeting on 2022-11-21 …``."""
    plain = text.strip().lstrip("*_")
    if plain[:12].casefold() != "next meeting":
        return None
    rest = plain[12:].lstrip("*_").lstrip(":").lstrip("*_").strip()
    for word in ("on ", "is ", "will be "):
        if rest.casefold().startswith(word):
            rest = rest[len(word) :].strip()
    return rest or None
