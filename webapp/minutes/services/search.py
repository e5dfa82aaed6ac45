"""Full-text search over published minutes: SQLite FTS5 or PostgreSQL full-text search.

A query is words and "quoted phrases"; a minutes matches when it contains every one of them (a
word or phrase is a run of adjacent words on both databases: ``vm_page`` is "vm page"). Results
come best first (FTS5's bm25, PostgreSQL's ts_rank), the newest meeting first among equals, with a
highlighted snippet. Drafts are never searched; private series only for scribes and organizers.
The index is described in ``webapp/models/search.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from markupsafe import Markup, escape

from webapp.extensions import db
from webapp.models import Minutes, MinutesState, Occurrence, Series
from webapp.models.search import PG_COLUMN, PG_DOCUMENT

#: At most this many words and phrases are used (the rest is ignored, and said so).
MAX_TERMS = 12
MAX_QUERY = 300
PER_PAGE = 20
#: Marks around a match in a snippet: private-use characters, escaped text cannot contain them.
START, STOP = "\ue000", "\ue001"


class BadQuery(ValueError):
    pass


def terms_of(query: str) -> list[str]:
    """``sx lock "the preferred one"`` → ``["sx", "lock", "the preferred one"]`` (each term's
    words joined by one space; terms without a letter or digit dropped)."""
    query = query[:MAX_QUERY].replace(START, " ").replace(STOP, " ")
    out: list[str] = []
    for index, part in enumerate(query.split('"')):
        pieces = [part] if index % 2 else part.split()
        for piece in pieces:
            words = "".join(c if c.isalnum() else " " for c in piece).split()
            if words:
                out.append(" ".join(words).casefold())
    seen: dict[str, None] = {}
    for term in out:
        seen.setdefault(term, None)
    return list(seen)[:MAX_TERMS]


@dataclass
class Hit:
    series: Series
    day: date
    snippet: Markup
    #: The meeting's key: its date, or ``date-suffix`` for a second meeting that day.
    key: str = ""


_M = f"[{START}{STOP}]*"  # match marks may sit between markup and its words
#: Markdown markup in a snippet (the index holds the source): line starts (headings, quotes,
#: list items, rules), emphasis and code marks, and the link part of ``[text](url)``.
_LINE_MARKUP = re.compile(
    rf"^[ \t]*{_M}(?:#{{1,6}}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+)+", re.M
)
_RULE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.M)
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|`+|~~)")


def plain_snippet(text: str) -> str:
    """A snippet of Markdown source as the words a reader sees: ``## Notes`` → ``Notes``,
    ``**Name:** Ada`` → ``Name: Ada``, ``[the wiki](https://…)`` → ``the wiki``. A snippet is
    a fragment (it may cut a link or an emphasis in two): what is left of the markup goes too."""
    text = _RULE.sub("", text)
    text = _LINE_MARKUP.sub(lambda m: "".join(c for c in m.group() if c in (START, STOP)), text)
    text = _LINK.sub(r"\1", text)
    return _EMPHASIS.sub("", text)


def _highlight(text: str | None) -> Markup:
    """Escape the snippet (its Markdown shown as plain text), then turn the match marks into
    ``<mark>``."""
    text = " ".join(plain_snippet(text or "").split())
    if text.count(START) != text.count(STOP):
        text = text.replace(START, "").replace(STOP, "")
    safe = str(escape(text))
    return Markup(safe.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


def _visible(public_only: bool) -> list[sa.ColumnElement[bool]]:
    conditions = [Minutes.state == MinutesState.PUBLISHED]
    if public_only:
        conditions.append(Series.public.is_(True))
    return conditions


def _sqlite(terms: list[str], public_only: bool, offset: int) -> tuple[list[tuple[int, str]], int]:
    match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    fts = sa.table("minutes_fts", sa.column("rowid"))
    base = (
        sa.select(Minutes.id)
        .join(fts, fts.c.rowid == Minutes.id)
        .join(Occurrence, Minutes.occurrence_id == Occurrence.id)
        .join(Series, Occurrence.series_id == Series.id)
        .where(sa.text("minutes_fts MATCH :match"), *_visible(public_only))
    )
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(base.subquery()), {"match": match}
    )
    snippet = sa.text(f"snippet(minutes_fts, -1, '{START}', '{STOP}', ' … ', 24)")
    rows = db.session.execute(
        base.add_columns(snippet)
        .order_by(sa.text("bm25(minutes_fts)"), Occurrence.original_date.desc(), Minutes.id.desc())
        .limit(PER_PAGE)
        .offset(offset),
        {"match": match},
    ).all()
    return [(r[0], r[1]) for r in rows], int(total or 0)


def _postgres(
    terms: list[str], public_only: bool, offset: int
) -> tuple[list[tuple[int, str]], int]:
    query = " && ".join(f"phraseto_tsquery('simple'::regconfig, :t{i})" for i in range(len(terms)))
    params: dict[str, object] = {f"t{i}": t for i, t in enumerate(terms)}
    params.update(published=MinutesState.PUBLISHED.value, limit=PER_PAGE, offset=offset)
    public = "AND s.public" if public_only else ""
    matching = f"""
        FROM minutes m JOIN occurrences o ON m.occurrence_id = o.id
        JOIN series s ON o.series_id = s.id
        WHERE m.state = :published {public} AND m.{PG_COLUMN} @@ ({query})"""
    total = db.session.execute(sa.text(f"SELECT count(*) {matching}"), params).scalar()
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
    # The headline is computed for this page's rows only (the inner query sorts and limits).
    # Only constants and numbered placeholders (:t0, :t1...) are formatted into the SQL.
    statement = f"""
        SELECT page.id, ts_headline('simple'::regconfig, page.document, ({query}), '{options}')
        FROM (SELECT m.id, {PG_DOCUMENT} AS document, o.original_date AS day,
                     ts_rank(m.{PG_COLUMN}, ({query})) AS rank
              {matching}
              ORDER BY rank DESC, day DESC, m.id DESC LIMIT :limit OFFSET :offset) AS page
        ORDER BY page.rank DESC, page.day DESC, page.id DESC"""  # noqa: S608
    rows = db.session.execute(sa.text(statement), params).all()
    return [(r[0], r[1]) for r in rows], int(total or 0)


def search(query: str, *, public_only: bool, page: int = 1) -> tuple[list[Hit], int]:
    """(hits of this page, total). Raises ``BadQuery`` for a query without a word."""
    terms = terms_of(query)
    if not terms:
        raise BadQuery(
            f"“{query[:40]}” has no word to search for (punctuation alone is ignored): "
            "type a word or a “quoted phrase”"
        )
    offset = (max(page, 1) - 1) * PER_PAGE
    if db.session.get_bind().dialect.name == "sqlite":
        rows, total = _sqlite(terms, public_only, offset)
    else:
        rows, total = _postgres(terms, public_only, offset)
    found = {
        m.id: m
        for m in db.session.scalars(sa.select(Minutes).where(Minutes.id.in_([r[0] for r in rows])))
    }
    series = {s.id: s for s in db.session.scalars(sa.select(Series))}
    hits = []
    for minutes_id, text in rows:
        minutes = found[minutes_id]
        occurrence = minutes.occurrence
        hits.append(
            Hit(
                series[occurrence.series_id],
                occurrence.original_date,
                _highlight(text),
                occurrence.key,
            )
        )
    return hits, total
