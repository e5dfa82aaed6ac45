"""Every model, imported here so that Alembic and ``db.create_all`` see the whole schema."""

from webapp.models.audit import AuditEntry
from webapp.models.base import Base, TimestampMixin, UTCDateTime, utcnow
from webapp.models.cfp import (
    ACCEPTED_STATES,
    ACTIVE_STATES,
    DECIDED_STATES,
    STATE_VALUES,
    TRANSITIONS,
    Conference,
    LateLink,
    Review,
    ReviewConflict,
    Room,
    SessionFormat,
    Speaker,
    SpeakerLink,
    Submission,
    SubmissionState,
    Track,
)
from webapp.models.outbox import OUTBOX_STATES, MailTemplate, OutboxMessage, OutboxState
from webapp.models.users import ROLE_VALUES, Role, User, UserRole

__all__ = [
    "ACCEPTED_STATES",
    "ACTIVE_STATES",
    "DECIDED_STATES",
    "OUTBOX_STATES",
    "STATE_VALUES",
    "TRANSITIONS",
    "Conference",
    "LateLink",
    "MailTemplate",
    "OutboxMessage",
    "OutboxState",
    "Review",
    "ReviewConflict",
    "Room",
    "SessionFormat",
    "Speaker",
    "SpeakerLink",
    "Submission",
    "SubmissionState",
    "Track",
    "ROLE_VALUES",
    "AuditEntry",
    "Base",
    "Role",
    "TimestampMixin",
    "UTCDateTime",
    "User",
    "UserRole",
    "utcnow",
]
