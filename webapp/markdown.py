"""Markdown for text people type (series descriptions, minutes): CommonMark, no raw HTML.

Raw HTML is escaped by the parser, and what it produces is cleaned again with nh3 so that only
http, https and mailto links survive (``javascript:`` and ``data:`` links are dropped).
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MD = MarkdownIt("commonmark", {"html": False})
_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> Markup:
    """``text`` as safe HTML."""
    if not text:
        return Markup("")
    html = _MD.render(text)
    return Markup(nh3.clean(html, url_schemes=_SCHEMES, link_rel="noopener noreferrer nofollow"))  # noqa: S704 - cleaned by nh3
