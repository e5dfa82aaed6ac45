"""Minutes as HTML, rendered once per revision and kept (pages and the feed ask often)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

from markupsafe import Markup

from webapp.markdown import configured_patterns, render_markdown
from webapp.models import Minutes

#: Revisions kept rendered in each process (the newest pages are the ones asked for).
CACHE_SIZE = 128
_cache: OrderedDict[tuple[Any, ...], Markup] = OrderedDict()


def notes_html(minutes: Minutes) -> Markup:
    """The notes of ``minutes`` as HTML, from the cache when this revision was rendered before.

    The key names the revision and a digest of its text (so that two databases, as in tests,
    never share an entry) and the reference patterns in force."""
    digest = hashlib.sha256(minutes.notes.encode()).digest()
    key = (minutes.id, minutes.version, digest, configured_patterns())
    html = _cache.get(key)
    if html is None:
        html = render_markdown(minutes.notes)
        _cache[key] = html
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return html
