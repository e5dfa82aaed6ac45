"""The text of every kind of mail: the defaults, the organizers' edits, and rendering them.

Templates are rendered only in the sandbox's child process (``webapp.mail_render``), under its
CPU budget and memory limit: by the outbox worker for real messages (``render_queued``), and for
the organizers' previews and the save check (``preview``, ``check_template``). The save check
renders with hostile samples too (long values, many items, every optional key, none of them),
so a template that misbehaves for some speaker is refused at save, not discovered at send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from webapp import mail_render
from webapp.extensions import db
from webapp.models import MailTemplate

#: How long the texts of the hostile samples are, and how many items their lists have (at every
#: depth: twenty owners of twenty follow-ups each fill half the output limit with the default
#: agenda; thirty of thirty would pass it).
HOSTILE_TEXT = 300
HOSTILE_ITEMS = 20


@dataclass(frozen=True)
class DefaultTemplate:
    subject: str
    body: str
    help: str
    #: Sample values of the keys this message has beyond ``SAMPLE_CONTEXT``'s.
    sample: dict[str, Any] = field(default_factory=dict)


#: What every announcement has (the samples of the announcement templates).
ANNOUNCE_SAMPLE: dict[str, Any] = {
    "series": {
        "title": "bhyve bi-weekly call",
        "slug": "bhyve",
        "zone": "America/New_York",
    },
    "meeting": {
        "date": "2027-01-14",
        "title": "",
        "join_url": "https://meet.example.org/bhyve-call",
        "place": "",
        "local": "Thursday 2027-01-14, 16:00–17:00 America/New_York",
        "utc": "Thursday 2027-01-14, 21:00–22:00 UTC",
        "zones": ["Thursday 2027-01-14, 22:00–23:00 Europe/Amsterdam"],
        "url": "https://cadence.example.org/meetings/bhyve/2027-01-14",
        "ics": "https://cadence.example.org/meetings/bhyve/2027-01-14.ics",
    },
}

#: The default text of every message; organizers can replace each (MailTemplate rows). The call
#: for papers adds its own kinds (``webapp.cfp.mail_kinds``: decisions, reminders, invitations).
DEFAULTS: dict[str, DefaultTemplate] = {
    "cfp_received": DefaultTemplate(
        "[{{ conference.name }}] We received “{{ submission.title }}”",
        """Hello {{ speaker.name }},

thank you for submitting “{{ submission.title }}” ({{ submission.format }}) to \
{{ conference.name }}.
Its code is {{ submission.code }}.

Your private link, to see, change or withdraw the submission until the call closes
({{ conference.deadline }}), and later to see our decision:

    {{ link }}

Keep this link to yourself: anyone who has it can change the submission.

The {{ conference.name }} organizers
""",
        "To each speaker (main and co-speakers) when a submission arrives.",
    ),
    "cfp_new_submission": DefaultTemplate(
        "[{{ conference.name }}] New submission {{ submission.code }}: {{ submission.title }}",
        """A new submission arrived for {{ conference.name }}:

    {{ submission.title }} ({{ submission.format }})
    by {{ submission.speakers }}

Review it at {{ link }}
""",
        "To every organizer when a submission arrives.",
    ),
    "announce_agenda": DefaultTemplate(
        "[{{ series.title }}] Agenda: {{ meeting.local }}",
        """The next {{ series.title }}{% if meeting.title %}: {{ meeting.title }}{% endif %}

    {{ meeting.local }}
    {{ meeting.utc }}
{% for line in meeting.zones %}    {{ line }}
{% endfor %}{% if meeting.join_url %}
Join: {{ meeting.join_url }}
{% endif %}{% if meeting.place %}Place: {{ meeting.place }}
{% endif %}
Agenda
{% if agenda %}{{ agenda }}
{% endif %}{% for item in items %}- {{ item }}
{% endfor %}{% if not agenda and not items %}(nothing yet: add items on the meeting page)
{% endif %}
Open follow-ups
{% for group in follow_ups %}{{ group.owner }}:
{% for f in group["items"] %}- {{ f.text }} \
(open {{ f.age }} meeting{{ "" if f.age == 1 else "s" }}, since {{ f.raised }}\
{% if f.due %}, due {{ f.due }}{% endif %})
{% endfor %}{% else %}(none)
{% endfor %}
Review queue
{% for r in reviews %}{{ r.indent }}{{ loop.index }}. {{ r.title }}{% if r.author %} \
({{ r.author }}){% endif %}: {{ r.url }}
{% else %}(empty)
{% endfor %}
Meeting page: {{ meeting.url }}
Add it to your calendar: {{ meeting.ics }}
""",
        "To the series' list addresses, HOURS before each meeting (flask series announcements).",
        sample={
            **ANNOUNCE_SAMPLE,
            "agenda": "1. Introductions\n2. Review queue",
            "items": ["Release schedule for 15.0"],
            "follow_ups": [
                {
                    "owner": "Ada Lovelace",
                    "items": [
                        {"text": "Test the NVMe patch", "age": 2, "raised": "2026-12-17", "due": ""}
                    ],
                }
            ],
            "reviews": [
                {
                    "title": "vmm: fix APIC timer",
                    "url": "https://reviews.example.org/D123",
                    "author": "Alan Turing",
                    "state": "open",
                    "depth": 0,
                    "indent": "",
                }
            ],
            "queued_at": "2027-01-13T16:00+00:00",
        },
    ),
    "announce_change": DefaultTemplate(
        "[{{ series.title }}] {% if kind == 'cancelled' %}Cancelled{% elif kind == 'moved' \
%}Moved{% elif kind == 'added' %}Extra meeting{% elif kind == 'retimed' %}New time\
{% else %}On again{% endif %}: {{ meeting.local }}",
        """{% if kind == 'cancelled' %}The {{ series.title }} of {{ meeting.local }} is cancelled.
{% if reason %}
Reason: {{ reason }}
{% endif %}{% elif kind == 'moved' %}The {{ series.title }} has moved.

    Was: {{ old }}
    Now: {{ meeting.local }}
         {{ meeting.utc }}
{% for line in meeting.zones %}         {{ line }}
{% endfor %}{% elif kind == 'added' %}An extra {{ series.title }}\
{% if title %}: {{ title }}{% endif %}

    {{ meeting.local }}
    {{ meeting.utc }}
{% for line in meeting.zones %}    {{ line }}
{% endfor %}{% elif kind == 'retimed' %}The {{ series.title }} has a new schedule: {{ schedule }}.
{% for m in changed %}
    Was: {{ m.old }}
    Now: {{ m.new }}
{% endfor %}{% else %}The {{ series.title }} of {{ meeting.local }} takes place after all.
{% endif %}{% if kind != 'cancelled' and meeting.join_url %}
Join: {{ meeting.join_url }}
{% endif %}
Meeting page: {{ meeting.url }}
Calendar: {{ meeting.ics }}
""",
        "To the series' list addresses at once when a meeting is cancelled, moved, added or "
        "restored, or the series is retimed (kind: cancelled, moved, added, restored, retimed).",
        sample={
            **ANNOUNCE_SAMPLE,
            "kind": "moved",
            "reason": "Most of us are at the developer summit",
            "title": "",
            "old": "Thursday 2027-01-14, 16:00–17:00 America/New_York",
            "schedule": "Every other Thursday at 17:00 America/New_York",
            "changed": [
                {
                    "old": "Thursday 2027-01-14, 16:00–17:00 America/New_York",
                    "new": "Thursday 2027-01-14, 17:00–18:00 America/New_York",
                }
            ],
        },
    ),
    "announce_minutes": DefaultTemplate(
        "[{{ series.title }}] Minutes: {{ meeting.local }}",
        """The minutes of the {{ series.title }}{% if meeting.title %}: {{ meeting.title }}\
{% endif %} of {{ meeting.local }} are published:

    {{ minutes_url }}

Attendees
{% for name in attendees %}- {{ name }}
{% else %}(none listed)
{% endfor %}{% if absent %}Absent: {% for name in absent %}{{ name }}\
{% if not loop.last %}, {% endif %}{% endfor %}
{% endif %}
Decisions
{% for line in decisions %}- {{ line }}
{% else %}(none)
{% endfor %}
New follow-ups
{% for f in new_follow_ups %}- {{ f.owner }}: {{ f.text }}\
{% if f.due %} (due {{ f.due }}){% endif %}
{% else %}(none)
{% endfor %}
Closed follow-ups
{% for f in closed_follow_ups %}- {{ f.owner }}: {{ f.text }} ({{ f.state }}\
{% if f.note %}: {{ f.note }}{% endif %})
{% else %}(none)
{% endfor %}
Meeting page: {{ meeting.url }}
""",
        "To the series' list addresses when a meeting's minutes are first published (never for "
        "imports).",
        sample={
            **ANNOUNCE_SAMPLE,
            "minutes_url": "https://cadence.example.org/meetings/bhyve/2027-01-14/minutes",
            "attendees": ["Ada Lovelace", "Alan Turing"],
            "absent": ["Grace Hopper"],
            "decisions": ["Branch stable/15 on 2027-02-01"],
            "new_follow_ups": [
                {
                    "owner": "Ada Lovelace",
                    "text": "Test the NVMe patch",
                    "due": "2027-01-28",
                    "state": "open",
                    "note": "",
                    "raised": "2027-01-14",
                }
            ],
            "closed_follow_ups": [
                {
                    "owner": "Alan Turing",
                    "text": "Write the release notes",
                    "due": "",
                    "state": "done",
                    "note": "",
                    "raised": "2026-12-17",
                }
            ],
        },
    ),
    "subscription_confirm": DefaultTemplate(
        "[{{ series.title }}] Confirm: get the agenda by mail",
        """Someone (we hope you) asked for the announcements of {{ series.title }} at this
address: the agenda before each meeting and a note when a meeting is cancelled or moved.

To confirm, open this link and press the button (it works for {{ days }} days):

    {{ link }}

{% if subscribed %}This address gets them already: the link changes nothing, and ignoring this mail
changes nothing either. To stop them, use the unsubscribe link at the end of any of them.
{%- else %}If you did not ask, ignore this mail: nothing is sent to you without the confirmation.
{%- endif %}

{{ series_url }}
""",
        "To a person who asked for a series' announcements by mail, with the confirmation link "
        "(``subscribed``: the address gets them already).",
        sample={
            "series": {"title": "bhyve bi-weekly call", "slug": "bhyve"},
            "subscribed": False,
            "link": "https://cadence.example.org/subscriptions/confirm/…",
            "series_url": "https://cadence.example.org/series/bhyve",
            "days": 7,
        },
    ),
}

#: Sample values for previews and for checking an edited template before saving it.
SAMPLE_CONTEXT: dict[str, Any] = {
    "conference": {
        "name": "bhyvecon 2027",
        "slug": "bhyvecon-2027",
        "deadline": "2027-03-01 23:59 Europe/Amsterdam",
        "dates": "2027-06-10 – 2027-06-11",
        "place": "Amsterdam",
    },
    "submission": {
        "code": "ABC123",
        "title": "Live migration in bhyve",
        "format": "Talk (30 min)",
        "speakers": "Ada Lovelace, Alan Turing",
    },
    "speaker": {"name": "Ada Lovelace", "email": "ada@example.org"},
    "link": "https://cadence.example.org/cfp/s/…",
    # Keys only some messages have (reminders, programme changes, invitations).
    "deadline": "2027-05-01",
    "final": False,
    "release": "v3",
    "note": "Two talks swapped rooms.",
    "changes": ["“Live migration in bhyve” moved from Friday 10:00 to Friday 14:00"],
    "programme_url": "https://cadence.example.org/conferences/bhyvecon-2027/program",
    "submitter": {"email": "ada@example.org"},
}


class TemplateInvalid(ValueError):
    """An edited mail template that does not render; the message names the problem."""


class RenderFailed(ValueError):
    """Neither the message's template nor the default renders (the send attempt fails)."""


def _edited_templates() -> dict[str, tuple[str, str]]:
    return {
        row.name: (row.subject, row.body) for row in db.session.scalars(sa.select(MailTemplate))
    }


def template_text(name: str, edited: dict[str, tuple[str, str]] | None = None) -> tuple[str, str]:
    """The subject and body of template ``name``: the organizers' edit, else the default."""
    edited = _edited_templates() if edited is None else edited
    if name in edited:
        return edited[name]
    default = DEFAULTS[name]
    return default.subject, default.body


def sample_context(name: str | None = None) -> dict[str, Any]:
    default = DEFAULTS.get(name or "")
    return {**SAMPLE_CONTEXT, **(default.sample if default else {})}


def _stretched(value: Any, text: int = 0, items: int = 0) -> Any:
    """The sample with every text at least ``text`` characters long and every list ``items``
    long (0: as they are), at every depth alike: a text in a list item as long as a single one,
    a list inside a list item as long as an outer one."""
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return (value + " Ω ") * (text // (len(value) + 3) + 1) if text else value
    if isinstance(value, list):
        stretched = [_stretched(v, text, items) for v in value]
        if not items:
            return stretched or [_stretched("item", text)]
        return ((stretched or [_stretched("item", text)]) * items)[:items]
    if isinstance(value, dict):
        return {k: _stretched(v, text, items) for k, v in value.items()}
    return value


def _emptied(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _emptied(v) for k, v in value.items()}
    return type(value)() if isinstance(value, str | list | bool) else value


def hostile_contexts(name: str | None = None) -> list[dict[str, Any]]:
    """The samples a template must render at save: the plain one; one with every text long
    (names, titles, every list item's) and eleven long speaker names; one with every list long
    at every depth (twenty changes, twenty owners of twenty follow-ups); one with every optional
    value empty, and one without a speaker (the organizers' copy). Long texts and long lists are
    two samples, not one: both at once, nested, would be a mail no real one comes near."""
    base = sample_context(name)
    long = _stretched(base, text=HOSTILE_TEXT)
    names = ", ".join(f"Speaker {i} " + "Ω" * 110 for i in range(11))
    long["submission"] = {**long["submission"], "speakers": names}
    many = _stretched(base, items=HOSTILE_ITEMS)
    return [base, long, many, _emptied(base), {**_emptied(base), "speaker": {}}]


def check_template(subject: str, body: str, name: str | None = None) -> None:
    """Refuse (``TemplateInvalid``) a template that does not render every hostile sample."""
    jobs = [(text, ctx) for ctx in hostile_contexts(name) for text in (subject, body)]
    for rendered in mail_render.render_many(jobs):
        if not rendered.ok:
            raise TemplateInvalid(f"The template does not render: {rendered.error}")


def preview(subject: str, body: str, name: str | None = None) -> tuple[str, str] | str:
    """The template rendered with the plain sample, or why it does not render."""
    ctx = sample_context(name)
    out = mail_render.render_many([(subject, ctx), (body, ctx)])
    for rendered in out:
        if not rendered.ok:
            return rendered.error or "it does not render"
    return out[0].text or "", out[1].text or ""


def _one_line(subject: str) -> str:
    """A header holds one line: no CR/LF can come in from a title."""
    return " ".join(subject.split())[:300]


def render_queued(
    name: str, subject: str, body: str, context: dict[str, Any]
) -> tuple[str, str, str]:
    """``(subject, body, note)`` of a queued message; a template that fails gives way to the
    default text, and ``note`` says why (the organizers see it on the outbox page)."""
    out = mail_render.render_many([(subject, context), (body, context)])
    failed = next((r.error for r in out if not r.ok), None)
    if failed is None:
        return _one_line(out[0].text or ""), out[1].text or "", ""
    default = DEFAULTS.get(name)
    if default is None or (default.subject, default.body) == (subject, body):
        raise RenderFailed(f"the message does not render: {failed}")
    out = mail_render.render_many([(default.subject, context), (default.body, context)])
    if not all(r.ok for r in out):
        raise RenderFailed(f"the message does not render: {failed}")
    note = f"The edited template did not render ({failed}); sent with the default text."
    return _one_line(out[0].text or ""), out[1].text or "", note[:500]
