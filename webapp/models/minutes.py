"""People, minutes (with revisions), follow-ups, the review queue and agenda items.

Everything here hangs on an occurrence row (``webapp.models.Occurrence``): the meeting it was
written at, raised at, closed at or listed for. ``Minutes.version`` guards against lost updates:
a save names the version it started from and is refused when another save came first.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, TimestampMixin, utcnow
from webapp.models.meetings import Occurrence


class MinutesState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class FollowUpState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class ReviewState(enum.StrEnum):
    OPEN = "open"
    LANDED = "landed"
    ABANDONED = "abandoned"


MINUTES_STATES = tuple(s.value for s in MinutesState)
FOLLOW_UP_STATES = tuple(s.value for s in FollowUpState)
REVIEW_STATES = tuple(s.value for s in ReviewState)


class Person(TimestampMixin, Base):
    """A participant of the calls. Not an account: most participants never sign in."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The display name. Two people may share one when their handles differ.
    name: Mapped[str] = mapped_column(sa.String(120), index=True)
    #: The short name the community uses (an IRC or forge login: ``jhb``), without ``@``.
    handle: Mapped[str | None] = mapped_column(sa.String(60), unique=True)
    #: Never shown publicly, never exported.
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    affiliation: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Other names the notes use for this person (a first name, a handle), comma-separated.
    aliases: Mapped[str] = mapped_column(sa.String(500), default="")

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split(",") if a.strip()]

    def __repr__(self) -> str:
        return f"<Person {self.name}>"


class Minutes(TimestampMixin, Base):
    __tablename__ = "minutes"
    __table_args__ = (
        sa.CheckConstraint(sa.column("state").in_(MINUTES_STATES), name="state_known"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("occurrences.id", ondelete="CASCADE"), unique=True
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: ``notes`` as HTML, rendered when they are saved (``webapp.stored_html``).
    notes_html: Mapped[str | None] = mapped_column(sa.Text)
    #: One decision per line.
    decisions: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(10), default=MinutesState.DRAFT)
    #: Bumped by every save; a save is refused unless it names the current version.
    version: Mapped[int] = mapped_column(default=1)
    #: SHA-256 of the imported file, so importing it again changes nothing.
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    #: "Next meeting: …" as the minutes say it, resolved to a date.
    next_meeting: Mapped[date | None]
    published_at: Mapped[datetime | None]
    updated_by: Mapped[str] = mapped_column(sa.String(254), default="")
    #: Who attended, as search finds them: each attendee's name and handle ("Allan Jude
    #: allanjude"). Kept current on every flush (``keep_attendee_names`` below).
    attendee_names: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    occurrence: Mapped[Occurrence] = relationship(lazy="joined")
    attendee_rows: Mapped[list[MinutesAttendee]] = relationship(
        back_populates="minutes",
        cascade="all, delete-orphan",
        order_by="MinutesAttendee.position",
        lazy="selectin",
    )
    revisions: Mapped[list[MinutesRevision]] = relationship(
        back_populates="minutes",
        cascade="all, delete-orphan",
        order_by="MinutesRevision.version",
        lazy="select",
    )

    @property
    def attendees(self) -> list[Person]:
        """Who was there (not the absentees)."""
        return [row.person for row in self.attendee_rows if not row.absent]

    @property
    def present_rows(self) -> list[MinutesAttendee]:
        return [row for row in self.attendee_rows if not row.absent]

    @property
    def absent_rows(self) -> list[MinutesAttendee]:
        """Absentees and regrets: listed, not attending."""
        return [row for row in self.attendee_rows if row.absent]

    @property
    def decision_list(self) -> list[str]:
        return [d.strip() for d in self.decisions.splitlines() if d.strip()]

    @property
    def published(self) -> bool:
        return self.state == MinutesState.PUBLISHED


class MinutesAttendee(Base):
    __tablename__ = "minutes_attendees"

    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)
    #: The person's role or affiliation at that meeting, as the minutes say it ("TSC").
    role: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    #: Listed as absent or sending regrets, not attending.
    absent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    minutes: Mapped[Minutes] = relationship(back_populates="attendee_rows")
    person: Mapped[Person] = relationship(lazy="joined")


class MinutesRevision(Base):
    """The full text of the minutes after one save: nothing typed is ever overwritten."""

    __tablename__ = "minutes_revisions"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(254))
    state: Mapped[str] = mapped_column(sa.String(10))
    notes: Mapped[str] = mapped_column(sa.Text)
    decisions: Mapped[str] = mapped_column(sa.Text)
    #: Attendee names, one per line.
    attendees: Mapped[str] = mapped_column(sa.Text)
    summary: Mapped[str] = mapped_column(sa.String(500), default="")

    minutes: Mapped[Minutes] = relationship(back_populates="revisions")


class FollowUp(TimestampMixin, Base):
    """Something a person said they would do, raised at one meeting and closed at another."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.CheckConstraint(sa.column("state").in_(FOLLOW_UP_STATES), name="state_known"),
        sa.CheckConstraint(
            "(state = 'open' AND closed_occurrence_id IS NULL) "
            "OR (state != 'open' AND closed_occurrence_id IS NOT NULL)",
            name="closed_when_not_open",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("series.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.String(1000))
    #: None when the minutes did not say who would do it.
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    raised_occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )
    #: A due date; a meeting date when it is due at a meeting.
    due_date: Mapped[date | None]
    state: Mapped[str] = mapped_column(sa.String(10), default=FollowUpState.OPEN)
    closed_occurrence_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )
    #: Which task line of its meeting's minutes raised it (0, 1, …): with the meeting, its
    #: identity when the minutes are saved or imported again. None when added by hand.
    raised_line: Mapped[int | None]
    #: Which task line of the closing meeting's minutes closed it (``DONE:``, ``- [x]``).
    closed_line: Mapped[int | None]
    #: Why it was closed, when no line said so ("closed in the archive").
    close_note: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")

    owner: Mapped[Person | None] = relationship(lazy="joined")
    raised_at: Mapped[Occurrence] = relationship(foreign_keys=[raised_occurrence_id], lazy="joined")
    closed_at: Mapped[Occurrence | None] = relationship(
        foreign_keys=[closed_occurrence_id], lazy="joined"
    )


class Review(TimestampMixin, Base):
    """A code review someone wants looked at, in the series' queue (priority = ``position``)."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.CheckConstraint(sa.column("state").in_(REVIEW_STATES), name="state_known"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id != id", name="not_own_parent"),
        sa.UniqueConstraint("series_id", "url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("series.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(sa.String(500))
    title: Mapped[str] = mapped_column(sa.String(300))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(10), default=ReviewState.OPEN)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="SET NULL"), index=True
    )
    #: Priority among its siblings: lower comes first.
    position: Mapped[int] = mapped_column(default=0)
    #: The meeting it was first listed for.
    listed_occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )

    author: Mapped[Person | None] = relationship(lazy="joined")
    parent: Mapped[Review | None] = relationship(remote_side=[id], lazy="select")
    listed_at: Mapped[Occurrence] = relationship(lazy="joined")


class AgendaItem(TimestampMixin, Base):
    """Something an organizer put on one meeting's agenda."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.String(1000))
    text_html: Mapped[str | None] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)
    added_by: Mapped[str] = mapped_column(sa.String(254), default="")


class ImportRun(Base):
    """One ``flask minutes import``: what it was asked, and (in ``ImportChange``) what it did,
    so that ``flask minutes undo-import RUN`` can take it back."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(254), default="")
    #: The options and how many files.
    command: Mapped[str] = mapped_column(sa.String(1000), default="")
    summary: Mapped[str] = mapped_column(sa.String(1000), default="")
    undone_at: Mapped[datetime | None]


class ImportChange(Base):
    """One row an import created, changed or deleted; ``before`` is its columns before (JSON)."""

    __tablename__ = "import_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("import_runs.id", ondelete="CASCADE"), index=True
    )
    table_name: Mapped[str] = mapped_column(sa.String(60))
    #: The primary key as a JSON list.
    row_key: Mapped[str] = mapped_column(sa.String(200))
    #: created, changed or deleted.
    action: Mapped[str] = mapped_column(sa.String(10))
    before: Mapped[str] = mapped_column(sa.Text, default="")


def attendee_names_of(minutes: Minutes) -> str:
    """The text search indexes for ``minutes``' attendees (absentees are not attendees)."""
    parts: list[str] = []
    for row in minutes.attendee_rows:
        if row.absent or row.person is None:
            continue
        parts.append(row.person.name)
        if row.person.handle:
            parts.append(row.person.handle)
    return "\n".join(parts)


def keep_attendee_names(session: sa.orm.Session, _context: object, _instances: object) -> None:
    """Before a flush: refresh ``Minutes.attendee_names`` of every minutes whose attendees, or
    an attendee's name or handle, changed in this flush."""
    touched: set[Minutes] = set()
    renamed: list[int] = []
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Minutes) and obj not in session.deleted:
                touched.add(obj)
            elif isinstance(obj, MinutesAttendee) and obj.minutes is not None:
                touched.add(obj.minutes)
            elif isinstance(obj, Person) and obj.id is not None and obj not in session.new:
                state = sa.inspect(obj)
                if any(state.attrs[key].history.has_changes() for key in ("name", "handle")):
                    renamed.append(obj.id)
        if renamed:
            touched.update(attended_by(session, renamed))
        for minutes in touched:
            if minutes not in session.deleted:
                refresh_attendee_names(minutes)


def attended_by(
    session: sa.orm.Session | sa.orm.scoped_session[Any], person_ids: list[int]
) -> list[Minutes]:
    """The minutes these people attended (for a merge, which moves attendance in bulk)."""
    return list(
        session.scalars(
            sa.select(Minutes)
            .join(MinutesAttendee)
            .where(MinutesAttendee.person_id.in_(person_ids))
        ).unique()
    )


def refresh_attendee_names(minutes: Minutes) -> None:
    names = attendee_names_of(minutes)
    if minutes.attendee_names != names:
        minutes.attendee_names = names


sa.event.listen(sa.orm.Session, "before_flush", keep_attendee_names)
