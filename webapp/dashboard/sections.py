"""The dashboard's sections: each area registers a function that gathers what needs doing.

A section function takes ``now`` and the signed-in ``user`` and returns the template context for
its part of the page, or None to leave it out. It must run a bounded number of queries, whatever the amount of data (the
dashboard's query count is tested on a small and a large database).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from webapp.models import User

SectionFunc = Callable[[datetime, User], dict[str, Any] | None]


@dataclass(frozen=True)
class Provider:
    order: int
    roles: tuple[str, ...]
    template: str
    func: SectionFunc


@dataclass(frozen=True)
class Section:
    template: str
    context: dict[str, Any]


PROVIDERS: list[Provider] = []


def section(
    order: int, template: str, roles: tuple[str, ...] = ()
) -> Callable[[SectionFunc], SectionFunc]:
    """Register a dashboard section shown to users with any of ``roles`` (all users if empty)."""

    def decorate(func: SectionFunc) -> SectionFunc:
        PROVIDERS.append(Provider(order, roles, template, func))
        PROVIDERS.sort(key=lambda p: p.order)
        return func

    return decorate


def build(user: User, now: datetime) -> list[Section]:
    sections = []
    for provider in PROVIDERS:
        if provider.roles and not user.has_role(*provider.roles):
            continue
        context = provider.func(now, user)
        if context is not None:
            sections.append(Section(provider.template, context))
    return sections
