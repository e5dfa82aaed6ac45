"""Merging two people who are one (``jhb`` and ``John Baldwin``), keeping everything of both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.minutes.services.errors import PersonError
from webapp.models import FollowUp, MinutesAttendee, Person, Review, User
from webapp.models.minutes import attended_by, refresh_attendee_names


def _aliases(keep: Person, gone: Person) -> str:
    names = [*keep.alias_list, gone.name, *gone.alias_list]
    if gone.handle and gone.handle != keep.handle:
        names.append(gone.handle)
    seen: set[str] = {keep.name.casefold(), (keep.handle or "").casefold()}
    kept = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return ", ".join(kept)[:500]


def _move_attendance(keep: Person, gone: Person) -> int:
    """``gone``'s attendances become ``keep``'s (once per minutes: both may be listed)."""
    rows = list(
        db.session.scalars(sa.select(MinutesAttendee).where(MinutesAttendee.person_id == gone.id))
    )
    already = set(
        db.session.scalars(
            sa.select(MinutesAttendee.minutes_id).where(MinutesAttendee.person_id == keep.id)
        )
    )
    for row in rows:
        if row.minutes_id in already:
            db.session.delete(row)
        else:
            db.session.execute(
                sa.update(MinutesAttendee)
                .where(
                    MinutesAttendee.minutes_id == row.minutes_id,
                    MinutesAttendee.person_id == gone.id,
                )
                .values(person_id=keep.id)
                .execution_options(synchronize_session=False)
            )
    return len(rows)


@dataclass
class MergePreview:
    """What a merge would move, shown before the scribe confirms it."""

    keep: Person
    gone: Person
    #: Minutes ``gone`` attended (and how many of them list ``keep`` too: one row remains there).
    attendance: int
    shared: int
    follow_ups: int
    reviews: int
    aliases: str
    handle: str | None
    email_moves: bool

    def lines(self) -> list[str]:
        """The same, as text (``flask people merge``)."""
        return [
            f"keep {self.keep.name} (#{self.keep.id}), remove {self.gone.name} (#{self.gone.id})",
            f"attendance moved: {self.attendance - self.shared} "
            f"(both listed at {self.shared} meeting(s): kept once)",
            f"follow-ups moved: {self.follow_ups}; reviews moved: {self.reviews}",
            f"names kept as aliases: {self.aliases or 'none'}",
            f"handle afterwards: {self.handle or 'none'}; email moves: "
            f"{'yes' if self.email_moves else 'no'}",
        ]


def merge_preview(keep: Person, gone: Person) -> MergePreview:
    if keep.id == gone.id:
        raise PersonError("choose two different people to merge")

    def count(query: sa.Select[Any]) -> int:
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0)

    attended = sa.select(MinutesAttendee.minutes_id).where(MinutesAttendee.person_id == gone.id)
    both = attended.where(
        MinutesAttendee.minutes_id.in_(
            sa.select(MinutesAttendee.minutes_id).where(MinutesAttendee.person_id == keep.id)
        )
    )
    return MergePreview(
        keep=keep,
        gone=gone,
        attendance=count(attended),
        shared=count(both),
        follow_ups=count(sa.select(FollowUp.id).where(FollowUp.owner_id == gone.id)),
        reviews=count(sa.select(Review.id).where(Review.author_id == gone.id)),
        aliases=_aliases(keep, gone),
        handle=keep.handle or gone.handle,
        email_moves=bool(gone.email and not keep.email),
    )


def merge_people(keep: Person, gone: Person, actor: audit.Actor) -> Person:
    """``gone`` is folded into ``keep``: attendance, follow-ups, reviews, names (as aliases),
    handle and email when ``keep`` has none. ``gone`` is deleted; the merge is audited."""
    if keep.id == gone.id:
        raise PersonError("choose two different people to merge")
    aliases = _aliases(keep, gone)
    handle = keep.handle or gone.handle
    email = keep.email or gone.email
    affiliation = keep.affiliation or gone.affiliation
    summary = f"merged {gone.name} into {keep.name}"
    attended = _move_attendance(keep, gone)
    db.session.flush()
    follow_ups = db.session.execute(
        sa.update(FollowUp)
        .where(FollowUp.owner_id == gone.id)
        .values(owner_id=keep.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    reviews = db.session.execute(
        sa.update(Review)
        .where(Review.author_id == gone.id)
        .values(author_id=keep.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    changes = {"attendance": attended, "follow_ups": follow_ups, "reviews": reviews}
    # The account linked to ``gone`` (its private feed shows the follow-ups) follows them to
    # ``keep``, unless ``keep`` has an account of its own (one account per person): then unlinked.
    keep_account = db.session.scalar(sa.select(User.id).where(User.person_id == keep.id))
    accounts = db.session.execute(
        sa.update(User)
        .where(User.person_id == gone.id)
        .values(person_id=keep.id if keep_account is None else None)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if accounts:
        changes["account_moved" if keep_account is None else "account_unlinked"] = accounts
    gone_id = gone.id
    db.session.expire_all()  # rows moved behind the session's back: read them again
    db.session.delete(gone)
    db.session.flush()
    keep.aliases, keep.handle, keep.email, keep.affiliation = aliases, handle, email, affiliation
    for minutes in attended_by(db.session, [keep.id]):  # search finds them by the kept name
        refresh_attendee_names(minutes)
    db.session.flush()
    audit.record(actor, "person.merge", "person", keep.id, summary, {**changes, "gone": gone_id})
    return keep
