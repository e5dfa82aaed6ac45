"""The shared notes become minutes revisions: when typing pauses, on Save, on Publish; and text
saved elsewhere (the no-JS form, an import) enters the shared notes as an update."""

from __future__ import annotations

import difflib
from datetime import datetime

import sqlalchemy as sa
from flask import has_app_context
from pycrdt import Doc

from webapp import audit
from webapp.extensions import db
from webapp.live import store
from webapp.live.store import DOCS, Stored
from webapp.minutes import grammar
from webapp.minutes import services as svc
from webapp.minutes.services.matching import PeopleIndex
from webapp.minutes.services.people import person_of_attendee
from webapp.models import Minutes, MinutesState


def typed_by(names: list[str]) -> str:
    return "typed by " + ", ".join(names) if names else "no one typed"


def snapshot(
    minutes: Minutes,
    actor: audit.Actor | None,
    now: datetime,
    *,
    publish: bool = False,
    how: str = "saved on the call page",
    report: svc.SyncReport | None = None,
) -> int | None:
    """Save the stored shared text as a revision (flushes; the caller commits). None when the
    text and state are those of the latest revision: nothing is saved then. Reads in the
    session's own transaction (a second SQLite connection could wait on its write lock)."""
    conn = db.session.connection()
    loaded = store.load(conn, minutes.id)
    if loaded is None:
        return None
    names = store.typists(conn, minutes.id, loaded.revised_seq)
    data = fields_of(minutes, store.text_of(loaded.doc()), publish)
    mark = sa.update(DOCS).where(DOCS.c.minutes_id == minutes.id)
    if data is None:
        db.session.execute(mark.values(revised_seq=loaded.max_seq))
        return None
    if actor is None:  # an automatic revision: those who typed made it
        actor = audit.Actor(label=("live notes " + typed_by(names))[:254])
    summary = f"{how}; notes {typed_by(names)}"
    svc.save_minutes(minutes, minutes.version, data, actor, now, summary=summary, report=report)
    db.session.execute(mark.values(revised_seq=loaded.max_seq, revised_at=now))
    return minutes.version


def fields_of(minutes: Minutes, text: str, publish: bool) -> svc.MinutesInput | None:
    """What a revision of the shared ``text`` saves, read with the minutes grammar as the
    importer reads a file: the people the attendance block (``Attendees:``) names who are known
    join the attendees; a name nobody has is never created here nor lost: the notes keep an
    ``Attendees:`` line with those names (``pending_line``) until the scribe adds them in the call
    page's attendee panel (which creates the person); ``Decision:`` lines join the decisions;
    task lines become follow-ups when ``save_minutes`` syncs them. Attendees and decisions
    entered in the panels are kept. None when nothing would change."""
    reading = grammar.read_minutes(text)
    notes = svc.clean_text(reading.notes)
    decisions = list(minutes.decision_list)
    decisions += [d for d in reading.decisions if d.strip() and d.strip() not in decisions]
    present = svc.attendee_lines(minutes)
    there = {row.person_id for row in minutes.present_rows}
    index = PeopleIndex()
    unknown: list[grammar.Attendee] = []
    for attendee in reading.attendees:
        person = person_of_attendee(attendee.name, attendee.handle, index)
        if person is None:
            unknown.append(attendee)
        elif person.id not in there:
            there.add(person.id)
            present.append(grammar.format_attendee(person.name, person.handle, attendee.role))
    if unknown:
        notes = svc.clean_text(pending_line(unknown) + "\n\n" + notes)
    state = MinutesState.PUBLISHED if publish else minutes.state
    unchanged = (
        notes == minutes.notes
        and svc.clean_lines("\n".join(decisions)) == minutes.decisions
        and len(present) == len(minutes.present_rows)
        and state == minutes.state
    )
    if unchanged:
        return None
    return svc.MinutesInput(
        notes=notes,
        decisions="\n".join(decisions),
        attendees=present,
        state=state,
        absent=svc.absent_lines(minutes),
    )


def pending_line(names: list[grammar.Attendee]) -> str:
    """The ``Attendees:`` line the notes keep for names that match no one yet."""
    shown = (grammar.format_attendee(a.name, a.handle, a.role) for a in names)
    return "Attendees: " + ", ".join(shown)


def _utf8(text: str, index: int) -> int:
    """pycrdt indexes text by UTF-8 bytes."""
    return len(text[:index].encode("utf-8"))


def apply_diff(doc: Doc, new_text: str) -> None:
    """Change ``doc``'s notes into ``new_text`` by the edits of a line diff, so that a merge
    with concurrent typing keeps everyone's words outside the lines changed here."""
    notes = store.notes_of(doc)
    old = str(notes)
    old_lines, new_lines = old.splitlines(keepends=True), new_text.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    starts = [0]
    for line in old_lines:
        starts.append(starts[-1] + len(line))
    new_starts = [0]
    for line in new_lines:
        new_starts.append(new_starts[-1] + len(line))
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        a, b = starts[i1], starts[i2]
        insert = new_text[new_starts[j1] : new_starts[j2]]
        removed = old[a:b]
        keep = len(_common_prefix(removed, insert))
        tail = len(_common_prefix(removed[keep:][::-1], insert[keep:][::-1]))
        a_cut, b_cut = a + keep, b - tail
        if b_cut > a_cut:
            del notes[_utf8(old, a_cut) : _utf8(old, b_cut)]
        middle = insert[keep : len(insert) - tail]
        if middle:
            notes.insert(_utf8(old, a_cut), middle)


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def form_update(base_state: bytes | None, current: Doc, new_text: str) -> bytes:
    """The update turning what a form showed (``base_state``, or the current doc) into
    ``new_text``; applied to the current doc it merges with what was typed since."""
    base: Doc = Doc()
    base.apply_update(base_state if base_state else current.get_update())
    before = base.get_state()
    apply_diff(base, new_text)
    return base.get_update(before)


def enter_text(
    minutes: Minutes, new_text: str, actor: audit.Actor, base: bytes | None
) -> str | None:
    """Put ``new_text`` (saved by a form or an import) into the shared notes as an update, in
    the caller's transaction. Returns the merged text, or None when the minutes have no shared
    notes yet (the text then goes into the minutes as before)."""
    loaded = store.load(db.session.connection(), minutes.id)
    if loaded is None:
        return None
    current = loaded.doc()
    update = form_update(base, current, new_text)
    if update != store.EMPTY:
        current.apply_update(update)
        item = Stored(minutes.id, update, actor.user_id, actor.label)
        store.insert_updates(db.session.connection(), [item])
        pending: list[Stored] = db.session.info.setdefault("live_updates", [])
        pending.append(item)
    return store.text_of(current)


def announce_committed() -> None:
    """After the request's commit: send the updates it stored to everyone."""
    if not has_app_context():
        return
    items: list[Stored] = db.session.info.pop("live_updates", [])
    if items:
        from webapp.live.service import service

        live = service()
        live.fanout.stored_elsewhere(items)
        live.after_commit(items)
