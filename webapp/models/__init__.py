"""Every model, imported here so that Alembic and ``db.create_all`` see the whole schema."""

from webapp.models.audit import AuditEntry
from webapp.models.base import Base, TimestampMixin, UTCDateTime, utcnow
from webapp.models.feeds import RenderedFeed
from webapp.models.meetings import (
    INTERVALS,
    Occurrence,
    OccurrenceStatus,
    ScheduleRule,
    Series,
)
from webapp.models.minutes import (
    FOLLOW_UP_STATES,
    MINUTES_STATES,
    REVIEW_STATES,
    AgendaItem,
    FollowUp,
    FollowUpState,
    Minutes,
    MinutesAttendee,
    MinutesRevision,
    MinutesState,
    Person,
    Review,
    ReviewState,
)
from webapp.models.settings import SiteSettings
from webapp.models.users import ROLE_VALUES, Role, User, UserRole

__all__ = [
    "FOLLOW_UP_STATES",
    "MINUTES_STATES",
    "REVIEW_STATES",
    "AgendaItem",
    "FollowUp",
    "FollowUpState",
    "Minutes",
    "MinutesAttendee",
    "MinutesRevision",
    "MinutesState",
    "Person",
    "Review",
    "ReviewState",
    "INTERVALS",
    "ROLE_VALUES",
    "Occurrence",
    "OccurrenceStatus",
    "ScheduleRule",
    "Series",
    "SiteSettings",
    "AuditEntry",
    "Base",
    "RenderedFeed",
    "Role",
    "TimestampMixin",
    "UTCDateTime",
    "User",
    "UserRole",
    "utcnow",
]
