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
long. ``linkify_inline`` replaces markdown-it's inline rule with one that looks the links of the
whole text up once; ``LinearLinkify`` answers markdown-it's core rule.
"""

from __future__ import annotations

import re

from linkify_it import LinkifyIt
from linkify_it.main import Match
from markdown_it.rules_inline import StateInline

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

    def match_at_start(self, text: str) -> Match | None:  # pragma: no cover - see linkify_inline
        raise NotImplementedError("markdown-it's inline linkify rule is replaced: it is quadratic")


def _scheme_links(state: StateInline) -> dict[int, Match]:
    """The links with a ``scheme://`` in the text being parsed, by the position of their ``:``;
    found once per text (word by word, as above) and kept for the rest of its parse."""
    cache: dict[str, tuple[str, dict[int, Match]]] = state.env.setdefault("cadence_links", {})
    found = cache.get("links")
    if found is None or found[0] is not state.src:
        by_colon = {}
        for match in find_links(state.src):
            colon = match.index + len(match.schema) - 1
            if match.schema.endswith(":") and state.src.startswith("://", colon):
                by_colon[colon] = match
        found = (state.src, by_colon)
        cache["links"] = found
    return found[1]


def linkify_inline(state: StateInline, silent: bool) -> bool:
    """markdown-it's inline ``linkify`` rule, linear: a ``scheme://`` link is taken whole while
    the text is parsed (so that ``*`` or ``_`` inside it never starts emphasis), from the links
    found once for the text instead of a search of everything typed before each ``://``."""
    pos = state.pos
    if state.linkLevel > 0 or not state.src.startswith("://", pos):
        return False
    match = _scheme_links(state).get(pos)
    if match is None:
        return False
    proto = state.src[match.index : pos]
    if not state.pending.endswith(proto):
        return False
    raw = match.raw.rstrip("*")  # a '*' at the end closes emphasis, as markdown-it does
    url = match.url[: len(match.url) - (len(match.raw) - len(raw))]
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[: -len(proto)] if proto else state.pending
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup, token.info = "linkify", "auto"
        state.push("text", "", 0).content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup, token.info = "linkify", "auto"
    state.pos = match.index + len(raw)
    return True
