"""Invisible characters that no title or text reaching a feed may hold: one list for every entry
point (the organizer forms and the CLI through ``webapp.meetings.services.check_text``, the CFP
forms' ``PlainText``, the conference CLI, the minutes importer) and for the feed renderer, which
strips them from anything stored before they were refused.

Refused: the bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069), which
make text display in another order than it reads (a title that shows as ``exe.txt``); U+200B ZERO
WIDTH SPACE; U+FEFF ZERO WIDTH NO-BREAK SPACE (a byte order mark inside text). Kept: ZERO WIDTH
JOINER and NON-JOINER (emoji sequences, Persian and Indic names) and the LEFT-TO-RIGHT and
RIGHT-TO-LEFT MARKs (Hebrew and Arabic names with Latin parts): names need them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["HIDDEN", "describe", "hidden_in", "strip_hidden"]

HIDDEN = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff")
_HIDDEN_RE = re.compile("[" + "".join(sorted(HIDDEN)) + "]")


def hidden_in(value: str) -> str | None:
    """The first refused invisible character in ``value``, or None."""
    found = _HIDDEN_RE.search(value)
    return found.group() if found else None


def describe(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how messages name a refused character."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED')}"


def strip_hidden(value: str) -> str:
    """``value`` without the refused invisible characters (for text stored before)."""
    return _HIDDEN_RE.sub("", value)
