"""``flask minutes import`` and ``flask minutes export``."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp import audit
from webapp.extensions import db
from webapp.minutes import exporter, importer

minutes_cli = AppGroup("minutes", help="Minutes: import from and export to Markdown files.")


def _where(path: str, line: int) -> str:
    return f"{path}:{line}" if line else path


@minutes_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--series", "series_slug", help="Series slug (else the file's front matter 'series:')."
)
@click.option(
    "--date", "day", help="Meeting date YYYY-MM-DD (one file only); else front matter or file name."
)
@click.option(
    "--state",
    type=click.Choice(["draft", "published"]),
    default="published",
    show_default=True,
    help="State for files whose front matter does not say.",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
def minutes_import(
    paths: tuple[Path, ...], series_slug: str | None, day: str | None, state: str, dry_run: bool
) -> None:
    """Import Markdown minutes. Each file is one transaction; exit status 1 if any file failed."""
    meeting_day: date | None = None
    if day is not None:
        try:
            meeting_day = date.fromisoformat(day)
        except ValueError:
            raise click.ClickException(
                f"--date {day!r} is not a date in the form YYYY-MM-DD"
            ) from None
        if len(paths) > 1:
            raise click.ClickException("--date names one meeting: give it with one file only")
    failed = 0
    lines: list[tuple[bool, str]] = []
    now = datetime.now(UTC)

    def one(path: Path) -> None:
        nonlocal failed
        shown = str(path)
        try:
            text = importer.read_text(path)
            outcome = importer.import_text(
                text, shown, series_slug, audit.CLI, now, day=meeting_day, default_state=state
            )
        except importer.ImportProblem as exc:
            db.session.rollback()
            failed += 1
            lines.append((True, f"{_where(shown, exc.line)}: {exc}"))
            return
        for line, warning in outcome.warnings:
            lines.append((True, f"{_where(shown, line)}: warning: {warning}"))
        if dry_run:
            db.session.rollback()
            lines.append(
                (
                    False,
                    f"{shown}: would be {outcome.summary}"
                    if outcome.kind != "unchanged"
                    else f"{shown}: {outcome.summary}",
                )
            )
        else:
            db.session.commit()
            lines.append((False, f"{shown}: {outcome.summary}"))

    if len(paths) > 1:
        with click.progressbar(paths, label="importing", file=sys.stderr) as bar:
            for path in bar:
                one(path)
    else:
        one(paths[0])
    for to_stderr, text in lines:
        click.echo(text, err=to_stderr)
    if dry_run:
        click.echo("dry run: nothing was written")
    if failed:
        click.echo(f"{failed} of {len(paths)} file(s) not imported", err=True)
        sys.exit(1)


@minutes_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--series", "series_slug", help="Only this series.")
def minutes_export(directory: Path, series_slug: str | None) -> None:
    """Write DIR/<series>/<YYYY-MM-DD>.md per meeting and DIR/index.md (deterministic)."""
    if series_slug:
        from webapp.meetings import services as meetings
        from webapp.meetings.schedule import ScheduleError

        try:
            meetings.get_series(series_slug)
        except ScheduleError as exc:
            raise click.ClickException(str(exc)) from None
    meetings_written, changed = exporter.export(directory, series_slug)
    click.echo(
        f"exported {len(meetings_written)} meeting(s) to {directory}; {len(changed)} file(s) changed"
    )
