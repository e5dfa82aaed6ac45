"""Diffs between revisions (and between two editors' texts on a conflict)."""

from __future__ import annotations

import difflib

from webapp.models import (
    MinutesRevision,
)


def text_diff(
    old: str, new: str, old_label: str = "before", new_label: str = "after"
) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs; kind is one of ``add``, ``del``, ``hunk``, ``same``."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="", n=2
    )
    out: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line))
    return out


def revision_text(rev: MinutesRevision) -> str:
    """A revision as one text, for diffs: state, attendees, decisions and notes."""
    return (
        f"State: {rev.state}\n\nAttendees:\n{rev.attendees}\n\nDecisions:\n{rev.decisions}\n\n"
        f"Notes:\n{rev.notes}"
    )
