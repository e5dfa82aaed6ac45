"""Write every meeting's minutes as Markdown files with front matter, for a Git repository.

``DIR/<series>/<YYYY-MM-DD>.md`` per meeting that has minutes, follow-ups or reviews
(``<YYYY-MM-DD>-<suffix>.md``, front matter ``suffix``, for a second meeting that day), and
``DIR/index.md``. Extra and cancelled meetings are exported too (front matter ``extra`` and
``cancelled``), so that importing the export with ``--add-missing`` into a database with the
same series recreates them. The output depends on the data only (sorted keys, no export time), so
exporting twice gives the same bytes and a commit shows only real changes. Emails are never
written: the export is meant to be published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from webapp.extensions import db
from webapp.minutes import frontmatter
from webapp.minutes.grammar import format_attendee
from webapp.minutes.services.records import absent_lines, attendee_lines
from webapp.models import FollowUp, Minutes, Occurrence, OccurrenceStatus, Person, Review, Series


@dataclass(frozen=True)
class ExportedMeeting:
    series: str
    day: str
    state: str
    attendees: int
    follow_ups: int
    path: str
    text: str


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _person(person: Person | None) -> str | None:
    """A person as an attendee line reads them back: ``Name @handle``."""
    return format_attendee(person.name, person.handle, "") if person is not None else None


def _occurrence_fields(series: Series, occ: Occurrence) -> dict[str, Any]:
    """What a re-import needs to recreate the meeting: an extra meeting's start, a cancellation,
    a move."""
    fields: dict[str, Any] = {}
    if occ.status == OccurrenceStatus.CANCELLED:
        fields["cancelled"] = occ.cancel_reason
    if occ.status == OccurrenceStatus.MOVED and occ.start_at is not None:
        local = occ.start_at.astimezone(ZoneInfo(series.timezone))
        fields["moved"] = {
            "start": local.strftime("%Y-%m-%d %H:%M"),
            "duration": occ.duration_minutes,
        }
    extra = occ.status == OccurrenceStatus.EXTRA or (
        occ.status == OccurrenceStatus.CANCELLED and occ.start_at is not None
    )
    if extra and occ.start_at is not None:
        local = occ.start_at.astimezone(ZoneInfo(series.timezone))
        fields["extra"] = {
            "start": local.strftime("%H:%M"),
            "duration": occ.duration_minutes,
            "title": occ.title,
        }
    return fields


def meeting_text(series: Series, occ: Occurrence) -> tuple[str, dict[str, Any]]:
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.occurrence_id == occ.id))
    follow_ups = db.session.scalars(
        sa.select(FollowUp).where(FollowUp.raised_occurrence_id == occ.id).order_by(FollowUp.id)
    ).all()
    reviews = db.session.scalars(
        sa.select(Review)
        .where(Review.listed_occurrence_id == occ.id)
        .order_by(Review.position, Review.id)
    ).all()
    data: dict[str, Any] = {
        "series": series.slug,
        "date": occ.original_date.isoformat(),
        **({"suffix": occ.suffix} if occ.suffix else {}),
        "state": minutes.state if minutes else "none",
        "follow_ups": [
            {
                "owner": _person(f.owner),
                "text": f.text,
                "state": f.state,
                "due": _date(f.due_date),
                "closed": _date(f.closed_at.original_date if f.closed_at else None),
                **({"note": f.close_note} if f.close_note else {}),
            }
            for f in follow_ups
        ],
        "reviews": [
            {
                "url": r.url,
                "title": r.title,
                "state": r.state,
                "position": r.position,
                "author": _person(r.author),
                "parent": r.parent.url if r.parent else None,
            }
            for r in reviews
        ],
    }
    data.update(_occurrence_fields(series, occ))
    notes = ""
    if minutes is not None:
        data["attendees"] = attendee_lines(minutes)
        if minutes.absent_rows:
            data["absent"] = absent_lines(minutes)
        data["decisions"] = minutes.decision_list
        if minutes.next_meeting is not None:
            data["next_meeting"] = minutes.next_meeting.isoformat()
        notes = minutes.notes
    text = frontmatter.dump(data)
    if notes:
        text += "\n" + notes
    return text, data


def collect(series_slug: str | None = None) -> list[ExportedMeeting]:
    query = sa.select(Series).order_by(Series.slug)
    if series_slug:
        query = query.where(Series.slug == series_slug)
    out = []
    for series in db.session.scalars(query):
        for occ in sorted(series.occurrences, key=lambda o: (o.original_date, o.suffix)):
            if not _worth_exporting(occ):
                continue
            text, data = meeting_text(series, occ)
            out.append(
                ExportedMeeting(
                    series=series.slug,
                    day=occ.key,
                    state=data["state"],
                    attendees=len(data.get("attendees", [])),
                    follow_ups=len(data["follow_ups"]),
                    path=f"{series.slug}/{occ.key}.md",
                    text=text,
                )
            )
    return out


def _worth_exporting(occ: Occurrence) -> bool:
    if occ.status != OccurrenceStatus.SCHEDULED:  # cancelled, moved, extra
        return True
    return any(
        db.session.scalar(q.limit(1)) is not None
        for q in (
            sa.select(Minutes.id).where(Minutes.occurrence_id == occ.id),
            sa.select(FollowUp.id).where(FollowUp.raised_occurrence_id == occ.id),
            sa.select(Review.id).where(Review.listed_occurrence_id == occ.id),
        )
    )


def index_text(meetings: list[ExportedMeeting], titles: dict[str, str]) -> str:
    lines = ["# Minutes", ""]
    current = None
    for m in meetings:
        if m.series != current:
            if current is not None:
                lines.append("")
            lines += [f"## {titles.get(m.series, m.series)} (`{m.series}`)", ""]
            current = m.series
        state = "no minutes" if m.state == "none" else m.state
        lines.append(
            f"- [{m.day}]({m.path}): {state}, {m.attendees} attendees, "
            f"{m.follow_ups} follow-ups raised"
        )
    if not meetings:
        lines.append("No minutes yet.")
    return "\n".join(lines) + "\n"


def export(
    directory: Path, series_slug: str | None = None
) -> tuple[list[ExportedMeeting], list[Path]]:
    """Write the files; returns what was exported and the paths whose content changed."""
    meetings = collect(series_slug)
    titles = {s.slug: s.title for s in db.session.scalars(sa.select(Series))}
    files = {m.path: m.text for m in meetings}
    files["index.md"] = index_text(meetings, titles)
    changed = []
    for relative, text in sorted(files.items()):
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            changed.append(path)
    return meetings, changed


__all__ = ["collect", "export"]
