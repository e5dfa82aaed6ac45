"""Minutes, people, follow-ups, the review queue and agendas: every change goes through here.

Functions take typed arguments, an explicit actor (and ``now`` where time matters), validate,
change, audit and flush — and never commit: the view or CLI commits once. One module per concept;
this package names the public functions so that callers write ``services.save_minutes``.
"""

from __future__ import annotations

from webapp.minutes.services.agenda import (
    add_agenda_item,
    agenda_items,
    delete_agenda_item,
)
from webapp.minutes.services.errors import (
    EditConflict,
    MinutesError,
    PersonError,
)
from webapp.minutes.services.follow_ups import (
    add_follow_up,
    age_in_meetings,
    ages_in_meetings,
    closed_at,
    follow_ups_of,
    open_at,
    open_by_owner,
    owner_label,
    raised_at,
    set_follow_up_state,
)
from webapp.minutes.services.history import (
    revision_text,
    text_diff,
)
from webapp.minutes.services.meeting import (
    Meeting,
    meeting,
)
from webapp.minutes.services.merge import MergePreview, merge_people, merge_preview
from webapp.minutes.services.occurrences import (
    has_attachments,
    stored_occurrence,
)
from webapp.minutes.services.people import (
    attendance_of,
    create_person,
    find_person,
    is_public,
    list_people,
    people_for,
    person_for,
    update_person,
)
from webapp.minutes.services.preview import PreviewItem, preview, preview_steps
from webapp.minutes.services.records import (
    MinutesInput,
    absent_lines,
    attendee_lines,
    attendee_text,
    clean_lines,
    clean_text,
    get_minutes,
    get_revision,
    minutes_url_for,
    published_days,
    published_keys,
    published_minutes,
    save_minutes,
    start_minutes,
)
from webapp.minutes.services.reviews import (
    ReviewNode,
    add_review,
    move_review,
    review_tree,
    reviews_of,
    update_review,
)
from webapp.minutes.services.task_sync import SyncReport, sync_follow_ups

__all__ = [
    "PreviewItem",
    "SyncReport",
    "absent_lines",
    "attendee_lines",
    "attendee_text",
    "preview",
    "preview_steps",
    "sync_follow_ups",
    "merge_people",
    "merge_preview",
    "MergePreview",
    "owner_label",
    "is_public",
    "people_for",
    "EditConflict",
    "Meeting",
    "MinutesError",
    "MinutesInput",
    "PersonError",
    "ReviewNode",
    "add_agenda_item",
    "add_follow_up",
    "add_review",
    "age_in_meetings",
    "agenda_items",
    "ages_in_meetings",
    "attendance_of",
    "clean_lines",
    "clean_text",
    "closed_at",
    "create_person",
    "delete_agenda_item",
    "find_person",
    "follow_ups_of",
    "get_minutes",
    "get_revision",
    "has_attachments",
    "list_people",
    "meeting",
    "minutes_url_for",
    "move_review",
    "open_at",
    "open_by_owner",
    "person_for",
    "published_days",
    "published_keys",
    "published_minutes",
    "raised_at",
    "review_tree",
    "reviews_of",
    "revision_text",
    "save_minutes",
    "set_follow_up_state",
    "start_minutes",
    "stored_occurrence",
    "text_diff",
    "update_person",
    "update_review",
]
