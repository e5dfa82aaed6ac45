"""``flask announcements queue``: queue the agenda mails that are due, once (for cron and tests;
``flask outbox send`` or the outbox worker sends them)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp import clock
from webapp.announcements.queue import queue_due
from webapp.extensions import db

announcements_cli = AppGroup("announcements", help="Agenda mails and change notices.")


@announcements_cli.command("queue")
def queue() -> None:
    """Queue the agenda mail of every meeting due within its series' HOURS (each once)."""
    try:
        done = queue_due(clock.now())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for slug, day, count in done.agendas:
        click.echo(f"queued the agenda of {slug} {day} to {count} address(es)")
    if done.copies:
        click.echo(f"and {done.copies} personal copy(ies) to subscribers")
    if not done.agendas:
        click.echo("nothing due" + (f" ({done.already} already queued)" if done.already else ""))
