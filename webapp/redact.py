"""Secrets that travel in URLs, and the one list of patterns that hides them.

A speaker's private link (``/cfp/s/<token>``), a late-submission link (``?late=<token>``) and
the "received" page of a submission (``/cfp/received/<token>``) work for anyone who has the
URL. Cadence stores only their hashes; :func:`redact` removes them from the text that would
otherwise keep them: the access logs Cadence configures (``webapp.logs``) and sent mail in the
outbox (``webapp.mail``). A new kind of token in a URL gets its pattern here, once.
"""

from __future__ import annotations

import re

#: Each pattern keeps group 1 (what precedes the token) and replaces the token itself.
TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(/cfp/s/)[^/?#\s\"'<>]+"),
    re.compile(r"(/cfp/received/)[^/?#\s\"'<>]+"),
    re.compile(r"((?:^|[?&;])late=)[^&;#\s\"'<>]+"),
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with every token of :data:`TOKEN_PATTERNS` replaced by ``[redacted]``."""
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text
