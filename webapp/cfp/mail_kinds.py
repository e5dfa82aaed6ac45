"""The call for papers' own kinds of mail, added to the outbox's editable templates."""

from __future__ import annotations

from webapp.mail import DefaultTemplate

CFP_MAIL: dict[str, DefaultTemplate] = {
    "cfp_reminder": DefaultTemplate(
        "[{{ conference.name }}] Please confirm “{{ submission.title }}” by {{ deadline }}",
        """Hello {{ speaker.name }},

“{{ submission.title }}” is accepted for {{ conference.name }} ({{ conference.dates }}), and we
have not heard from you yet. Please confirm that you will give it, or decline, on your private page:

    {{ link }}

{% if final %}This is our last reminder: if we do not hear from you by {{ deadline }}, we will give
the slot to another talk.{% else %}Please answer by {{ deadline }}.{% endif %}

The {{ conference.name }} organizers
""",
        "To each speaker of an accepted talk not yet confirmed (flask conference remind).",
    ),
    "cfp_confirmed": DefaultTemplate(
        "[{{ conference.name }}] Confirmed: {{ submission.title }}",
        """Hello {{ speaker.name }},

thank you for confirming “{{ submission.title }}” for {{ conference.name }}. We will write again
when the talk has its time and room in the programme. Your private page:

    {{ link }}

The {{ conference.name }} organizers
""",
        "To each speaker when a talk is confirmed.",
    ),
    "cfp_programme_change": DefaultTemplate(
        "[{{ conference.name }}] Programme {{ release }}: your talk changed",
        """Hello {{ speaker.name }},

the programme of {{ conference.name }} has a new version, {{ release }}\
{% if note %}: {{ note }}{% endif %}.

What changed for your talk:
{% for line in changes %}
  - {{ line }}{% endfor %}

The programme: {{ programme_url }}
Your private page: {{ link }}

The {{ conference.name }} organizers
""",
        "To each speaker of a talk that a programme release changes (one per release).",
    ),
    # Neither of these quotes what a submitter typed (title, names): the form cannot make the
    # conference's address carry someone else's words to a third party.
    "cfp_co_speaker_invite": DefaultTemplate(
        "[{{ conference.name }}] You are named as a co-speaker",
        """Hello,

the person with the address {{ submitter.email }} sent a proposal to {{ conference.name }}
(code {{ submission.code }}) and named you, at this address, as a co-speaker.

Your private link, to see the proposal, change your name or withdraw it:

    {{ link }}

If you do not know about this proposal, you can ignore this message: we will not write to
you about it again unless the organizers accept it.

The {{ conference.name }} organizers
""",
        "To each co-speaker, once the submitting speaker has confirmed their address.",
        sample={"submitter": {"email": "ada@example.org"}},
    ),
    "cfp_link_again": DefaultTemplate(
        "[{{ conference.name }}] Your private link{{ 's' if links|length > 1 else '' }}",
        """Hello,

someone (we hope you) asked for the private link of each proposal to {{ conference.name }}
that names this address. Here they are:
{% for item in links %}
    {{ item.code }}: {{ item.link }}{% endfor %}

Links we sent you before keep working. If you did not ask, you can ignore this message.

The {{ conference.name }} organizers
""",
        "To a speaker who asked for their links again (Send me my link).",
        sample={"links": [{"code": "ABC123", "link": "https://cadence.example.org/cfp/s/…"}]},
    ),
    "cfp_link_reissued": DefaultTemplate(
        "[{{ conference.name }}] Your new private link for “{{ submission.title }}”",
        """Hello {{ speaker.name }},

the organizers of {{ conference.name }} sent you a new private link for
“{{ submission.title }}” ({{ submission.code }}). Earlier links no longer work.

    {{ link }}

Keep this link to yourself: anyone who has it can act for you.

The {{ conference.name }} organizers
""",
        "To a speaker when the organizers re-issue their private link (earlier ones revoked).",
    ),
    "cfp_review_assigned": DefaultTemplate(
        "[{{ conference.name }}] {{ submissions|length }} submission(s) to review",
        """Hello {{ reviewer.name }},

the organizers of {{ conference.name }} ask you to review:
{% for s in submissions %}
  - {{ s.code }}: {{ s.title }}
    {{ s.link }}{% endfor %}

Your queue lists them first, with your progress: {{ link }}

The {{ conference.name }} organizers
""",
        "To a reviewer when submissions are assigned to them (one mail per assignment round).",
        sample={
            "reviewer": {"name": "Rui Reviewer"},
            "submissions": [
                {
                    "code": "ABC123",
                    "title": "Live migration in bhyve",
                    "link": "https://cadence.example.org/organize/conferences/bhyvecon-2027/"
                    "submissions/ABC123",
                }
            ],
        },
    ),
}


#: The decision mails, sent by "Send decisions": with the committee's note, and for an
#: acceptance the date to confirm by.
DECISION_MAIL: dict[str, DefaultTemplate] = {
    "cfp_accepted": DefaultTemplate(
        "[{{ conference.name }}] Accepted: {{ submission.title }}",
        """Hello {{ speaker.name }},

we are glad to tell you that “{{ submission.title }}” is accepted for {{ conference.name }}
({{ conference.dates }}, {{ conference.place }}).
{% if note %}
A note from the programme committee:

{{ note }}
{% endif %}
Please confirm that you will give it, or decline, on your private page\
{% if confirm_by %} by {{ confirm_by }}{% endif %}:

    {{ link }}

The {{ conference.name }} organizers
""",
        "To each speaker when the organizers send an acceptance (Send decisions).",
        sample={"note": "Please bring a demo.", "confirm_by": "Monday 15 March 2027, 23:59"},
    ),
    "cfp_rejected": DefaultTemplate(
        "[{{ conference.name }}] About your submission “{{ submission.title }}”",
        """Hello {{ speaker.name }},

thank you for submitting “{{ submission.title }}” to {{ conference.name }}. We received many
more proposals than the programme can hold, and we could not include yours this time.
{% if note %}
A note from the programme committee:

{{ note }}
{% endif %}
Your submission stays on your private page: {{ link }}

The {{ conference.name }} organizers
""",
        "To each speaker when the organizers send a rejection (Send decisions).",
        sample={"note": ""},
    ),
}


def register(defaults: dict[str, DefaultTemplate]) -> None:
    """Add the call for papers' kinds to the outbox's templates (from ``init_app``, once per
    app). A kind has one default text: one written twice would leave one of them unused."""
    for name, template in {**DECISION_MAIL, **CFP_MAIL}.items():
        if defaults.setdefault(name, template) is not template:
            raise ValueError(f"Two default texts for the mail {name!r}.")
