"""``flask series …``: create series and change their schedules from the shell.

Every command goes through ``webapp.meetings.services`` (the same functions as the organizer
pages). Dates and times are the series' local ones. On a bad input the command prints one line
naming what was wrong, exits with status 1 and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar

import click
from flask.cli import AppGroup

from webapp import audit, clock
from webapp.extensions import db
from webapp.meetings import schedule, services
from webapp.meetings.schedule import ScheduleError

series_cli = AppGroup("series", help="Meeting series (the bi-weekly call) and their exceptions.")

T = TypeVar("T")


def _run(change: Callable[[], T]) -> T:
    """Run a change and commit it; on a ScheduleError roll back and exit 1 with its message."""
    try:
        result = change()
        db.session.flush()
    except ScheduleError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    return result


def _series(slug: str) -> Any:
    try:
        return services.get_series(slug)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None


def _local(series: Any, when: datetime) -> str:
    return when.astimezone(schedule.zone(series.timezone)).strftime("%Y-%m-%d %H:%M")


@series_cli.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="What the series is called.")
@click.option("--timezone", "zone", required=True, help="IANA time zone, e.g. America/New_York.")
@click.option("--start", required=True, help='First meeting, local: "YYYY-MM-DD HH:MM".')
@click.option("--duration", required=True, type=int, help="Minutes (1-1440).")
@click.option(
    "--every", default=2, show_default=True, type=int, help="Weeks between meetings: 1, 2 or 4."
)
@click.option("--until", default=None, help="Last possible meeting date, YYYY-MM-DD.")
@click.option("--join-url", default="", help="Where people join the call.")
@click.option("--place", default="", help="Where it happens, if not (only) online.")
@click.option("--description", default="", help="Markdown shown on the series page.")
def create(
    slug: str,
    title: str,
    zone: str,
    start: str,
    duration: int,
    every: int,
    until: str | None,
    join_url: str,
    place: str,
    description: str,
) -> None:
    """Create a series meeting every EVERY weeks from START."""

    def change() -> Any:
        first_date, first_time = services.parse_local(start, "--start")
        last = services.parse_date(until, "--until") if until else None
        return services.create_series(
            slug,
            services.SeriesDetails(
                title=title, description=description, join_url=join_url, place=place
            ),
            zone,
            first_date,
            first_time,
            duration,
            audit.CLI,
            interval_weeks=every,
            until=last,
        )

    series = _run(change)
    click.echo(f"created {series.slug}: {services.describe_schedule(series)}")


@series_cli.command("cancel")
@click.argument("slug")
@click.argument("day", metavar="YYYY-MM-DD")
@click.option("--reason", default="", help="Shown to people next to the cancelled meeting.")
def cancel(slug: str, day: str, reason: str) -> None:
    """Cancel the meeting whose (original) local date is DAY."""
    series = _series(slug)
    _run(lambda: services.cancel(series, services.parse_date(day), audit.CLI, reason=reason))
    click.echo(f"cancelled {slug} {day}" + (f": {reason}" if reason else ""))


@series_cli.command("restore")
@click.argument("slug")
@click.argument("day", metavar="YYYY-MM-DD")
def restore(slug: str, day: str) -> None:
    """Undo the cancellation of the meeting of DAY."""
    series = _series(slug)
    _run(lambda: services.restore(series, services.parse_date(day), audit.CLI))
    click.echo(f"restored {slug} {day}")


@series_cli.command("move")
@click.argument("slug")
@click.argument("day", metavar="YYYY-MM-DD")
@click.option("--to", "to", required=True, help='New local start: "YYYY-MM-DD HH:MM".')
@click.option("--duration", type=int, default=None, help="New length in minutes.")
def move(slug: str, day: str, to: str, duration: int | None) -> None:
    """Move one meeting; it keeps its identity (DAY) and its page."""
    series = _series(slug)

    def change() -> Any:
        original = services.parse_date(day)
        new_date, new_time = services.parse_local(to, "--to")
        return services.move(
            series, original, new_date, new_time, audit.CLI, duration_minutes=duration
        )

    _run(change)
    slot = services.find_occurrence(series, services.parse_date(day))
    click.echo(f"moved {slug} {day} to {_local(series, slot.start)} {series.timezone}")


@series_cli.command("add")
@click.argument("slug")
@click.argument("start", metavar='"YYYY-MM-DD HH:MM"')
@click.option("--duration", type=int, default=None, help="Minutes (default: the schedule's).")
@click.option("--title", default="", help="What the extra meeting is about.")
def add(slug: str, start: str, duration: int | None, title: str) -> None:
    """Add an extra meeting outside the schedule."""
    series = _series(slug)

    def change() -> Any:
        day, at = services.parse_local(start)
        return services.add_extra(
            series, day, at, audit.CLI, duration_minutes=duration, title=title
        )

    row = _run(change)
    click.echo(f"added {slug} {row.original_date} ({start} {series.timezone})")


@series_cli.command("retime")
@click.argument("slug")
@click.option(
    "--from", "from_", required=True, help="First date (YYYY-MM-DD) the change applies to."
)
@click.option(
    "--start", required=True, help='First meeting of the new schedule: "YYYY-MM-DD HH:MM".'
)
@click.option("--duration", type=int, default=None, help="Minutes (default: unchanged).")
@click.option(
    "--every", type=int, default=None, help="Weeks between meetings (default: unchanged)."
)
def retime(slug: str, from_: str, start: str, duration: int | None, every: int | None) -> None:
    """Change the time or weekday for good from --from on; earlier meetings stay as they were."""
    series = _series(slug)

    def change() -> Any:
        from_date = services.parse_date(from_, "--from")
        new_first, new_time = services.parse_local(start)
        return services.retime(
            series,
            from_date,
            new_first,
            new_time,
            audit.CLI,
            duration_minutes=duration,
            interval_weeks=every,
            now=clock.now(),
        )

    _run(change)
    click.echo(f"{slug}: {services.describe_schedule(series)}")


@series_cli.command("list")
def list_() -> None:
    """Every series with its schedule and next meeting."""
    now = clock.now()
    rows = services.list_series()
    if not rows:
        click.echo("no series")
        return
    for series in rows:
        upcoming = services.next_occurrence(series, now)
        nxt = (
            f"next {upcoming.original_date} {_local(series, upcoming.start)}"
            if upcoming
            else "no upcoming meeting"
        )
        flag = "" if series.public else " (private)"
        click.echo(
            f"{series.slug}\t{series.title}{flag}\t{services.describe_schedule(series)}\t{nxt}"
        )


@series_cli.command("show")
@click.argument("slug")
@click.option("--from", "from_", default=None, help="First local date (default: today).")
@click.option("--to", "to", default=None, help="Last local date (default: 26 weeks after --from).")
def show(slug: str, from_: str | None, to: str | None) -> None:
    """A table of the series' meetings: original date, local start, UTC, status, reason."""
    series = _series(slug)
    tz = schedule.zone(series.timezone)
    try:
        first = services.parse_date(from_, "--from") if from_ else clock.now().astimezone(tz).date()
        last = services.parse_date(to, "--to") if to else first + timedelta(weeks=26)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None
    if last < first:
        raise click.ClickException(f"--to {last} is before --from {first}")
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    click.echo(f"{series.title} ({series.slug}): {services.describe_schedule(series)}")
    header = ("date", f"local start ({series.timezone})", "UTC", "status", "reason / title")
    rows = [
        (
            s.original_date.isoformat(),
            _local(series, s.start),
            s.start.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ"),
            s.status,
            s.cancel_reason or s.title,
        )
        for s in services.occurrences(series, start, end)
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    if not rows:
        click.echo("(no meetings in that range)")


@series_cli.command("announcements")
@click.argument("slug")
@click.option("--to", "to", multiple=True, help="A list address (repeat for several).")
@click.option("--before", type=int, default=None, help="Hours before a meeting (default 24).")
@click.option("--zone", "zones", multiple=True, help="An extra IANA zone shown (repeat).")
@click.option("--off", is_flag=True, help="Stop announcing (the settings are kept).")
def announcements(
    slug: str, to: tuple[str, ...], before: int | None, zones: tuple[str, ...], off: bool
) -> None:
    """Show or set where and when the series' agenda mail and change notices go."""
    from webapp.announcements import settings

    series = _series(slug)
    if not (to or before is not None or zones or off):
        click.echo(f"{slug}: {settings.describe(settings.settings_of(series))}")
        return
    row = _run(
        lambda: settings.change(series, audit.CLI, to=to, before=before, zones=zones, off=off)
    )
    click.echo(f"{slug}: {settings.describe(row)}")
