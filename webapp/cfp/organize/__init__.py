"""Organizer and reviewer pages: conferences, submissions, review, decisions, programme, mail.

One module per page group; each adds its routes to the one ``organize`` blueprint.
"""

from __future__ import annotations

from webapp.cfp.organize import (
    assignments,
    conferences,
    decisions,
    mail_pages,
    programme,
    submissions,
)
from webapp.cfp.organize.blueprint import bp

__all__ = [
    "assignments",
    "bp",
    "conferences",
    "decisions",
    "mail_pages",
    "programme",
    "submissions",
]
