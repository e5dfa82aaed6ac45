"""How the areas plug into each other, registered explicitly at start-up.

``create_app`` makes one :class:`Wiring` per app (``app.extensions["cadence"]``) and each area's
``init_app`` registers what it offers the others: events for the combined feed, links on meeting
events, dashboard sections, panels of the meeting page, checks that a meeting has attachments.
Nothing registers itself on import, so what an app contains does not depend on which module
happened to be imported first. This module imports no area: every area may import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "cadence"


@dataclass(frozen=True)
class FeedProvider:
    """Events another area (the conference programme) adds to ``/calendar.ics``.

    ``events(now)`` returns ``webapp.ical.FeedEvent`` objects (UIDs in their own namespace);
    ``version()`` is a cheap string that changes whenever those events would.
    """

    name: str
    events: Callable[[datetime], Iterable[Any]]
    version: Callable[[], str]


@dataclass(frozen=True)
class MeetingLink:
    label: str
    url: str
    changed_at: datetime


@dataclass(frozen=True)
class OccurrenceLinker:
    """Links another area adds to meetings' events (the minutes, once published).

    ``links(series)`` maps original local dates to links; ``version()`` is a cheap string that
    changes whenever those links would.
    """

    name: str
    links: Callable[[Any], dict[date, MeetingLink]]
    version: Callable[[], str]


#: A dashboard section: ``func(now, user)`` returns its template context, or None to leave it out.
SectionFunc = Callable[[datetime, Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class DashboardSection:
    order: int
    template: str
    roles: tuple[str, ...]
    func: SectionFunc


#: A meeting-page panel: ``context(series, day, slot)`` returns its template context, or None.
PanelFunc = Callable[[Any, date, Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class MeetingPanel:
    """A part of ``/meetings/SLUG/DATE`` that another area renders (agenda, minutes)."""

    order: int
    template: str
    context: PanelFunc


@dataclass
class Wiring:
    feed_providers: list[FeedProvider] = field(default_factory=list)
    occurrence_linkers: list[OccurrenceLinker] = field(default_factory=list)
    dashboard_sections: list[DashboardSection] = field(default_factory=list)
    meeting_panels: list[MeetingPanel] = field(default_factory=list)
    #: ``check(occurrence)`` is true when the occurrence has something attached (minutes...), so
    #: that it must not be deleted with its schedule.
    attachment_checks: list[Callable[[Any], bool]] = field(default_factory=list)

    def add_section(self, section: DashboardSection) -> None:
        self.dashboard_sections.append(section)
        self.dashboard_sections.sort(key=lambda s: s.order)

    def add_panel(self, panel: MeetingPanel) -> None:
        self.meeting_panels.append(panel)
        self.meeting_panels.sort(key=lambda p: p.order)


def init_app(app: Flask) -> Wiring:
    wiring = Wiring()
    app.extensions[EXTENSION_KEY] = wiring
    return wiring


def of(app: Flask | None = None) -> Wiring:
    """The current app's wiring (``of(app)`` during start-up)."""
    target = app if app is not None else current_app
    wiring: Wiring = target.extensions[EXTENSION_KEY]
    return wiring
