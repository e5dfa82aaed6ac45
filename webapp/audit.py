"""Write audit entries in the caller's transaction (the caller commits, or nothing is kept)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import current_user

from webapp.extensions import db
from webapp.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in user, a speaker's private link, the CLI or the system."""

    label: str
    user_id: int | None = None

    @classmethod
    def current(cls) -> Actor:
        """The signed-in user of this request (views only: services take an explicit Actor)."""
        if current_user.is_authenticated:
            return cls(label=current_user.email, user_id=current_user.id)
        return cls(label="anonymous")


CLI = Actor(label="cli")
SYSTEM = Actor(label="system")


def record(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        user_id=actor.user_id,
        actor=actor.label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
        changes=changes or {},
    )
    db.session.add(entry)
    return entry


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{field: [old, new]}`` for the fields that changed, JSON-friendly."""
    return {
        k: [_plain(before.get(k)), _plain(after.get(k))]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return str(value)
