"""Full-text search over published minutes: ``/search?q=``."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from webapp.converters import positive_int
from webapp.minutes.services.search import PER_PAGE, BadQuery, search, terms_of
from webapp.minutes.views.helpers import bp, can_edit
from webapp.security import public


@bp.route("/search")
@public
def search_page() -> ResponseReturnValue:
    query = request.args.get("q", "").strip()
    page = positive_int(request.args.get("page")) or 1
    page = page if page < 10_000 else 1
    context = {"query": query, "hits": [], "total": 0, "page": page, "error": None}
    if query:
        try:
            hits, total = search(query, public_only=not can_edit(), page=page)
        except BadQuery as exc:
            context["error"] = str(exc) + "."
        else:
            pages = max(1, -(-total // PER_PAGE))
            context.update(hits=hits, total=total, pages=pages, terms=terms_of(query))
    # A query without a word is a mistake to point out beside the field, not a bad request.
    return render_template("minutes/search.html", **context)
