"""Secrets that travel in URLs, and the one list of patterns that hides them.

A speaker's private link (``/cfp/s/<token>``), a late-submission link (``?late=<token>``), the
"received" page of a submission (``/cfp/received/<token>``), a private calendar feed
(``/calendar/private/<token>.ics``) and a subscriber's confirmation and unsubscribe links
(``/subscriptions/confirm/<token>``, ``/subscriptions/unsubscribe/<token>``) work for anyone who
has the URL. Cadence stores only their hashes; :func:`redact` removes them from the text that
would otherwise keep them: the access logs Cadence configures (``webapp.logs``) and sent mail in
the outbox (``webapp.mail``). A new kind of token in a URL gets its pattern here, once.
"""

from __future__ import annotations

import re


def _spelled(word: str) -> str:
    """``word`` as a request line may spell it: each character plain or percent-encoded."""
    return "".join(f"(?:{re.escape(c)}|%{ord(c):02x})" for c in word)


#: A path separator as the raw request line may write it: repeated or percent-encoded.
_SLASH = r"(?:/|%2f)+"
_END = r"[^/?#\s\"'<>%]|%(?!2f)[0-9a-f]{2}"

#: Each pattern keeps group 1 (what precedes the token) and replaces the token itself. Raw
#: request lines (gunicorn logs them undecoded) may spell the way to a token oddly, for example
#: ``/cfp//s/...`` or ``/cfp/%73/...``: the patterns match those spellings too.
TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"({_SLASH}{_spelled('cfp')}{_SLASH}{_spelled('s')}{_SLASH})(?:{_END})+", re.I),
    re.compile(
        rf"({_SLASH}{_spelled('cfp')}{_SLASH}{_spelled('received')}{_SLASH})(?:{_END})+", re.I
    ),
    re.compile(
        rf"({_SLASH}{_spelled('calendar')}{_SLASH}{_spelled('private')}{_SLASH})(?:{_END})+",
        re.I,
    ),
    re.compile(rf"((?:^|[?&;]){_spelled('late')}(?:=|%3d))[^&;#\s\"'<>]+", re.I),
    re.compile(
        rf"({_SLASH}{_spelled('subscriptions')}{_SLASH}"
        rf"(?:{_spelled('confirm')}|{_spelled('unsubscribe')}){_SLASH})(?:{_END})+",
        re.I,
    ),
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with every token of :data:`TOKEN_PATTERNS` replaced by ``[redacted]``."""
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text
