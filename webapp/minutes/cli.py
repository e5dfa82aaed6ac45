"""``flask minutes import`` and ``flask minutes export``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp import audit, clock, dates
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import exporter, importer
from webapp.minutes.importer import files

minutes_cli = AppGroup("minutes", help="Minutes: import from and export to Markdown files.")


def _where(path: str, line: int) -> str:
    return f"{path}:{line}" if line else path


@dataclass
class _Run:
    """One ``flask minutes import``: its options and what it has to say."""

    series_slug: str | None
    day: date | None
    state: str
    dry_run: bool
    add_missing: bool
    failed: int = 0
    skipped: int = 0
    lines: list[tuple[bool, str]] = field(default_factory=list)
    #: New people already named by an earlier file of a dry run (each is named once).
    announced: set[str] = field(default_factory=set)

    def problems(self, shown: str, problems: list[importer.ImportProblem]) -> None:
        db.session.rollback()
        self.failed += 1
        self.lines += [(True, f"{_where(shown, p.line)}: {p}") for p in problems]

    def one(self, path: Path) -> None:
        """Import one file in its own transaction: all of it, or nothing and every problem."""
        shown = str(path)
        try:
            text = importer.read_text(path)
            parsed = importer.parse(text, shown, day=self.day)
            outcome = importer.apply(
                parsed,
                self.series_slug,
                audit.CLI,
                clock.now(),
                default_state=self.state,
                add_missing=self.add_missing,
            )
        except importer.ImportProblems as exc:
            return self.problems(shown, exc.problems)
        except importer.NoMeetingDate as exc:
            if not files.not_minutes(shown):
                return self.problems(shown, [exc])
            db.session.rollback()
            self.skipped += 1
            self.lines.append((True, f"{shown}: skipped: not minutes (no meeting date)"))
            return None
        except importer.ImportProblem as exc:
            return self.problems(shown, [exc])
        for line, warning in outcome.warnings:
            self.lines.append((True, f"{_where(shown, line)}: warning: {warning}"))
        if self.dry_run:
            db.session.rollback()
            said = outcome.line(self.announced)
            would = f"would be {said}" if outcome.kind != "unchanged" else said
            self.lines.append((False, f"{shown}: {would}"))
        else:
            db.session.commit()  # one transaction per file, as documented
            self.lines.append((False, f"{shown}: {outcome.line()}"))
        return None


def _meeting_order(path: Path) -> date:
    """Files are imported in the order of their meetings (a later one closes earlier follow-ups);
    files without a date in their name keep their place at the end."""
    try:
        return files.date_from_name(path.name) or date.max
    except ValueError:
        return date.max


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
@click.option(
    "--add-missing",
    is_flag=True,
    help="Archive mode: a file whose date is not a meeting of the series adds an extra meeting.",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
def minutes_import(
    paths: tuple[Path, ...],
    series_slug: str | None,
    day: str | None,
    state: str,
    add_missing: bool,
    dry_run: bool,
) -> None:
    """Import Markdown minutes. Each file is one transaction; exit status 1 if any file failed."""
    meeting_day: date | None = None
    if day is not None:
        if len(paths) > 1:
            raise click.ClickException(
                f"--date names one meeting, but {len(paths)} files were given: each file is "
                "one meeting, so give --date with one file only (or date the files by name)"
            )
        try:
            meeting_day = dates.parse_day(day, "--date")
        except ValueError as exc:
            raise click.ClickException(f"--date: {exc}") from None
    run = _Run(series_slug, meeting_day, state, dry_run, add_missing)
    paths = tuple(sorted(paths, key=_meeting_order))
    if len(paths) > 1:
        with click.progressbar(paths, label="importing", file=sys.stderr) as bar:
            for path in bar:
                run.one(path)
    else:
        run.one(paths[0])
    for to_stderr, text in run.lines:
        click.echo(text, err=to_stderr)
    if dry_run:
        click.echo("dry run: nothing was written")
    if run.failed:
        click.echo(f"{run.failed} of {len(paths)} file(s) not imported", err=True)
        sys.exit(1)


@minutes_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--series", "series_slug", help="Only this series.")
def minutes_export(directory: Path, series_slug: str | None) -> None:
    """Write DIR/<series>/<YYYY-MM-DD>.md per meeting and DIR/index.md (deterministic)."""
    if series_slug:
        try:
            meetings.get_series(series_slug)
        except ScheduleError as exc:
            raise click.ClickException(str(exc)) from None
    meetings_written, changed = exporter.export(directory, series_slug)
    click.echo(
        f"exported {len(meetings_written)} meeting(s) to {directory}; "
        f"{len(changed)} file(s) changed"
    )
