"""Series and occurrences: every change to a schedule goes through these functions.

They are shared by the organizer pages, the JSON API and the ``flask series`` CLI. They validate,
change, audit and flush, and never commit: the caller commits once (or rolls back on an error).
One module per concept: ``reading`` (series, occurrences, words), ``validation`` (what people
type), ``series`` (a series and its rules), ``occurrences`` (one meeting's exceptions).
"""

from webapp.meetings.schedule import ScheduleError
from webapp.meetings.services.occurrences import add_extra, cancel, move, restore
from webapp.meetings.services.reading import (
    SeriesNotFound,
    changes_of,
    describe_rule,
    describe_schedule,
    find_occurrence,
    get_series,
    list_series,
    neighbours,
    next_occurrence,
    occurrence_row,
    occurrences,
    rules_of,
    same_day_meeting,
    stored_row,
    suffix_for,
)
from webapp.meetings.services.series import create_series, retime, set_until, update_details
from webapp.meetings.services.validation import (
    SLUG_RE,
    SeriesDetails,
    check_duration,
    check_interval,
    in_range,
    parse_date,
    parse_local,
)

__all__ = [
    "SLUG_RE",
    "ScheduleError",
    "SeriesDetails",
    "SeriesNotFound",
    "add_extra",
    "cancel",
    "changes_of",
    "check_duration",
    "check_interval",
    "create_series",
    "describe_rule",
    "describe_schedule",
    "find_occurrence",
    "get_series",
    "in_range",
    "list_series",
    "move",
    "neighbours",
    "next_occurrence",
    "occurrence_row",
    "occurrences",
    "parse_date",
    "parse_local",
    "restore",
    "retime",
    "rules_of",
    "same_day_meeting",
    "set_until",
    "stored_row",
    "suffix_for",
    "update_details",
]
