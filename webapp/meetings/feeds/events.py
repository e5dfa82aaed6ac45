"""The VEVENTs of a series, as ``webapp.ical.FeedEvent`` values, all built by :func:`event`.

The window (``window.window_start``): a master whose rule began inside it keeps DTSTART at the
rule's first meeting. When the rule began earlier, DTSTART is its first occurrence at or after the
window start, always an occurrence of the rule (same weekday, wall time and interval phase), so
every RECURRENCE-ID and EXDATE written for a later occurrence still names an occurrence of the
master; the UID comes from the rule's first date, not from DTSTART, and does not change.

SEQUENCE: master = rule.sequence; an override = rule.sequence + occurrence.sequence (always
higher than its master's); an extra = occurrence.sequence. LAST-MODIFIED (and DTSTAMP) come from
``updated_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from webapp import dates, wiring
from webapp.ical import EventStatus, FeedEvent, WeeklyRule
from webapp.meetings import schedule, services
from webapp.meetings.links import meeting_url, series_url
from webapp.meetings.schedule import Change, Rule, Slot
from webapp.models import Occurrence, OccurrenceStatus, ScheduleRule, Series
from webapp.urls import external_url, site_host
from webapp.wiring import MeetingLink


@dataclass(frozen=True)
class SeriesView:
    """What every event of one series shares, looked up once per render."""

    series: Series
    tz: ZoneInfo
    links: dict[date, list[MeetingLink]]

    @classmethod
    def of(cls, series: Series) -> SeriesView:
        found: dict[date, list[MeetingLink]] = {}
        for linker in wiring.of().occurrence_linkers:
            for day, link in linker.links(series).items():
                found.setdefault(day, []).append(link)
        return cls(series, schedule.zone(series.timezone), found)

    def row(self, day: date, suffix: str = "") -> Occurrence | None:
        return next(
            (o for o in self.series.occurrences if (o.original_date, o.suffix) == (day, suffix)),
            None,
        )


def uid_of_rule(series: Series, rule: ScheduleRule) -> str:
    return f"series-{series.slug}-{rule.first_date.isoformat()}@{site_host()}"


def uid_of_meeting(series: Series, day: date, suffix: str = "") -> str:
    """``meeting-<slug>-<date>``, or ``meeting-<slug>-<date>-<suffix>`` for a second meeting."""
    return f"meeting-{series.slug}-{dates.meeting_key(day, suffix)}@{site_host()}"


def link_text(links: Iterable[MeetingLink]) -> str:
    return "\n".join(f"{link.label}: {link.url}" for link in links)


def _text(series: Series, url: str, extra: str = "") -> str:
    """Plain-text DESCRIPTION: what and where to join, then the page."""
    parts = [p for p in (extra, series.description.strip()) if p]
    if series.join_url:
        parts.append(f"Join: {series.join_url}")
    if series.place:
        parts.append(f"Place: {series.place}")
    parts.append(f"Meeting page: {url}")
    return "\n\n".join(parts)


def event(
    view: SeriesView,
    *,
    uid: str,
    start: datetime,
    end: datetime,
    url: str,
    last_modified: datetime,
    sequence: int,
    notes: Iterable[str] = (),
    summary: str | None = None,
    status: EventStatus = EventStatus.CONFIRMED,
    rule: WeeklyRule | None = None,
    exdates: tuple[datetime, ...] = (),
    utc_exdates: tuple[datetime, ...] = (),
    recurrence_id: datetime | None = None,
) -> FeedEvent:
    """The one way a meeting's VEVENT is built: title, zone, text, page and place of the series."""
    series = view.series
    return FeedEvent(
        uid=uid,
        summary=summary or series.title,
        start=start,
        end=end,
        tzid=series.timezone,
        last_modified=last_modified,
        sequence=sequence,
        description=_text(series, url, "\n\n".join(p for p in notes if p)),
        url=url,
        location=series.place or series.join_url or None,
        status=status,
        rule=rule,
        exdates=exdates,
        utc_exdates=utc_exdates,
        recurrence_id=recurrence_id,
    )


def slot_event(view: SeriesView, slot: Slot, sequence: int, stamps: list[datetime]) -> FeedEvent:
    """An occurrence as a plain event of its own (an extra meeting, or a one-meeting file)."""
    day = slot.original_date
    note = ""
    if slot.cancelled:
        note = f"Cancelled: {slot.cancel_reason}" if slot.cancel_reason else "Cancelled."
    # The links other areas add (the minutes) are the date's meeting's.
    links = [] if slot.suffix else view.links.get(day, [])
    return event(
        view,
        uid=uid_of_meeting(view.series, day, slot.suffix),
        start=slot.start,
        end=slot.end,
        url=meeting_url(view.series, day, slot.suffix),
        last_modified=max([*stamps, *(link.changed_at for link in links)]),
        sequence=sequence,
        notes=(note, link_text(links)),
        summary=f"{view.series.title}: {slot.title}" if slot.title else None,
        status=EventStatus.CANCELLED if slot.cancelled else EventStatus.CONFIRMED,
    )


def _first_in_window(rule: Rule, tz: ZoneInfo, window_start: datetime) -> date | None:
    """The rule's first occurrence at or after the window start (None: all before it)."""
    dates = rule.dates(
        window_start.astimezone(tz).date() - timedelta(days=1), date.max - timedelta(days=400)
    )
    return next((d for d in dates if schedule.to_utc(d, rule.start_time, tz) >= window_start), None)


def _irregular(rule: Rule, day: date, tz: ZoneInfo) -> bool:
    return schedule.irregular(day, rule.start_time, rule.duration_minutes, tz)


def _carried(rule: Rule, day: date, tz: ZoneInfo) -> bool:
    """Whether the rule's previous meeting falls at a wall time the clock skips: libical's rule
    iterator (with a zone name it knows) moves that one past the gap and carries the moved time
    into this one. This one then leaves the master (an EXDATE at its wall time, and one in UTC at
    the carried instant, ``_carried_instant``) and is written as an event of its own."""
    before = day - timedelta(weeks=rule.interval_weeks)
    return rule.has_date(before) and schedule.skipped(before, rule.start_time, tz)


def _carried_instant(rule: Rule, day: date, tz: ZoneInfo) -> datetime:
    """Where libical's iterator puts the meeting after a skipped one: at the wall time the skipped
    one was moved to (02:30 in New York's gap becomes 03:30, and the next week too)."""
    before = day - timedelta(weeks=rule.interval_weeks)
    moved_to = schedule.to_utc(before, rule.start_time, tz).astimezone(tz).time()
    return schedule.to_utc(day, moved_to, tz)


def _spelled(rule: Rule, day: date, tz: ZoneInfo) -> bool:
    return _irregular(rule, day, tz) or _carried(rule, day, tz)


def _master_first(rule: Rule, tz: ZoneInfo, first: date) -> date | None:
    """The first occurrence from ``first`` on that is not on or after a clock change (the master's
    DTSTART fixes the wall time and length every reader repeats); None when the rule has none."""
    upto = first + timedelta(weeks=8 * rule.interval_weeks)
    return next((d for d in rule.dates(first, upto) if not _spelled(rule, d, tz)), None)


def _standalone(
    view: SeriesView, rule: Rule, row: ScheduleRule, day: date, change: Change | None
) -> FeedEvent | None:
    """An occurrence of the rule that the master cannot carry (before its DTSTART) as an event
    of its own, unless it was cancelled."""
    slot = schedule.slot_of(rule, change, day, view.tz)
    if slot.cancelled:
        return None
    occ = view.row(day)
    stamps = [row.updated_at, view.series.updated_at] + ([occ.updated_at] if occ else [])
    return slot_event(view, slot, rule.sequence + (change.sequence if change else 0), stamps)


def _moved(view: SeriesView, rule: Rule, row: ScheduleRule, day: date, change: Change) -> FeedEvent:
    tz = view.tz
    rule_start = schedule.to_utc(day, rule.start_time, tz)
    slot = schedule.slot_of(rule, change, day, tz)
    occ = view.row(day)
    was = f"{rule_start.astimezone(tz):%A %d %B %Y %H:%M} ({view.series.timezone})"
    return event(
        view,
        uid=uid_of_rule(view.series, row),
        start=slot.start,
        end=slot.end,
        url=meeting_url(view.series, day),
        last_modified=max(occ.updated_at, row.updated_at, view.series.updated_at)
        if occ
        else row.updated_at,
        sequence=rule.sequence + change.sequence,
        notes=(f"Moved from {was}.", link_text(view.links.get(day, []))),
        recurrence_id=schedule.wall(day, rule.start_time, tz),
    )


def _held(view: SeriesView, rule: Rule, row: ScheduleRule, day: date) -> FeedEvent:
    """An occurrence held as the rule says, spelled out: on a clock change (its resolved start and
    end, RFC 5545 section 3.3.5: a skipped time takes the offset before the gap, a repeated one its
    first instance), or with something to link (its minutes) in DESCRIPTION and URL."""
    rule_start = schedule.to_utc(day, rule.start_time, view.tz)
    links = view.links.get(day, [])
    return event(
        view,
        uid=uid_of_rule(view.series, row),
        start=rule_start,
        end=rule_start + timedelta(minutes=rule.duration_minutes),
        url=meeting_url(view.series, day),
        last_modified=max(
            [row.updated_at, view.series.updated_at, *(link.changed_at for link in links)]
        ),
        sequence=rule.sequence + 1,
        notes=(link_text(links),),
        recurrence_id=schedule.wall(day, rule.start_time, view.tz),
    )


@dataclass(frozen=True)
class _Span:
    """The master's first meeting, the feed's horizon, and the days spelled out in between."""

    first: date
    horizon: date
    irregular: frozenset[date]
    carried: frozenset[date]

    @classmethod
    def of(cls, rule: Rule, tz: ZoneInfo, first: date, horizon: date) -> _Span:
        # Only a day whose offset differs from the day before's or the day after's can hold a
        # clock change near the meeting: two offset lookups a day, then the full test on those.
        near = [d for d in rule.dates(first, horizon) if _near_a_change(rule, d, tz)]
        odd = [d for d in near if _irregular(rule, d, tz)]
        step = timedelta(weeks=rule.interval_weeks)
        skipped = [d for d in odd if schedule.skipped(d, rule.start_time, tz)]
        carried = frozenset(
            d + step for d in skipped if d + step <= horizon and rule.has_date(d + step)
        )
        return cls(first, horizon, frozenset(odd) - carried, carried)


def _near_a_change(rule: Rule, day: date, tz: ZoneInfo) -> bool:
    """Whether the zone's offset a day before the meeting differs from two days after it (a
    meeting lasts at most a day, and no zone changes its clock twice within three days)."""
    before = schedule.wall(day - timedelta(days=1), rule.start_time, tz).utcoffset()
    return before != schedule.wall(day + timedelta(days=2), rule.start_time, tz).utcoffset()


def _cancelled_override(
    view: SeriesView, rule: Rule, row: ScheduleRule, day: date, note: str
) -> FeedEvent:
    """An occurrence of the master taken out by an override with STATUS:CANCELLED, not an EXDATE:
    on and right after a carried meeting, whose extra UTC EXDATE ical.js would otherwise take for
    the next EXDATE's turn (it checks one EXDATE value per occurrence)."""
    start = schedule.to_utc(day, rule.start_time, view.tz)
    return event(
        view,
        uid=uid_of_rule(view.series, row),
        start=start,
        end=start + timedelta(minutes=rule.duration_minutes),
        url=meeting_url(view.series, day),
        last_modified=row.updated_at,
        sequence=rule.sequence + 1,
        notes=(note,),
        status=EventStatus.CANCELLED,
        recurrence_id=schedule.wall(day, rule.start_time, view.tz),
    )


def _exceptions(
    view: SeriesView, rule: Rule, row: ScheduleRule, changes: dict[date, Change], span: _Span
) -> tuple[list[datetime], list[FeedEvent]]:
    """The master's EXDATEs and overrides, from its DTSTART on."""
    exdates: list[datetime] = []
    overrides: list[FeedEvent] = []
    after_carried = {d + timedelta(weeks=rule.interval_weeks) for d in span.carried}
    for day, change in sorted(changes.items()):
        if day < span.first or not rule.has_date(day) or day in span.carried:
            continue
        if change.status == OccurrenceStatus.CANCELLED and day in after_carried:
            overrides.append(_cancelled_override(view, rule, row, day, "Cancelled."))
        elif change.status == OccurrenceStatus.CANCELLED:
            exdates.append(schedule.wall(day, rule.start_time, view.tz))
        elif change.status == OccurrenceStatus.MOVED and change.start_at is not None:
            overrides.append(_moved(view, rule, row, day, change))
    spelled = set(span.irregular)
    spelled |= {d for d in view.links if d >= span.first and rule.has_date(d)}
    overrides += [_held(view, rule, row, d) for d in sorted(spelled - set(changes) - span.carried)]
    for day in sorted(span.carried):
        # Out of the master, and an event of its own: an override would not pair with the moved
        # occurrence in libical, and recurring-ical-events matches the carried UTC EXDATE with the
        # override's wall time wherever the offset after the gap equals the gap (Dublin, London).
        # A cancelled override, not an EXDATE: ical.js checks one EXDATE value per occurrence,
        # and a cancelled gap day's UTC EXDATE would take this one's turn.
        overrides.append(
            _cancelled_override(view, rule, row, day, "Listed as an event of its own.")
        )
        found = _standalone(view, rule, row, day, changes.get(day))
        overrides += [found] if found is not None else []
    return exdates, overrides


def _until(rule: Rule, tz: ZoneInfo, span: _Span) -> datetime | None:
    """The master's UNTIL: the rule's own end, or the horizon's when meetings on clock changes
    are spelled out (beyond it they are not, and readers would place them each their own way)."""
    last_day = rule.until_date
    if span.irregular or span.carried:
        last_day = min(last_day or span.horizon, span.horizon)
    if last_day is None:
        return None
    last = max(rule.dates(span.first, min(last_day, dates.LAST_DATE)), default=span.first)
    return schedule.latest_instant(last, rule.start_time, tz)


def _before_master(
    view: SeriesView,
    rule: Rule,
    row: ScheduleRule,
    changes: dict[date, Change],
    leading: Iterable[date],
    first: date,
    window_start: datetime,
) -> list[FeedEvent]:
    """Occurrences in the window the master cannot carry: ``leading`` ones (on a clock change
    before its DTSTART), and those moved from before the window (``first``) into it."""
    events = []
    for day in leading:
        found = _standalone(view, rule, row, day, changes.get(day))
        events += [found] if found is not None else []
    for day, change in sorted(changes.items()):
        moved_in = change.start_at is not None and change.start_at >= window_start
        if day < first and rule.has_date(day) and moved_in:
            found = _standalone(view, rule, row, day, change)
            events += [found] if found is not None else []
    return events


def _rule_events(
    view: SeriesView,
    rule: Rule,
    row: ScheduleRule,
    changes: dict[date, Change],
    start: datetime,
    horizon: date,
) -> list[FeedEvent]:
    """The master of one rule, then its overrides; nothing when the rule ended before ``start``."""
    tz, series = view.tz, view.series
    first = _first_in_window(rule, tz, start)
    if first is None:
        return _before_master(view, rule, row, changes, (), date.max, start)
    master_first = _master_first(rule, tz, first)
    if master_first is None:
        if rule.until_date is not None:  # the rest of the rule lies on clock changes
            rest = rule.dates(first, rule.until_date)
            return _before_master(view, rule, row, changes, rest, first, start)
        master_first = first
    leading = [d for d in rule.dates(first, master_first) if d < master_first]
    extra = _before_master(view, rule, row, changes, leading, first, start)
    span = _Span.of(rule, tz, master_first, horizon)
    until = _until(rule, tz, span)
    exdates, overrides = _exceptions(view, rule, row, changes, span)
    master_start = schedule.to_utc(master_first, rule.start_time, tz)
    words = services.describe_rule(rule, series.timezone)
    pages = external_url(f"/meetings/{series.slug}/YYYY-MM-DD")
    master = event(
        view,
        uid=uid_of_rule(series, row),
        start=master_start,
        end=master_start + timedelta(minutes=rule.duration_minutes),
        url=series_url(series),
        last_modified=max(row.updated_at, series.updated_at),
        sequence=rule.sequence,
        notes=(f"{words}. Each meeting has its own page at {pages}.",),
        rule=WeeklyRule(interval=rule.interval_weeks, until=until),
        exdates=tuple(exdates),
        utc_exdates=tuple(_carried_instant(rule, d, tz) for d in sorted(span.carried)),
    )
    return [master, *overrides, *extra]


def _extras(
    view: SeriesView, rules: list[Rule], changes: list[Change], start: datetime
) -> list[FeedEvent]:
    """Meetings outside every rule (second meetings on one day too), as events of their own."""
    events = []
    for change in sorted(changes, key=lambda c: (c.original_date, c.suffix)):
        day = change.original_date
        if change.start_at is None or (
            not change.suffix and schedule.rule_for(rules, day) is not None
        ):
            continue  # not an extra meeting
        if change.start_at < start:
            continue
        occ = view.row(day, change.suffix)
        stamps = [max(occ.updated_at, view.series.updated_at) if occ else view.series.updated_at]
        slot = schedule.slot_of(None, change, day, view.tz)
        events.append(slot_event(view, slot, change.sequence, stamps))
    return events


def series_events(series: Series, window_start: datetime, horizon: date) -> list[FeedEvent]:
    """Every VEVENT of one series from ``window_start`` on; meetings on clock changes spelled out
    up to ``horizon`` (``window.feed_horizon``), where a rule that has them ends."""
    view = SeriesView.of(series)
    rules = services.rules_of(series)
    every = services.changes_of(series)
    changes = {c.original_date: c for c in every if not c.suffix}
    events: list[FeedEvent] = []
    for rule, row in zip(rules, series.rules, strict=True):
        events += _rule_events(view, rule, row, changes, window_start, horizon)
    return events + _extras(view, rules, every, window_start)
