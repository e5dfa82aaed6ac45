"""``flask minutes import`` and ``flask minutes export``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.orm import SessionTransaction

from webapp import audit, clock, dates
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.meetings.schedule import ScheduleError
from webapp.minutes import exporter, importer
from webapp.minutes import services as svc
from webapp.minutes.importer import files, runs
from webapp.minutes.importer.archive import Imported, close_stale
from webapp.minutes.importer.batch import RunIndexes, kept_loaded
from webapp.minutes.services.suggest import meetings_attended, merge_suggestions
from webapp.minutes.services.task_sync import SyncReport
from webapp.models import ImportRun, Person

minutes_cli = AppGroup("minutes", help="Minutes: import from and export to Markdown files.")


def _where(path: str, line: int) -> str:
    return f"{path}:{line}" if line else path


@dataclass
class _Run:
    """One ``flask minutes import``: its options and what it has to say.

    A real run commits each file (all of it or nothing) and journals what it changes (an import
    run, undone with ``flask minutes undo-import``). A dry run does exactly the same work, each
    file in a savepoint, and rolls everything back at the end: it reports what the real run
    does, people matching included."""

    series_slug: str | None
    day: date | None
    state: str
    dry_run: bool
    add_missing: bool
    archive: bool = False
    #: ``--date 2019-02-07-guests``: a second meeting that day ('' for the date's meeting).
    suffix: str | None = None
    failed: int = 0
    skipped: int = 0
    imported: int = 0
    lines: list[tuple[bool, str]] = field(default_factory=list)
    #: New people already named by an earlier file (each is named once).
    announced: set[str] = field(default_factory=set)
    journal: runs.Journal | None = None
    meetings: Imported = field(default_factory=Imported)
    totals: SyncReport = field(default_factory=SyncReport)
    indexes: RunIndexes = field(default_factory=RunIndexes)

    def _roll_back(self, savepoint: SessionTransaction | None) -> None:
        if savepoint is not None:
            savepoint.rollback()
        else:
            db.session.rollback()
        self.indexes.forget()
        if self.journal is not None:
            self.journal.forget()

    def problems(
        self, shown: str, problems: list[importer.ImportProblem], savepoint: Any = None
    ) -> None:
        self._roll_back(savepoint)
        self.failed += 1
        self.lines += [(True, f"{_where(shown, p.line)}: {p}") for p in problems]

    def _apply(self, path: Path) -> importer.Outcome:
        text = importer.read_text(path)
        parsed = importer.parse(text, str(path), day=self.day, suffix=self.suffix)
        outcome = importer.apply(
            parsed,
            self.series_slug,
            audit.CLI,
            clock.now(),
            default_state=self.state,
            add_missing=self.add_missing or self.archive,
            indexes=self.indexes,
        )
        if outcome.series is not None and parsed.day is not None:
            self.meetings.add(outcome.series, parsed.day, outcome.follow_ups.listed)
        return outcome

    def one(self, path: Path) -> None:
        """Import one file in its own transaction: all of it, or nothing and every problem."""
        shown = str(path)
        savepoint = db.session.begin_nested() if self.dry_run else None
        try:
            outcome = self._apply(path)
        except importer.ImportProblems as exc:
            return self.problems(shown, exc.problems, savepoint)
        except importer.NoMeetingDate as exc:
            if not files.not_minutes(shown):
                return self.problems(shown, [exc], savepoint)
            self._roll_back(savepoint)
            self.skipped += 1
            self.lines.append((True, f"{shown}: skipped: not minutes (no meeting date)"))
            return None
        except importer.ImportProblem as exc:
            return self.problems(shown, [exc], savepoint)
        for line, warning in outcome.warnings:
            self.lines.append((True, f"{_where(shown, line)}: warning: {warning}"))
        self.imported += 1
        self.totals.add(outcome.follow_ups)
        said = outcome.line(self.announced)
        if savepoint is not None:
            savepoint.commit()
            would = f"would be {said}" if outcome.kind != "unchanged" else said
            self.lines.append((False, f"{shown}: {would}"))
        else:
            self._commit()
            self.lines.append((False, f"{shown}: {said}"))
        return None

    def _commit(self) -> None:
        if self.journal is not None:
            self.journal.write()
        db.session.commit()  # one transaction per file, as documented

    def finish(self) -> str:
        """Archive mode's closing, then the run's summary line."""
        closed = close_stale(self.meetings, audit.CLI) if self.archive else 0
        summary = f"total: {self.imported} file(s), {self.totals.text()}"
        if self.archive:
            summary += f"; {closed} closed in the archive"
        if self.journal is not None:
            run = db.session.get(ImportRun, self.journal.run_id)
            assert run is not None  # noqa: S101 - recorded when the run started
            run.summary = summary[:1000]
            self.journal.write()
            if not self.journal.written:
                db.session.delete(run)  # nothing changed: nothing to undo, nothing to keep
            db.session.commit()
            if self.journal.written:
                summary += f"; import run {run.id} (undo: flask minutes undo-import {run.id})"
        return summary


def _meeting_order(path: Path) -> tuple[date, bool]:
    """Files are imported in the order of their meetings (a later one closes earlier follow-ups),
    a name that is only a date before one with more (``2019-02-07.md``, then
    ``2019-02-07-guests.md``); files without a date in their name keep their place at the end."""
    more = any(c.isalpha() for c in path.stem)
    try:
        return files.date_from_name(path.name) or date.max, more
    except ValueError:
        return date.max, more


@minutes_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--series", "series_slug", help="Series slug (else the file's front matter 'series:')."
)
@click.option(
    "--date",
    "day",
    help="Meeting date YYYY-MM-DD, or YYYY-MM-DD-SUFFIX for a second meeting that day (one "
    "file only); else front matter or file name.",
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
@click.option(
    "--archive",
    "archive_mode",
    is_flag=True,
    help="Archive mode (implies --add-missing): afterwards, close the follow-ups the imported "
    "files raised and no later file lists as open, as 'closed in the archive'.",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
def minutes_import(
    paths: tuple[Path, ...],
    series_slug: str | None,
    day: str | None,
    state: str,
    add_missing: bool,
    archive_mode: bool,
    dry_run: bool,
) -> None:
    """Import Markdown minutes. Each file is one transaction; exit status 1 if any file failed."""
    meeting_day: date | None = None
    suffix = ""
    if day is not None:
        if len(paths) > 1:
            raise click.ClickException(
                f"--date names one meeting, but {len(paths)} files were given: each file is "
                "one meeting, so give --date with one file only (or date the files by name)"
            )
        try:
            meeting_day, suffix = dates.parse_meeting(day, "--date")
        except ValueError as exc:
            raise click.ClickException(f"--date: {exc}") from None
    run = _Run(series_slug, meeting_day, state, dry_run, add_missing, archive_mode)
    # ``--date 2019-02-07-guests`` names that meeting; a plain ``--date`` leaves it to the name.
    run.suffix = suffix or None
    paths = tuple(sorted(paths, key=_meeting_order))
    if not dry_run:
        run.journal = runs.start(_command(run, paths), audit.CLI)
        db.session.commit()
    else:
        # pysqlite opens its transaction at the first write, and a SAVEPOINT outside one commits
        # on release: a write of nothing first, so that each file's savepoint nests in the
        # transaction the dry run rolls back at the end (PostgreSQL needs no such help).
        db.session.execute(sa.update(ImportRun).where(sa.false()).values(summary=""))
    try:
        with kept_loaded():
            _each(run, paths)
            summary = run.finish()
    finally:
        runs.stop()
        if dry_run:
            db.session.rollback()
    for to_stderr, text in run.lines:
        click.echo(text, err=to_stderr)
    click.echo(summary)
    if dry_run:
        click.echo("dry run: nothing was written")
    if run.failed:
        click.echo(f"{run.failed} of {len(paths)} file(s) not imported", err=True)
        sys.exit(1)


def _command(run: _Run, paths: tuple[Path, ...]) -> str:
    """What the run was asked, for ``flask minutes import-runs``."""
    options = [f"--series {run.series_slug}"] if run.series_slug else []
    options += ["--archive"] if run.archive else ["--add-missing"] if run.add_missing else []
    where = str(paths[0].parent) if paths else ""
    return f"import {len(paths)} file(s) from {where} {' '.join(options)}".strip()[:1000]


def _each(run: _Run, paths: tuple[Path, ...]) -> None:
    if len(paths) > 1:
        with click.progressbar(paths, label="importing", file=sys.stderr) as bar:
            for path in bar:
                run.one(path)
    else:
        run.one(paths[0])


@minutes_cli.command("undo-import")
@click.argument("run_id", type=int)
def minutes_undo_import(run_id: int) -> None:
    """Undo import run RUN: remove what it created, restore what it changed."""
    try:
        counts = runs.undo(run_id, audit.CLI, clock.now())
    except runs.UndoError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    done = ", ".join(f"{n} rows {what}" for what, n in counts.items())
    click.echo(f"import run {run_id} undone: {done}")


@minutes_cli.command("import-runs")
def minutes_import_runs() -> None:
    """List the import runs (newest first): id, when, what, undone or not."""
    for run in db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc())):
        undone = f" (undone {run.undone_at:%Y-%m-%d %H:%M})" if run.undone_at else ""
        click.echo(
            f"{run.id}\t{run.started_at:%Y-%m-%d %H:%M}\t{run.command}\t{run.summary}{undone}"
        )


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


people_cli = AppGroup("people", help="People named in minutes: list, merge suggestions, merges.")


def _person(text: str) -> Person:
    """A person by id (``#12`` or ``12``), handle (``@jhb``) or name."""
    if text.lstrip("#").isdigit():
        found = db.session.get(Person, int(text.lstrip("#")))
    else:
        found = svc.find_person(text)
    if found is None:
        raise click.ClickException(f"nobody is {text!r} (give an id, @handle or name)")
    return found


@people_cli.command("list")
def people_list() -> None:
    """One line per record: id, name, handle, email known, meetings attended."""
    people = svc.list_people()
    attended = meetings_attended([p.id for p in people])
    for p in people:
        email = "yes" if p.email else "no"
        handle = f"@{p.handle}" if p.handle else "-"
        click.echo(f"{p.id}\t{p.name}\t{handle}\temail: {email}\t{attended.get(p.id, 0)} meetings")


@people_cli.command("suggest")
@click.option("--series", "series_slug", help="Only people of this series.")
def people_suggest(series_slug: str | None) -> None:
    """Records that may be one person (same handle, a name within another, initials)."""
    series = None
    if series_slug:
        try:
            series = meetings.get_series(series_slug)
        except ScheduleError as exc:
            raise click.ClickException(str(exc)) from None
    found = merge_suggestions(series)
    for s in found:
        click.echo(
            f"{s.keep.name} (#{s.keep.id}) <- {s.drop.name} (#{s.drop.id}): {s.reason}; "
            f"flask people merge {s.keep.id} {s.drop.id} --dry-run"
        )
    click.echo(f"{len(found)} suggestion(s)")


@people_cli.command("merge")
@click.argument("keep")
@click.argument("drop")
@click.option("--dry-run", is_flag=True, help="Show what the merge would do; change nothing.")
def people_merge(keep: str, drop: str, dry_run: bool) -> None:
    """Fold DROP into KEEP (ids, @handles or names): attendance, follow-ups, reviews, names."""
    kept, dropped = _person(keep), _person(drop)
    if kept.id == dropped.id:
        raise click.ClickException("KEEP and DROP are the same person")
    for line in svc.merge_preview(kept, dropped).lines():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was changed")
        return
    name = dropped.name
    try:
        svc.merge_people(kept, dropped, audit.CLI)
    except svc.PersonError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"merged {name} into {kept.name}")
