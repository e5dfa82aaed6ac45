"""Bare URLs found in time linear in the text: linkify-it's matcher, one word at a time.

``linkify-it-py`` decides what a link is (schemes, ``www.``, known top-level domains, e-mail
addresses, where a path ends) and Cadence keeps that behaviour on real text. What it does not
bound is its cost: its path expressions rescan the rest of the text for every bracket or query
mark (``"http://a/(" * 200`` is 25 ms at 2 KB, 16x for 4x the text), and markdown-it's inline rule
searched everything typed since the last token at each ``://`` (``"http://x." * 20000`` never
finished). A link never contains white space, so the matcher here runs linkify-it on each
white-space-separated word, and only on words short enough (``MAX_WORD``) and holding one of the
characters every link holds (``:``, ``.``, ``@``): the cost of one word is bounded, so the whole is
linear in the text. A word longer than ``MAX_WORD`` characters is left as text; no real URL is that
long.
"""

from __future__ import annotations

import re

from linkify_it import LinkifyIt
from linkify_it.main import Match

#: The longest word (run of non-space characters) looked at for links.
MAX_WORD = 1000

_WORD = re.compile(r"\S+")
_matcher = LinkifyIt()


def _candidate(word: str) -> bool:
    return len(word) <= MAX_WORD and ("." in word or ":" in word or "@" in word)


def find_links(text: str) -> list[Match]:
    """linkify-it's matches in ``text``, positions relative to ``text``, in order."""
    if not ("." in text or ":" in text or "@" in text):
        return []
    found: list[Match] = []
    for word in _WORD.finditer(text):
        if not _candidate(word.group()):
            continue
        for match in _matcher.match(word.group()) or ():
            match.index += word.start()
            match.last_index += word.start()
            found.append(match)
    return found


class LinearLinkify:
    """What markdown-it's core ``linkify`` rule asks of ``md.linkify``, answered by word."""

    def pretest(self, text: str) -> bool:
        return "." in text or ":" in text or "@" in text

    def test(self, text: str) -> bool:
        """Cheap: ``match`` (called next) does the work once."""
        return self.pretest(text)

    def match(self, text: str) -> list[Match] | None:
        return find_links(text) or None

    def match_at_start(self, text: str) -> Match | None:  # pragma: no cover - inline rule is off
        raise NotImplementedError("the inline linkify rule is disabled: it is quadratic")
