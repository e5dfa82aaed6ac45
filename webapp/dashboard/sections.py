"""The dashboard's sections: each gathers what needs doing for one part of the page.

A section function takes ``now`` and the signed-in ``user`` and returns the template context for
its part of the page, or None to leave it out. It must run a bounded number of queries, whatever
the amount of data (the dashboard's query count is tested on a small and a large database).
Sections are registered in ``webapp.dashboard.init_app`` (``wiring.DashboardSection``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from webapp import wiring
from webapp.models import User


@dataclass(frozen=True)
class Section:
    template: str
    context: dict[str, Any]


def build(user: User, now: datetime) -> list[Section]:
    sections = []
    for provider in wiring.of().dashboard_sections:
        if provider.roles and not user.has_role(*provider.roles):
            continue
        context = provider.func(now, user)
        if context is not None:
            sections.append(Section(provider.template, context))
    return sections
