"""Command-line interface: ``flask users …``, ``flask demo load``, ``flask series …``.

Areas add their own groups in ``register``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from webapp import audit
from webapp.auth import services
from webapp.extensions import db
from webapp.models import ROLE_VALUES

users = AppGroup("users", help="Organizer accounts.")


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _user_or_fail(email: str):  # type: ignore[no-untyped-def]
    user = services.find_user(email)
    if user is None:
        _fail(f"no account for {email}")
    return user


@users.command("create")
@click.argument("email")
@click.option(
    "--role", "roles", multiple=True, type=click.Choice(ROLE_VALUES), help="Repeat for several."
)
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, roles: tuple[str, ...], name: str, password_stdin: bool) -> None:
    """Create an account; asks for its password unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, password, set(roles), audit.CLI, name=name)
    except services.AccountError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"created {user.email} with roles: {', '.join(sorted(user.roles)) or '(none)'}")


@users.command("list")
def users_list() -> None:
    """List accounts with their roles and state."""
    for user in services.list_users():
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{','.join(sorted(user.roles)) or '-'}\t{state}")


@users.command("set-role")
@click.argument("email")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLE_VALUES), required=True)
def users_set_role(email: str, roles: tuple[str, ...]) -> None:
    """Replace an account's roles with the ones given."""
    user = _user_or_fail(email)
    services.set_roles(user, set(roles), audit.CLI)
    db.session.commit()
    click.echo(f"{user.email}: {', '.join(sorted(user.roles))}")


@users.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Stop an account from signing in (its history stays)."""
    user = _user_or_fail(email)
    services.set_active(user, False, audit.CLI)
    db.session.commit()
    click.echo(f"{user.email} deactivated")


@users.command("activate")
@click.argument("email")
def users_activate(email: str) -> None:
    """Let a deactivated account sign in again."""
    user = _user_or_fail(email)
    services.set_active(user, True, audit.CLI)
    db.session.commit()
    click.echo(f"{user.email} activated")


@users.command("sign-out")
@click.argument("email")
def users_sign_out(email: str) -> None:
    """End every sign-in of an account, on every device (its password stays)."""
    from webapp import clock
    from webapp.auth import signins

    user = _user_or_fail(email)
    signins.revoke_all(user.id, clock.now())
    audit.record(audit.CLI, "user.sign_out_everywhere", "user", user.id, user.email)
    db.session.commit()
    click.echo(f"{user.email}: signed out everywhere")


demo = AppGroup("demo", help="Demo data for trying Cadence out.")


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has accounts.")
def demo_load(if_empty: bool) -> None:
    """Load the demo community: an admin account and every area's demo content."""
    from webapp import demo as demo_data

    if demo_data.has_data():
        if if_empty:
            click.echo("demo: the database already has data; nothing loaded")
            return
        _fail("the database already has data; demo data goes into an empty database")
    password = demo_data.load()
    db.session.commit()
    click.echo("demo: loaded. Sign in at /login as admin@example.org with password:")
    click.echo(f"    {password}")
    click.echo("(shown once; change it under Account > Password)")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write every record to FILE (versioned JSON; see webapp/backup.py)."""
    from webapp import backup

    try:
        counts = backup.write(file)
    except backup.BackupError as exc:
        _fail(str(exc))
    click.echo(f"backup: wrote {sum(counts.values())} rows from {len(counts)} tables to {file}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Load a backup FILE into this empty, migrated database."""
    from webapp import backup

    try:
        counts = backup.restore(backup.read(file))
    except backup.BackupError as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    click.echo(f"restore: loaded {sum(counts.values())} rows into {len(counts)} tables from {file}")


markdown_cli = AppGroup("markdown", help="Markdown stored as HTML.")


@markdown_cli.command("render")
def markdown_render() -> None:
    """Render every stored Markdown text again (after an upgrade of Cadence or a change of
    REFERENCE_PATTERNS in the config; saving a text or the settings' patterns does it anyway)."""
    from webapp import stored_html
    from webapp.markdown import configured_patterns

    count = stored_html.render_all(db.session(), configured_patterns())
    db.session.commit()
    click.echo(f"rendered {count} texts")


def register(app: Flask) -> None:
    from webapp.announcements.cli import announcements_cli
    from webapp.cfp.cli import conference, outbox
    from webapp.meetings.cli import series_cli
    from webapp.minutes.cli import minutes_cli, people_cli

    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(series_cli)
    app.cli.add_command(minutes_cli)
    app.cli.add_command(people_cli)
    app.cli.add_command(conference)
    app.cli.add_command(outbox)
    app.cli.add_command(markdown_cli)
    app.cli.add_command(announcements_cli)
