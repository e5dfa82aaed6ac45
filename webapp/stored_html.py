"""Markdown stored as HTML when it is saved, so that showing it never renders it.

Each text a public page shows as Markdown has a column beside it holding its HTML
(``Minutes.notes`` → ``notes_html``, ...: ``FIELDS``). A ``before_flush`` hook renders a text
whenever it is new or changed, whatever changed it (the editor, the importer, the live page, the
CLI, a demo), and an ORM ``UPDATE`` statement that sets a text sets its HTML too, so no code
path can store a text without its HTML. A change of the reference
patterns in the site settings re-renders every stored text in the same flush; ``flask markdown
render`` does it after an upgrade of the renderer or of ``REFERENCE_PATTERNS`` in the config.

Pages read ``html_of(obj, "notes")``: the stored HTML, or (for a row stored before the column
existed and not yet re-rendered) a render of the text.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy.orm import ORMExecuteState, Session

from webapp.extensions import db
from webapp.markdown import Patterns, compile_patterns, configured_patterns, render_markdown
from webapp.models import AgendaItem, Conference, Minutes, Series, SiteSettings
from webapp.settings import DEFAULT_REFERENCE_PATTERNS, as_dicts

#: The model, its Markdown attribute, and the attribute holding its HTML.
FIELDS: tuple[tuple[type[Any], str, str], ...] = (
    (Minutes, "notes", "notes_html"),
    (AgendaItem, "text", "text_html"),
    (Series, "description", "description_html"),
    (Series, "agenda_template", "agenda_template_html"),
    (Conference, "description", "description_html"),
    (Conference, "call_text", "call_text_html"),
)
_HTML_OF = {(model, source): html for model, source, html in FIELDS}


def html_of(obj: Any, source: str) -> Markup:
    """The HTML of ``obj.<source>``, as stored when it was saved."""
    stored = getattr(obj, _HTML_OF[(type(obj), source)])
    if stored is None:  # stored before HTML was; ``flask markdown render`` fills these
        return render_markdown(getattr(obj, source) or "")
    return Markup(stored)  # noqa: S704 - rendered and sanitised by render_markdown


def _patterns_of(row: SiteSettings) -> Patterns:
    raw = row.reference_patterns
    if raw is None:
        raw = as_dicts(current_app.config.get("REFERENCE_PATTERNS") or DEFAULT_REFERENCE_PATTERNS)
    return compile_patterns(tuple((str(p["pattern"]), str(p["url"])) for p in raw))


def _render(obj: Any, source: str, html: str, patterns: Patterns) -> None:
    setattr(obj, html, str(render_markdown(getattr(obj, source) or "", patterns=patterns)))


def render_all(session: Session, patterns: Patterns) -> int:
    """Render every stored text again (``patterns``: the reference patterns to link with)."""
    count = 0
    for model, source, html in FIELDS:
        for obj in session.scalars(sa.select(model)):
            _render(obj, source, html, patterns)
            count += 1
    return count


def _changed_settings(session: Session) -> SiteSettings | None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, SiteSettings) and (
            obj in session.new or sa.inspect(obj).attrs.reference_patterns.history.has_changes()
        ):
            return obj
    return None


def before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Render the Markdown of every new or changed text about to be written."""
    with session.no_autoflush:
        settings_row = _changed_settings(session)
        if settings_row is not None:
            render_all(session, _patterns_of(settings_row))
            return
        patterns: Patterns | None = None
        for obj in (*session.new, *session.dirty):
            for model, source, html in FIELDS:
                if not isinstance(obj, model):
                    continue
                state = sa.inspect(obj)
                if (
                    obj in session.new
                    or getattr(obj, html) is None
                    or state.attrs[source].history.has_changes()
                ):
                    patterns = patterns if patterns is not None else configured_patterns()
                    _render(obj, source, html, patterns)


def _value_of(values: dict[Any, Any], name: str) -> tuple[bool, Any]:
    for key, value in values.items():
        if getattr(key, "key", key) == name or getattr(key, "name", None) == name:
            return True, getattr(value, "effective_value", value)
    return False, None


def on_execute(state: ORMExecuteState) -> None:
    """An ORM ``UPDATE`` that sets a text (the minutes' versioned save is one) sets its HTML too;
    when the new text is an SQL expression, the HTML is cleared (pages render it then)."""
    if not state.is_update:
        return
    statement = state.statement
    table = getattr(getattr(statement, "table", None), "name", None)
    values: dict[Any, Any] = getattr(statement, "_values", None) or {}
    for model, source, html in FIELDS:
        if table != model.__table__.name:
            continue
        found, text = _value_of(values, source)
        if not found or _value_of(values, html)[0]:
            continue
        rendered = str(render_markdown(text)) if isinstance(text, str) else None
        statement = statement.values({html: rendered})  # type: ignore[attr-defined]
    state.statement = statement


def init_app(app: Flask) -> None:
    """Install the hook on the sessions of ``db`` (once: every app shares the extension) and
    offer ``html_of`` to templates."""
    if not sa.event.contains(db.session.session_factory, "before_flush", before_flush):
        sa.event.listen(db.session.session_factory, "before_flush", before_flush)
        sa.event.listen(db.session.session_factory, "do_orm_execute", on_execute)
    app.add_template_global(html_of)
