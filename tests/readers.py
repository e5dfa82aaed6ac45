"""Read an .ics with readers that did not write it, and list the occurrences as UTC.

Each ``occurrences_*`` function takes the feed bytes and a UTC window and returns a
sorted list of ``(uid, start_utc, end_utc)`` for every occurrence overlapping
``[start, end)``; EXDATEs and STATUS:CANCELLED occurrences are left out and moved
occurrences appear at their new time. Feed tests compare these lists with the
schedule the app shows.

All-day events (``VALUE=DATE``, the private feeds' follow-ups) are refused unless a reader is
called with ``all_day=True``; they are then listed from the UTC midnight of their first date to
that of their end date (exclusive), in every reader alike.

Every reader must use the file's own VTIMEZONE, because that is all a calendar
client has. ical.js and libical do (checked by their programs); the two Python readers would
quietly use their own zoneinfo for a TZID that is an IANA name, so for them the
TZIDs are first renamed to names no database knows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
ICALJS_SCRIPT = ROOT / "tests" / "readers_icaljs.mjs"
ICALJS_PACKAGE = ROOT / "node_modules" / "ical.js" / "package.json"
LIBICAL_SOURCE = ROOT / "tests" / "readers_libical.c"
LIBICAL_HEADER = Path("/usr/include/libical/ical.h")

Occurrence = tuple[str, datetime, datetime]

__all__ = [
    "IcaljsUnavailable",
    "LibicalUnavailable",
    "Occurrence",
    "icaljs_wall_offsets",
    "icaljs_zone_changes",
    "node_available",
    "occurrences_icaljs",
    "occurrences_libical",
    "occurrences_recurring_ical_events",
    "occurrences_strict_ical",
    "private_tzids",
]


class IcaljsUnavailable(RuntimeError):
    """node or node_modules/ical.js is missing (run ``npm ci`` in the repo root)."""


class LibicalUnavailable(RuntimeError):
    """gcc or libical's headers are missing (Debian: ``apt-get install gcc libical-dev``)."""


def node_available() -> bool:
    """Whether a ``node`` executable is on PATH (tests skip only when it is not)."""
    return shutil.which("node") is not None


def _check_window(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the window must be timezone-aware")
    if end <= start:
        raise ValueError("the window's end must be after its start")


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _finish(found: list[Occurrence], start: datetime, end: datetime) -> list[Occurrence]:
    """The same overlap rule and order for every reader."""
    return sorted(
        {(uid, s, e) for uid, s, e in found if s < end and e > start},
        key=lambda o: (o[1], o[0], o[2]),
    )


# --- ical.js --------------------------------------------------------------------------


def _run_node(mode: str, ics: bytes, *args: str) -> object:
    node = shutil.which("node")
    if node is None:
        raise IcaljsUnavailable("node is not installed")
    if not ICALJS_PACKAGE.exists():
        raise IcaljsUnavailable(f"{ICALJS_PACKAGE} is missing: run `npm ci` in {ROOT}")
    result = subprocess.run(  # noqa: S603 - fixed script, our own arguments
        [node, str(ICALJS_SCRIPT), mode, *args],
        input=ics,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ical.js reader failed ({result.returncode}): {result.stderr.decode()}")
    return json.loads(result.stdout)


def _parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def occurrences_icaljs(
    ics: bytes, start: datetime, end: datetime, *, all_day: bool = False
) -> list[Occurrence]:
    """Occurrences as ical.js (Thunderbird's parser) expands them.

    ``all_day``: all-day events are read (as the UTC midnights of their dates) instead of
    refused. Raises IcaljsUnavailable without node or ``node_modules/ical.js``.
    """
    _check_window(start, end)
    s, e = (_utc(start).isoformat(), _utc(end).isoformat())
    rows = _run_node("occurrences", ics, s, e, *(["dates"] if all_day else []))
    assert isinstance(rows, list)  # noqa: S101
    found = [(uid, _parse_iso(a), _parse_iso(b)) for uid, a, b in rows]
    return _finish(found, _utc(start), _utc(end))


def icaljs_wall_offsets(
    ics: bytes, wall_start: int, wall_end: int, step: int = 3600
) -> dict[str, list[tuple[int, int]]]:
    """The UTC offset ical.js gives to wall times ``wall_start, +step, ... < wall_end``.

    Wall times are "wall seconds": seconds since 1970-01-01T00:00 on the zone's own
    clock. Returns, per VTIMEZONE, ``[(wall_seconds, offset_seconds), ...]`` with an
    entry only where the offset changes (run-length encoded).
    """
    raw = _run_node("offsets", ics, str(wall_start), str(wall_end), str(step))
    assert isinstance(raw, dict)  # noqa: S101
    return {tzid: [(int(w), int(o)) for w, o in runs] for tzid, runs in raw.items()}


def icaljs_zone_changes(ics: bytes, end_year: int) -> dict[str, list[tuple[int, int]]]:
    """Every transition ical.js expands from each VTIMEZONE, up to ``end_year``.

    Returns ``{tzid: [(unix_seconds, offset_seconds_after), ...]}``, sorted.
    """
    raw = _run_node("changes", ics, str(end_year))
    assert isinstance(raw, dict)  # noqa: S101
    return {tzid: [(int(row[0]), int(row[1])) for row in rows] for tzid, rows in raw.items()}


# --- libical -----------------------------------------------------------------------------


def _libical_flags() -> list[str]:
    """Compiler and linker flags for libical: from pkg-config when it is there."""
    pkg_config = shutil.which("pkg-config")
    if pkg_config is not None:
        found = subprocess.run(  # noqa: S603 - fixed program and arguments
            [pkg_config, "--cflags", "--libs", "libical"],
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode == 0:
            return found.stdout.split()
    return ["-lical"]


def libical_reader() -> Path:
    """The compiled libical reader (``tests/readers_libical.c``), built once per source version
    into a cache directory under the system's temporary directory.

    Raises LibicalUnavailable without gcc or libical's headers (Debian's ``libical-dev``).
    """
    gcc = shutil.which("gcc")
    if gcc is None:
        raise LibicalUnavailable("gcc is not installed (apt-get install gcc)")
    if not LIBICAL_HEADER.exists():
        raise LibicalUnavailable(f"{LIBICAL_HEADER} is missing: apt-get install libical-dev")
    source = LIBICAL_SOURCE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"cadence-libical-{os.getuid()}"
    binary = folder / f"readers_libical-{digest}"
    if binary.exists():
        return binary
    folder.mkdir(mode=0o700, exist_ok=True)
    partial = folder / f"{binary.name}.{os.getpid()}"
    built = subprocess.run(  # noqa: S603 - our own source and flags
        [gcc, "-O1", "-Wall", "-o", str(partial), str(LIBICAL_SOURCE), *_libical_flags()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if built.returncode != 0:
        raise LibicalUnavailable(f"the libical reader does not compile: {built.stderr.strip()}")
    partial.replace(binary)  # atomic: parallel test runs may build it at once
    return binary


def occurrences_libical(
    ics: bytes, start: datetime, end: datetime, *, hide_zones: bool = True, all_day: bool = False
) -> list[Occurrence]:
    """Occurrences as libical (Evolution, GNOME Calendar) expands them.

    libical reads DTSTART, DTEND and RECURRENCE-ID with the file's VTIMEZONE, but an EXDATE whose
    TZID it knows (``hide_zones=False``) with its own zone data, as Evolution does. Raises
    LibicalUnavailable without gcc or libical.
    """
    _check_window(start, end)
    text = private_tzids(ics)[0] if hide_zones else ics
    s, e = int(_utc(start).timestamp()), int(_utc(end).timestamp())
    result = subprocess.run(  # noqa: S603 - our own program and arguments
        [str(libical_reader()), str(s), str(e), *(["dates"] if all_day else [])],
        input=text,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"libical reader failed ({result.returncode}): {result.stderr.decode()}")
    found: list[Occurrence] = []
    for line in result.stdout.decode().splitlines():
        uid, a, b = line.split("\t")
        found.append(
            (uid, datetime.fromtimestamp(int(a), tz=UTC), datetime.fromtimestamp(int(b), tz=UTC))
        )
    return _finish(found, _utc(start), _utc(end))


# --- the Python readers -----------------------------------------------------------------

_VTIMEZONE = re.compile(rb"BEGIN:VTIMEZONE\r?\n.*?END:VTIMEZONE\r?\n", re.DOTALL)
_TZID_PROPERTY = re.compile(rb"^TZID:(.+?)\r?$", re.MULTILINE)


def _unfold(ics: bytes) -> bytes:
    return re.sub(rb"\r?\n[ \t]", b"", ics)


def private_tzids(ics: bytes) -> tuple[bytes, dict[str, str]]:
    """Rename every TZID to one no zone database knows, so readers use the VTIMEZONE.

    The new name carries a hash of the VTIMEZONE text: icalendar caches zones by TZID
    for the whole process, and two feeds with different VTIMEZONEs for one TZID must
    not share a cache entry. Returns the new bytes and a map new name -> old name.
    """
    text = _unfold(ics)
    renames: dict[bytes, bytes] = {}
    for block in _VTIMEZONE.findall(text):
        match = _TZID_PROPERTY.search(block)
        if match is None:
            continue
        old = match.group(1)
        digest = hashlib.sha256(block).hexdigest()[:12].encode()
        renames[old] = b"Cadence-Test-" + digest + b"-" + old.replace(b"/", b"-")

    def param(m: re.Match[bytes]) -> bytes:
        value = m.group(2)
        return m.group(1) + renames.get(value, value) + m.group(3)

    def prop(m: re.Match[bytes]) -> bytes:
        value = m.group(1)
        return b"TZID:" + renames.get(value, value) + b"\r"

    # X-WR-TIMEZONE names a zone of the reader's own database (recurring-ical-events converts
    # UTC values into it): hidden too.
    text = re.sub(rb"^X-WR-TIMEZONE:.*\r?\n", b"", text, flags=re.MULTILINE)
    text = re.sub(rb"(;TZID=)([^;:\r\n]+)([;:])", param, text)
    text = re.sub(rb"^TZID:(.+?)\r$", prop, text, flags=re.MULTILINE)
    return text, {new.decode(): old.decode() for old, new in renames.items()}


def _check_private(value: datetime, uid: str) -> None:
    """Fail if a reader resolved a TZID through its own database (not the file)."""
    zone = value.tzinfo
    if isinstance(zone, ZoneInfo) and zone.key not in ("UTC", "Etc/UTC"):
        raise AssertionError(f"{uid}: reader used zoneinfo {zone.key}, not the VTIMEZONE")


def _day(value: date) -> datetime:
    """An all-day value as the UTC midnight of its date (the convention of every reader here)."""
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def occurrences_strict_ical(
    ics: bytes, start: datetime, end: datetime, *, hide_zones: bool = True, all_day: bool = False
) -> list[Occurrence]:
    """Occurrences as the strict ``ical`` package expands them (``timeline_tz``).

    ``hide_zones=False`` reads the file as served: a known TZID may then be resolved with the
    reader's own zone data (as Google, Apple and Outlook do).
    """
    from ical.calendar_stream import IcsCalendarStream

    _check_window(start, end)
    text = private_tzids(ics)[0] if hide_zones else _unfold(ics)
    calendar = IcsCalendarStream.calendar_from_ics(text.decode("utf-8"))
    timeline = calendar.timeline_tz(UTC)
    found: list[Occurrence] = []
    margin = timedelta(days=1)
    for event in timeline.overlapping(_utc(start) - margin, _utc(end) + margin):
        if str(event.status or "").upper().endswith("CANCELLED"):
            continue
        s, e = event.dtstart, event.dtend
        if all_day and not isinstance(s, datetime) and not isinstance(e, datetime):
            found.append((str(event.uid), _day(s), _day(e)))
            continue
        if not isinstance(s, datetime) or not isinstance(e, datetime):
            raise AssertionError(f"{event.uid}: an all-day or floating value")
        if s.tzinfo is None:
            raise AssertionError(f"{event.uid}: floating DTSTART")
        if hide_zones:
            _check_private(s, str(event.uid))
        found.append((str(event.uid), _utc(s), _utc(e)))
    return _finish(found, _utc(start), _utc(end))


def occurrences_recurring_ical_events(
    ics: bytes, start: datetime, end: datetime, *, hide_zones: bool = True, all_day: bool = False
) -> list[Occurrence]:
    """Occurrences as ``recurring_ical_events`` (built on icalendar) expands them."""
    import recurring_ical_events
    from icalendar import Calendar

    _check_window(start, end)
    text = private_tzids(ics)[0] if hide_zones else ics
    calendar = Calendar.from_ical(text)
    margin = timedelta(days=1)
    found: list[Occurrence] = []
    query = recurring_ical_events.of(calendar)
    for event in query.between(_utc(start) - margin, _utc(end) + margin):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        s = event.decoded("DTSTART")
        e = event.decoded("DTEND")
        uid = str(event["UID"])
        if all_day and not isinstance(s, datetime) and not isinstance(e, datetime):
            found.append((uid, _day(s), _day(e)))
            continue
        if not isinstance(s, datetime) or not isinstance(e, datetime) or s.tzinfo is None:
            raise AssertionError(f"{uid}: an all-day or floating value")
        if hide_zones:
            _check_private(s, uid)
        found.append((uid, _utc(s), _utc(e)))
    return _finish(found, _utc(start), _utc(end))
