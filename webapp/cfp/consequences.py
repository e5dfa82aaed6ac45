"""What a destructive click will do, said before it is done (the confirmation pages).

Each function returns the page's heading, its lines and its button; the state change itself
still goes through ``set_submission_state``. No mail goes to anyone for a withdrawal or a
decline: the lines say so, and say who is mailed when someone is.
"""

from __future__ import annotations

from webapp.cfp.services.text import format_local
from webapp.models import Submission, SubmissionState

Said = tuple[str, list[str], str]


def _placed(s: Submission) -> list[str]:
    if not s.is_placed or s.starts_at is None:
        return []
    when = format_local(s.starts_at, s.conference)
    return [
        f"Its slot ({when}) is freed; the public programme shows the change at the next "
        "release, as every programme change."
    ]


def speaker_withdraw(s: Submission) -> Said:
    return (
        f"Withdraw “{s.title}”?",
        [
            "The reviewers stop reviewing it and it will not be considered for the programme.",
            "No mail is sent, to you or your co-speakers; the organizers see it in their list.",
            "Only the organizers can undo this.",
        ],
        "Yes, withdraw the proposal",
    )


def speaker_decline(s: Submission) -> Said:
    if s.state == SubmissionState.CONFIRMED:
        return (
            f"Give up your slot for “{s.title}”?",
            [
                "You can no longer give this talk: it leaves the programme.",
                *_placed(s),
                "No mail is sent, to you or your co-speakers; the organizers see it at once.",
                "Only the organizers can undo this, until the conference ends.",
            ],
            "Yes, I can no longer give this talk",
        )
    return (
        f"Decline “{s.title}”?",
        [
            "The organizers give the place to another talk.",
            "No mail is sent, to you or your co-speakers; the organizers see it at once.",
            "Only the organizers can undo this, until the conference ends.",
        ],
        "Yes, decline the talk",
    )


def organizer_release(s: Submission) -> Said:
    names = ", ".join(sp.name for sp in s.speakers)
    return (
        f"Release the slot of “{s.title}”?",
        [
            f"Its speakers ({names}) did not confirm by the deadline: the talk becomes "
            "declined and its place is free for another.",
            *_placed(s),
            "No mail is sent to the speakers. You can undo this until the conference ends.",
        ],
        "Yes, release the slot",
    )


def organizer_reject_accepted(s: Submission) -> Said:
    invited = [sp for sp in s.speakers if sp.invited_at is not None]
    return (
        f"Reject “{s.title}”, accepted before?",
        [
            f"Its {len(invited)} speaker(s) were told it is accepted"
            + (" and confirmed." if s.state == SubmissionState.CONFIRMED else "."),
            "Nothing is sent now: at the next “Send decisions” each of them gets the rejection "
            "mail: " + ", ".join(sp.email for sp in invited) + ".",
            *_placed(s),
        ],
        "Yes, reject it (pending)",
    )
