"""The organizers' preview of the next agenda mail, and the test copy "Send a test to me".

The preview renders the agenda template as it is now with the real context of the series' next
meeting (what the list would get if it were queued now), in the sandbox's child process under
the same budget as every other preview and the worker. The test copy is that message queued to
the organizer alone, through the outbox, with the list headers but none of the list's threading
(it answers nothing and nothing answers it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from webapp import audit, mail, mail_render
from webapp.announcements.agenda import agenda_context
from webapp.announcements.deliver import list_headers
from webapp.announcements.settings import settings_of
from webapp.meetings import services as meetings
from webapp.meetings.schedule import Slot
from webapp.models import Series

TEMPLATE = "announce_agenda"
#: How the test copy differs from the real mail: its subject's prefix and its first line.
TEST_SUBJECT = "[Test] "
TEST_FIRST_LINE = "This is a test of the agenda mail, sent to you only; the list did not get it."


@dataclass
class AgendaPreview:
    slot: Slot
    context: dict[str, Any]
    subject: str = ""
    body: str = ""
    #: Why the template does not render (then subject and body are empty).
    error: str = ""


def next_agenda(series: Series, now: datetime) -> AgendaPreview | None:
    """The agenda mail of the next meeting not started yet, rendered; None without one."""
    upcoming = meetings.occurrences(series, now, now + timedelta(days=400), include_cancelled=False)
    slot = next((s for s in upcoming if s.start > now), None)
    if slot is None:
        return None
    row = settings_of(series)
    context = agenda_context(series, slot, row.zone_list if row else [], now)
    subject, body = mail.template_text(TEMPLATE)
    out = mail_render.render_many([(subject, context), (body, context)])
    failed = next((r.error for r in out if not r.ok), None)
    if failed is not None:
        return AgendaPreview(slot, context, error=failed)
    return AgendaPreview(slot, context, " ".join((out[0].text or "").split()), out[1].text or "")


def send_test(
    series: Series, preview: AgendaPreview, to: str, actor: audit.Actor, now: datetime
) -> None:
    """Queue the previewed agenda mail to ``to`` (the signed-in organizer) only, marked as a
    test in its subject and first line (the template's own text follows unchanged)."""
    message = mail.enqueue(to, TEMPLATE, preview.context, now, headers=list_headers(series))
    message.template_subject = TEST_SUBJECT + (message.template_subject or "")
    message.template_body = TEST_FIRST_LINE + "\n\n" + (message.template_body or "")
    audit.record(
        actor,
        "announcements.test",
        "series",
        series.slug,
        f"test of the agenda mail of {preview.slot.original_date} to {to}",
    )
