"""Calendar feeds: pure functions from typed data to iCalendar bytes.

No Flask and no database here: the app builds a FeedCalendar from its models and
stores what ``render_calendar`` returns. The rules followed are in
``docs/ICAL-FEEDS.md`` (shared docs).
"""

from webapp.ical.links import GOOGLE_URL_LIMIT, google_calendar_url, webcal_url
from webapp.ical.model import EventStatus, FeedCalendar, FeedEvent, Organizer, WeeklyRule
from webapp.ical.render import PRODID, render_calendar
from webapp.ical.timezones import Transition, vtimezone, zone_transitions

__all__ = [
    "GOOGLE_URL_LIMIT",
    "PRODID",
    "EventStatus",
    "FeedCalendar",
    "FeedEvent",
    "Organizer",
    "Transition",
    "WeeklyRule",
    "google_calendar_url",
    "render_calendar",
    "vtimezone",
    "webcal_url",
    "zone_transitions",
]
