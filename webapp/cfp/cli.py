"""``flask conference …`` and ``flask outbox …``."""

from __future__ import annotations

import contextlib

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from webapp import audit, clock, mail
from webapp.cfp import services
from webapp.extensions import db
from webapp.models import Conference, OutboxMessage, OutboxState

conference = AppGroup("conference", help="Conferences and their call for papers.")
outbox = AppGroup("outbox", help="Outgoing mail.")


@conference.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The conference's name.")
@click.option("--timezone", "timezone", required=True, help="IANA zone, e.g. Europe/Amsterdam.")
@click.option("--starts", required=True, help="First day, YYYY-MM-DD.")
@click.option("--ends", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--cfp-opens", required=True, help='"YYYY-MM-DD HH:MM" in the conference\'s zone.')
@click.option("--cfp-closes", required=True, help='"YYYY-MM-DD HH:MM" in the conference\'s zone.')
@click.option("--format", "formats", multiple=True, help="name:minutes, e.g. Talk:30 (repeat).")
@click.option("--track", "tracks", multiple=True, help="A track (repeat).")
@click.option("--room", "rooms", multiple=True, help="A room (repeat).")
@click.option("--place", default="", help="Where it happens.")
@click.option(
    "--day-starts", default="09:00", show_default=True, help="Programme days start, HH:MM."
)
@click.option("--day-ends", default="18:00", show_default=True, help="Programme days end, HH:MM.")
@click.option(
    "--slot-minutes",
    default=15,
    show_default=True,
    help=f"The schedule grid's row length: {', '.join(map(str, services.SLOT_CHOICES))} minutes.",
)
def conference_create(
    slug: str,
    name: str,
    timezone: str,
    starts: str,
    ends: str,
    cfp_opens: str,
    cfp_closes: str,
    formats: tuple[str, ...],
    tracks: tuple[str, ...],
    rooms: tuple[str, ...],
    place: str,
    day_starts: str,
    day_ends: str,
    slot_minutes: int,
) -> None:
    """Create a conference with its call for papers (times in the conference's zone); the
    daily hours are those the schedule grid shows and placed talks must keep within."""
    try:
        hours = (
            services.parse_hour(day_starts, "--day-starts"),
            services.parse_hour(day_ends, "--day-ends"),
        )
        data = services.ConferenceData(
            slug=slug,
            name=name,
            timezone=timezone,
            starts_on=services.parse_date(starts, "--starts"),
            ends_on=services.parse_date(ends, "--ends"),
            cfp_opens_local=services.parse_local_datetime(cfp_opens, "--cfp-opens"),
            cfp_closes_local=services.parse_local_datetime(cfp_closes, "--cfp-closes"),
            place=place,
            formats=[services.parse_format(f) for f in (formats or ("Talk:30",))],
            tracks=list(tracks),
            rooms=list(rooms),
        )
        created = services.create_conference(data, audit.CLI, clock.now())
        services.set_hours(created, *hours, slot_minutes)
    except services.CfpError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(
        f"created {created.slug}: CFP {services.format_local(created.cfp_opens_at, created)} → "
        f"{services.format_local(created.cfp_closes_at, created)}; days "
        f"{created.day_starts:%H:%M}–{created.day_ends:%H:%M}, grid rows of "
        f"{created.slot_minutes} minutes"
    )


@conference.command("list")
def conference_list() -> None:
    """Every conference with its CFP state."""
    now = clock.now()
    for c in services.list_conferences():
        w = c.cfp(now)
        state = "open" if w.is_open else "not open yet" if w.before_opening else "closed"
        click.echo(f"{c.slug}\t{c.name}\t{c.starts_on}–{c.ends_on}\t{c.timezone}\tCFP {state}")


@conference.command("release")
@click.argument("slug")
@click.option("--note", default="", help="What changed, for the public changes page.")
def conference_release(slug: str, note: str) -> None:
    """Publish the working programme of SLUG as its next version."""
    found = services.conference_by_slug(slug)
    if found is None:
        raise click.ClickException(f"No conference {slug!r}.")
    try:
        row = services.release(found, note, audit.CLI, clock.now())
    except services.CfpError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"released {found.slug} {row.label}: {len(row.changes)} change(s)")
    for change in row.changes:
        click.echo(f"  {services.describe(change, found)}")


def _conference_or_fail(slug: str) -> Conference:
    found = services.conference_by_slug(slug)
    if found is None:
        raise click.ClickException(f"No conference {slug!r}.")
    return found


def _room_id(found: Conference, room: str | None) -> int | None:
    if room is None:
        return None
    match = next((r for r in found.rooms if r.name.lower() == room.strip().lower()), None)
    if match is None:
        names = ", ".join(r.name for r in found.rooms) or "none"
        raise click.ClickException(f"No room {room!r} (rooms: {names}).")
    return match.id


def _say_warnings(found: Conference, warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@conference.command("place")
@click.argument("slug")
@click.argument("item")
@click.option("--room", help="The room's name (a block in all rooms stays there).")
@click.option("--at", "at", help='"YYYY-MM-DD HH:MM" in the conference\'s zone.')
@click.option("--unplace", is_flag=True, help="Take the talk out of the programme.")
def conference_place(slug: str, item: str, room: str | None, at: str | None, unplace: bool) -> None:
    """Move ITEM (a talk's code, or block:ID) like the grid does: same refusals and warnings."""
    found = _conference_or_fail(slug)
    try:
        start = None
        if not unplace:
            if at is None:
                raise services.CfpError('Give --at "YYYY-MM-DD HH:MM" (or --unplace).')
            day, _, hhmm = at.strip().partition(" ")
            start = services.parse_slot(day, hhmm)
        done = services.move_item(found, item, _room_id(found, room), start, audit.CLI, clock.now())
    except services.CfpError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(done.message)
    _say_warnings(found, done.warnings)


@conference.command("block")
@click.argument("slug")
@click.option("--title", required=True, help="For example Lunch.")
@click.option("--kind", default="break", show_default=True, help="break, keynote, social, other.")
@click.option("--room", help="The room's name; without it, all rooms.")
@click.option("--at", "at", required=True, help='"YYYY-MM-DD HH:MM" in the conference\'s zone.')
@click.option("--minutes", default=60, show_default=True, help="Its length.")
def conference_block(
    slug: str, title: str, kind: str, room: str | None, at: str, minutes: int
) -> None:
    """Add a break, keynote, social or other block to the working programme."""
    found = _conference_or_fail(slug)
    try:
        day, _, hhmm = at.strip().partition(" ")
        data = services.BlockData(
            title, kind, _room_id(found, room), services.parse_slot(day, hhmm), minutes
        )
        block, warnings = services.save_block(found, None, data, audit.CLI, clock.now())
    except services.CfpError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"added block:{block.id} {block.kind} “{block.title}” ({block.room_name})")
    _say_warnings(found, [w.message for w in warnings])


@conference.command("conflicts")
@click.argument("slug")
def conference_conflicts(slug: str) -> None:
    """The conflicts of the working programme (exit 1 when there is one)."""
    found = _conference_or_fail(slug)
    listed = services.conflicts_of(found)
    for c in listed:
        click.echo(f"{c.kind}\t{c.message}")
    if listed:
        raise SystemExit(1)
    click.echo("no conflicts")


@conference.command("remind")
@click.argument("slug", required=False)
def conference_remind(slug: str | None) -> None:
    """Queue reminders to speakers of accepted, unconfirmed talks (run daily; idempotent)."""
    found = None
    if slug is not None:
        found = services.conference_by_slug(slug)
        if found is None:
            raise click.ClickException(f"No conference {slug!r}.")
    sent = services.send_reminders(found, audit.CLI, clock.now())
    db.session.commit()
    click.echo(f"queued {sent} reminder(s)")


@outbox.command("send")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
def outbox_send(limit: int) -> None:
    """Send the pending messages that are due (retries back off exponentially)."""
    report = mail.send_due(clock.now(), limit=limit)
    click.echo(
        f"sent {report.sent}, failed attempts {report.failed_attempts}, gave up {report.gave_up}"
    )


@outbox.command("work")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks.")
def outbox_work(interval: float) -> None:
    """Send committed mail within seconds until stopped (SIGTERM or Ctrl-C)."""
    import signal

    from flask import current_app

    from webapp.outbox_worker import Worker

    worker = Worker(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        interval,
        say=lambda line: click.echo(line, err=True),
    )
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    click.echo(f"outbox: worker started, looking every {interval:g} s", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        worker.run()
    click.echo("outbox: worker stopped", err=True)


@outbox.command("reseal")
def outbox_reseal() -> None:
    """Seal queued mail, subscribers and private calendar addresses again under SECRET_KEY, after
    a rotation (then the old key can go)."""
    from webapp.announcements import subscribers
    from webapp.private_feeds import services as private_feeds

    count, unreadable = mail.reseal()
    people, unreadable_people = subscribers.reseal()
    feeds, unreadable_feeds = private_feeds.reseal()
    db.session.commit()
    click.echo(f"re-sealed {count} unsent message(s) under the current SECRET_KEY")
    click.echo(f"re-sealed {people} subscriber address(es) under the current SECRET_KEY")
    click.echo(f"re-sealed {feeds} private calendar address(es) under the current SECRET_KEY")
    if unreadable:
        raise click.ClickException(
            f"{unreadable} message(s) no key opens (their key is not in SECRET_KEY_FALLBACKS); "
            "they will fail: see `flask outbox list`"
        )
    if unreadable_people:
        raise click.ClickException(
            f"{unreadable_people} subscriber address(es) no key opens (their key is not in "
            "SECRET_KEY_FALLBACKS): nothing can be sent to them; remove them on the series' "
            "Subscribers page"
        )
    if unreadable_feeds:
        raise click.ClickException(
            f"{unreadable_feeds} private calendar address(es) no key opens (their key is not in "
            "SECRET_KEY_FALLBACKS): they still work, but their owners' pages can show them only "
            "after a Reset"
        )


@outbox.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include sent messages.")
def outbox_list(show_all: bool) -> None:
    """Pending and failed messages (all with --all)."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if not show_all:
        query = query.where(OutboxMessage.state != OutboxState.SENT)
    for m in db.session.scalars(query):
        click.echo(
            f"{m.id}\t{m.state}\t{m.attempts}\t{m.next_attempt_at:%Y-%m-%d %H:%M}\t"
            f"{m.to_addr}\t{m.subject}" + (f"\t{m.last_error}" if m.last_error else "")
        )
