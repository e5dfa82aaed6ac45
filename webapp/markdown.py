"""Markdown for text people type (minutes, agendas, abstracts): GitHub-flavoured Markdown in, safe
HTML out.

CommonMark plus GitHub's tables, ``~~strikethrough~~`` and task lists (``- [ ]``, ``- [x]``, shown
as disabled checkboxes; ``mdit-py-plugins``). Raw HTML in the source is escaped (markdown-it's
``html: False``) except HTML comments, which are dropped (``webapp.markdown_rules``); bare URLs
become links (linkify-it's matcher, run word by word so that it is linear: ``webapp.linkify``),
references such as ``D12345`` or ``Bug 229852`` become links through the site's reference
patterns, and the output goes through nh3 (an allow-list of tags and attributes; links only to
http, https and mailto; the only input is a disabled checkbox).

References are linked on the parsed document, in text outside links and code, in one pass over
each text: rendering takes time linear in the input (no re-parsing of the HTML, no comparison of
every match with every other).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from html import escape
from typing import Any

import nh3
from flask import has_app_context
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

from webapp import settings
from webapp.linkify import LinearLinkify, find_links, linkify_inline
from webapp.markdown_rules import use_comments, use_linear_tasklists
from webapp.settings import DEFAULT_REFERENCE_PATTERNS

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "img",
    "del",
    "s",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "input": {"type", "disabled", "checked"},
}
#: Task lists' checkboxes: whatever the source, an input is a disabled checkbox.
FORCED_VALUES = {"input": {"type": "checkbox", "disabled": "disabled"}}
#: The only values the attributes below may hold. (Tables' column alignment comes as a style
#: attribute, which the strict CSP would refuse: it is dropped.)
ALLOWED_VALUES = {("input", "checked"): {"checked"}}
ALLOWED_CLASSES = {
    "ul": {"contains-task-list"},
    "ol": {"contains-task-list"},
    "li": {"task-list-item"},
    "input": {"task-list-item-checkbox"},
}
URL_SCHEMES = {"http", "https", "mailto"}

Patterns = Sequence[tuple[re.Pattern[str], str]]


class PatternError(ValueError):
    pass


@lru_cache(maxsize=16)
def compile_patterns(
    patterns: tuple[tuple[str, str], ...],
) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Compile ``(regex, url template)`` pairs; the message names a broken one."""
    compiled = []
    for item in patterns:
        try:
            regex, template = item
            compiled.append((re.compile(regex), str(template)))
        except (re.error, TypeError, ValueError) as exc:
            raise PatternError(
                f"REFERENCE_PATTERNS entry {item!r} is not (regex, url template): {exc}"
            ) from None
    return tuple(compiled)


def configured_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The site's patterns: the admin's settings, else ``REFERENCE_PATTERNS``, else the defaults."""
    raw: Iterable[Sequence[str]] = DEFAULT_REFERENCE_PATTERNS
    if has_app_context():
        raw = [(p["pattern"], p["url"]) for p in settings.current().reference_patterns]
    return compile_patterns(tuple((str(p[0]), str(p[1])) for p in raw))


def _attribute_value(tag: str, name: str, value: str) -> str | None:
    allowed = ALLOWED_VALUES.get((tag, name))
    return value if allowed is None or value in allowed else None


def clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_value,
        set_tag_attribute_values=FORCED_VALUES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def reference_spans(text: str, patterns: Patterns) -> list[tuple[int, int, str]]:
    """``(start, end, url)`` of each reference in ``text``, in order; the first pattern wins.

    A match is kept when none of its characters is taken by an earlier pattern's match: checking
    costs the match's length, so the whole is linear in the text (per pattern)."""
    taken = bytearray(len(text))
    spans: list[tuple[int, int, str]] = []
    for regex, template in patterns:
        for m in regex.finditer(text):
            start, end = m.span()
            if start == end or any(taken[start:end]):
                continue
            try:
                url = template.format(m.group(0), *m.groups(), **m.groupdict())
            except (IndexError, KeyError):
                continue
            taken[start:end] = b"\x01" * (end - start)
            spans.append((start, end, url))
    spans.sort()
    return spans


def link_text(text: str, patterns: Patterns) -> str:
    """Escape ``text`` and turn each reference in it into a link."""
    out, pos = [], 0
    for start, end, url in reference_spans(text, patterns):
        out.append(escape(text[pos:start], quote=False))
        out.append(f'<a href="{escape(url)}">{escape(text[start:end], quote=False)}</a>')
        pos = end
    out.append(escape(text[pos:], quote=False))
    return "".join(out)


def _reference_tokens(token: Token, patterns: Patterns) -> list[Token]:
    """A text token split into text and link tokens around its references."""
    spans = reference_spans(token.content, patterns)
    if not spans:
        return [token]
    out: list[Token] = []
    pos = 0
    for start, end, url in spans:
        if start > pos:
            out.append(Token("text", "", 0, content=token.content[pos:start]))
        out.append(Token("link_open", "a", 1, attrs={"href": url}))
        out.append(Token("text", "", 0, content=token.content[start:end]))
        out.append(Token("link_close", "a", -1))
        pos = end
    if pos < len(token.content):
        out.append(Token("text", "", 0, content=token.content[pos:]))
    return out


def _references_rule(state: StateCore) -> None:
    """Link references in text outside links (bare URLs were linked by linkify just before)."""
    patterns: Patterns = state.env.get("cadence_reference_patterns") or ()
    if not patterns:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        for child in block.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            if child.type == "text" and depth == 0:
                children.extend(_reference_tokens(child, patterns))
            else:
                children.append(child)
        block.children = children


def _parser() -> MarkdownIt:
    """CommonMark with GitHub's tables, strikethrough, task lists and bare-URL links.

    markdown-it's inline linkify rule (``scheme://`` links, while parsing) re-searched the text
    typed so far at every ``://``: ``linkify_inline`` replaces it; the core rule (``www.``,
    e-mail addresses, after parsing) asks ``LinearLinkify``."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": True})
    md.linkify = LinearLinkify()  # type: ignore[assignment]
    md.enable(["linkify", "table", "strikethrough"])
    md.inline.ruler.at("linkify", linkify_inline)
    md.core.ruler.after("linkify", "references", _references_rule)
    use_comments(md)
    use_linear_tasklists(md)
    return md


_md = _parser()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Parsing makes hundreds of thousands of short-lived objects and no reference cycles: the
    cycle collector's passes over them doubled the time of a large render (and made it grow
    faster than the text). Refcounting frees them; the collector runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_markdown(
    text: str, *, references: bool = True, patterns: Patterns | None = None
) -> Markup:
    """Markdown ``text`` as safe HTML: no raw HTML, no script, no event handlers, no
    ``javascript:`` or ``data:`` links; bare URLs and references linked (with ``patterns``, else
    the site's)."""
    if patterns is None:
        patterns = configured_patterns() if references else ()
    env: dict[str, Any] = {"cadence_reference_patterns": patterns}
    with _no_cycle_collection():
        html = _md.render(text or "", env)
    return Markup(clean(html))  # noqa: S704 - sanitised by nh3


def render_inline(text: str) -> Markup:
    """One line of plain text (a follow-up, a decision, a review title): bare URLs and references
    linked, nothing else interpreted."""
    text = text or ""
    patterns = configured_patterns()
    out, pos = [], 0
    for match in find_links(text):
        out.append(link_text(text[pos : match.index], patterns))
        url, shown = escape(match.url), escape(match.text, quote=False)
        out.append(f'<a href="{url}">{shown}</a>')
        pos = match.last_index
    out.append(link_text(text[pos:], patterns))
    return Markup(clean("".join(out)))  # noqa: S704 - escaped and cleaned
