"""What a file's name says: the meeting's date, or that it is not minutes at all.

Archives name their files ``20190207.md``, ``2019-02-07.md`` or ``2019-02-07-topic.md``, and keep
a README, an index, an agenda or a schedule beside them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from webapp import dates

#: Names (without extension) of files that sit beside minutes but are not minutes.
NOT_MINUTES = frozenset(
    {"readme", "index", "agenda", "schedule", "todo", "license", "contributing"}
)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _iso_at(stem: str, i: int) -> str | None:
    head = stem[i : i + 10]
    if len(head) != 10 or head[4] != "-" or head[7] != "-":
        return None
    if not all(_digits(p) for p in (head[:4], head[5:7], head[8:])):
        return None
    if stem[i - 1 : i].isdigit() or stem[i + 10 : i + 11].isdigit():
        return None
    return head


def _date_text(stem: str) -> str | None:
    """``YYYYMMDD`` as the name or its start (``20190207-topic``), or ``YYYY-MM-DD`` anywhere
    (``2019-02-07``, ``2019-02-07-topic``, ``bhyve-2019-02-07``)."""
    head, rest = stem[:8], stem[8:]
    if len(head) == 8 and _digits(head) and (not rest or rest[0] in "-_. "):
        return f"{head[:4]}-{head[4:6]}-{head[6:]}"
    for i in range(max(len(stem) - 9, 0)):
        found = _iso_at(stem, i)
        if found:
            return found
    return None


def date_from_name(name: str) -> date | None:
    """The meeting date a file name starts with; ValueError when it is not a date of the
    calendar or outside the dates Cadence accepts."""
    text = _date_text(Path(name).stem)
    if text is None:
        return None
    return dates.parse_day(text, "The date in the file name")


def suffix_from_name(name: str) -> str:
    """What a name says after its leading date, for a second meeting that day:
    ``2019-02-07-guests.md`` and ``20190207-guests.md`` → ``guests``; '' when nothing follows
    the date (or the date is not at the start). Not checked here: ``dates.check_suffix`` is."""
    stem = Path(name).stem
    for width in (10, 8):
        head, rest = stem[:width], stem[width:]
        if _date_text(head) is not None and rest[:1] == "-" and (width == 8) == _digits(head):
            return rest[1:]
    return ""


def not_minutes(name: str) -> bool:
    """README.md, index.md, agenda.md, schedule.md...: skipped with a notice, not an error."""
    stem = Path(name).stem.casefold()
    return stem in NOT_MINUTES or stem.startswith("readme")
