"""Demo minutes: the bhyve call of 2019-02-07 as its scribe wrote it, a few follow-ups carried
from it, and a small review stack, so a newcomer sees real minutes."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import sqlalchemy as sa

from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import importer
from webapp.minutes import services as svc
from webapp.models import Person, Series

DEMO = audit.Actor(label="demo")
MINUTES_DIR = Path(__file__).resolve().parent / "demo_minutes"
MEETING = date(2019, 2, 7)


def _series() -> Series:
    """The meetings demo makes the bhyve series; until it is merged, make it here when missing."""
    series = db.session.scalar(sa.select(Series).where(Series.slug == "bhyve"))
    if series is None:
        series = meetings.create_series(
            "bhyve",
            meetings.SeriesDetails(
                title="bhyve bi-weekly call",
                description="The bhyve hypervisor community's call.",
                agenda_template=(
                    "1. Roll call\n2. Follow-ups from earlier calls\n"
                    "3. Reviews, in priority order\n4. Interrupt requests"
                ),
            ),
            "America/New_York",
            date(2019, 1, 24),
            time(16),
            60,
            DEMO,
        )
    return series


def _attendee(name: str) -> Person:
    person = svc.find_person(name)
    if person is None:  # pragma: no cover - they attended the imported call
        raise LookupError(f"the demo minutes do not list {name}")
    return person


def load(now: datetime) -> None:
    series = _series()
    text = (MINUTES_DIR / "2019-02-07.md").read_text(encoding="utf-8")
    importer.import_text(
        text, "2019-02-07.md", series.slug, DEMO, now, day=MEETING, default_state="published"
    )

    john, rod, elena, patrick = (
        _attendee(n) for n in ("John Baldwin", "Rod Grimes", "Elena Mihailescu", "Patrick Mooney")
    )
    john.aliases, patrick.aliases, rod.aliases = "John, jhb", "Patrick", "Rod"
    elena.affiliation = "Politehnica University of Bucharest"

    svc.add_follow_up(series, MEETING, john, "review VM_MAXCPU", DEMO)
    svc.add_follow_up(
        series, MEETING, elena, "try the vm_page dirty-bit approach for live migration", DEMO
    )
    found = svc.add_follow_up(
        series, MEETING, rod, "find the Bug 229852 reviews and add them to the review list", DEMO
    )
    svc.set_follow_up_state(found, "done", series, date(2019, 2, 21), DEMO)

    top = svc.add_review(
        series,
        MEETING,
        "https://reviews.freebsd.org/D18755",
        "VM_MAXCPU: raise the vCPU limit (demo)",
        DEMO,
        author=rod,
    )
    svc.add_review(
        series,
        MEETING,
        "https://reviews.freebsd.org/D18756",
        "bhyve: more than 21 vCPUs in ACPI tables (demo)",
        DEMO,
        author=rod,
        parent=top,
    )
    svc.add_review(
        series,
        MEETING,
        "https://reviews.freebsd.org/D18900",
        "vmm: APIC fix (demo)",
        DEMO,
        author=patrick,
    )
    db.session.flush()
