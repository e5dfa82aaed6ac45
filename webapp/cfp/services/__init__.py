"""The services of the conference area, one module per concept.

Services take typed arguments and an explicit ``now``, raise ``CfpError`` subclasses with a
message for the user, flush but never commit. Every state change of a submission goes through
``decisions.set_submission_state``. This package names the area's public operations, so callers
write ``from webapp.cfp import services`` and ``services.submit(...)``.
"""

from __future__ import annotations

from webapp.cfp.services.assignment import (
    Progress,
    assign,
    assign_automatically,
    assigned_ids,
    next_to_review,
    notify_reviewers,
    progress,
    reviewers,
    unassign,
)
from webapp.cfp.services.blocks import (
    SLOT_CHOICES,
    BlockData,
    block_by_id,
    blocks_of,
    delete_block,
    move_block,
    save_block,
    set_hours,
)
from webapp.cfp.services.conference import (
    SLUG_RE,
    ConferenceData,
    conference_by_slug,
    create_conference,
    list_conferences,
    parse_format,
    update_conference,
)
from webapp.cfp.services.conflicts import Conflict, conflicts_of
from webapp.cfp.services.criteria import criteria_text, parse_criteria, parse_criterion
from webapp.cfp.services.decisions import set_submission_state, undo, undo_target
from webapp.cfp.services.errors import CfpClosed, CfpError, LimitReached, NotAllowed, SlotConflict
from webapp.cfp.services.export import export_csv
from webapp.cfp.services.grid import GridDay, conference_days, grid_day
from webapp.cfp.services.late_links import create_late_link, late_link_for, late_links
from webapp.cfp.services.listing import PAGE_SIZE, SORTS, ListQuery, list_submissions
from webapp.cfp.services.mailing import mail_context, organizer_emails
from webapp.cfp.services.moves import Move, find_item, move_item, parse_slot, slot_of
from webapp.cfp.services.programme import (
    check_talk_slot,
    confirmed_talks,
    place_talk,
    placed_talks,
    unplace_talk,
)
from webapp.cfp.services.published import (
    ProgrammeDay,
    ReleasedBlock,
    ReleasedTalk,
    programme_days,
    published_conferences,
    released_programme,
    released_talk,
    released_talks,
)
from webapp.cfp.services.questions import (
    check_answers,
    parse_questions,
    questions_text,
    shown_answers,
)
from webapp.cfp.services.releases import describe, latest_release, release, releases
from webapp.cfp.services.reminders import (
    confirm_by,
    past_deadline,
    send_reminders,
    unconfirmed_past_deadline,
)
from webapp.cfp.services.review import (
    declare_conflict,
    has_conflict,
    hides_speakers,
    is_organizer,
    may_open,
    may_see_reviews,
    own_review,
    save_review,
    sees_all_scores,
    visible_mean,
)
from webapp.cfp.services.speaker_edits import (
    CoSpeakerRow,
    co_speakers_of,
    history_of,
    reissue_link,
    roster_open,
    update_submission,
)
from webapp.cfp.services.speaker_links import hash_token, issue_speaker_link, speaker_by_token
from webapp.cfp.services.staged import batch as decision_batch
from webapp.cfp.services.staged import pending as pending_decisions
from webapp.cfp.services.staged import (
    pending_count,
    send_decisions,
    stage_decision,
    stage_many,
)
from webapp.cfp.services.submissions import (
    InviteCaps,
    SpeakerData,
    SubmissionData,
    cfp_entry,
    invite_co_speakers,
    new_code,
    speaker_may_edit,
    submission_by_form_token,
    submit,
)
from webapp.cfp.services.text import (
    closes_in,
    format_local,
    local_to_utc,
    parse_date,
    parse_hour,
    parse_local_datetime,
    zone_or_error,
)

__all__ = [
    "GridDay",
    "Move",
    "check_talk_slot",
    "conference_days",
    "find_item",
    "grid_day",
    "move_item",
    "parse_slot",
    "slot_of",
    "SLOT_CHOICES",
    "BlockData",
    "Conflict",
    "ReleasedBlock",
    "ProgrammeDay",
    "programme_days",
    "block_by_id",
    "blocks_of",
    "conflicts_of",
    "delete_block",
    "move_block",
    "released_programme",
    "save_block",
    "set_hours",
    "SLUG_RE",
    "SORTS",
    "PAGE_SIZE",
    "CfpClosed",
    "CfpError",
    "ConferenceData",
    "LimitReached",
    "ListQuery",
    "NotAllowed",
    "SlotConflict",
    "SpeakerData",
    "SubmissionData",
    "cfp_entry",
    "closes_in",
    "conference_by_slug",
    "confirmed_talks",
    "create_conference",
    "create_late_link",
    "declare_conflict",
    "export_csv",
    "format_local",
    "has_conflict",
    "hash_token",
    "hides_speakers",
    "history_of",
    "invite_co_speakers",
    "InviteCaps",
    "is_organizer",
    "issue_speaker_link",
    "late_link_for",
    "late_links",
    "list_conferences",
    "list_submissions",
    "local_to_utc",
    "mail_context",
    "may_open",
    "may_see_reviews",
    "new_code",
    "organizer_emails",
    "own_review",
    "parse_date",
    "parse_format",
    "parse_hour",
    "parse_local_datetime",
    "place_talk",
    "placed_talks",
    "published_conferences",
    "ReleasedTalk",
    "confirm_by",
    "describe",
    "latest_release",
    "past_deadline",
    "release",
    "released_talk",
    "released_talks",
    "releases",
    "send_reminders",
    "unconfirmed_past_deadline",
    "save_review",
    "sees_all_scores",
    "set_submission_state",
    "undo",
    "undo_target",
    "speaker_by_token",
    "speaker_may_edit",
    "submission_by_form_token",
    "submit",
    "unplace_talk",
    "update_conference",
    "update_submission",
    "check_answers",
    "parse_questions",
    "questions_text",
    "shown_answers",
    "decision_batch",
    "pending_count",
    "pending_decisions",
    "send_decisions",
    "stage_decision",
    "stage_many",
    "Progress",
    "assign",
    "assign_automatically",
    "assigned_ids",
    "next_to_review",
    "notify_reviewers",
    "progress",
    "reviewers",
    "unassign",
    "criteria_text",
    "parse_criteria",
    "parse_criterion",
    "CoSpeakerRow",
    "roster_open",
    "reissue_link",
    "co_speakers_of",
    "visible_mean",
    "zone_or_error",
]
