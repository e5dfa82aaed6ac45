"""Markdown for text people type (minutes, agendas, abstracts): CommonMark in, safe HTML out.

Raw HTML in the source is escaped (markdown-it's ``html: False``), the output goes through nh3
(an allow-list of tags and attributes; links only to http, https and mailto), and then references
such as ``D12345`` or ``Bug 229852`` become links through ``REFERENCE_PATTERNS`` — on text nodes
only, never inside an existing link or code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

import nh3
from flask import has_app_context
from markdown_it import MarkdownIt
from markupsafe import Markup

#: The bhyve community's references: Phabricator reviews and FreeBSD bugs.
DEFAULT_REFERENCE_PATTERNS: list[tuple[str, str]] = [
    (r"\bD(\d{3,7})\b", "https://reviews.freebsd.org/D{1}"),
    (r"\b(?:[Bb]ug|PR)\s+#?(\d{3,7})\b", "https://bugs.freebsd.org/bugzilla/show_bug.cgi?id={1}"),
]

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
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
#: Text inside these is left alone by reference linking.
NO_LINK_INSIDE = {"a", "code", "pre"}

_md = MarkdownIt("commonmark", {"html": False})


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
        from webapp import settings

        raw = [(p["pattern"], p["url"]) for p in settings.current().reference_patterns]
    return compile_patterns(tuple((str(p[0]), str(p[1])) for p in raw))


def clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def link_text(text: str, patterns: Sequence[tuple[re.Pattern[str], str]]) -> str:
    """Escape ``text`` and turn each reference in it into a link (first pattern wins)."""
    spans: list[tuple[int, int, str]] = []
    for regex, template in patterns:
        for m in regex.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _ in spans):
                continue
            try:
                url = template.format(m.group(0), *m.groups(), **m.groupdict())
            except (IndexError, KeyError):
                continue
            spans.append((m.start(), m.end(), url))
    if not spans:
        return escape(text, quote=False)
    out, pos = [], 0
    for start, end, url in sorted(spans):
        out.append(escape(text[pos:start], quote=False))
        out.append(
            f'<a href="{escape(url)}" class="ref">{escape(text[start:end], quote=False)}</a>'
        )
        pos = end
    out.append(escape(text[pos:], quote=False))
    return "".join(out)


class _Linker(HTMLParser):
    """Re-emits sanitised HTML, linking references in text outside links and code."""

    def __init__(self, patterns: Sequence[tuple[re.Pattern[str], str]]) -> None:
        super().__init__(convert_charrefs=True)
        self.patterns = patterns
        self.out: list[str] = []
        self.inside: list[str] = []

    def _attrs(self, attrs: Iterable[tuple[str, str | None]]) -> str:
        return "".join(f' {k}="{escape(v or "")}"' for k, v in attrs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(f"<{tag}{self._attrs(attrs)}>")
        if tag not in {"br", "hr", "img"}:
            self.inside.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(f"<{tag}{self._attrs(attrs)}>")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag in self.inside:
            while self.inside and self.inside.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if NO_LINK_INSIDE.intersection(self.inside):
            self.out.append(escape(data, quote=False))
        else:
            self.out.append(link_text(data, self.patterns))


def link_references(
    html: str, patterns: Sequence[tuple[re.Pattern[str], str]] | None = None
) -> str:
    """Link references in the text nodes of sanitised ``html``; the result is cleaned again."""
    patterns = configured_patterns() if patterns is None else patterns
    if not patterns:
        return html
    linker = _Linker(patterns)
    linker.feed(html)
    linker.close()
    return clean("".join(linker.out))


def render_markdown(text: str, *, references: bool = True) -> Markup:
    """CommonMark ``text`` as safe HTML: no raw HTML, no script, no event handlers, no
    ``javascript:`` or ``data:`` links."""
    html = clean(_md.render(text or ""))
    if references:
        html = link_references(html)
    return Markup(html)  # noqa: S704 - sanitised by nh3 just above


def render_inline(text: str) -> Markup:
    """One line of text (a follow-up, a decision, a review title) with its references linked."""
    return Markup(link_references(escape(text or "", quote=False)))  # noqa: S704 - escaped and cleaned
