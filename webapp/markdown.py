"""Markdown for organizer-written texts: CommonMark without raw HTML, then nh3-cleaned."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False})


def render_markdown(text: str | None) -> Markup:
    html = _md.render(text or "")
    cleaned = nh3.clean(
        html,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - nh3 has sanitised it
