"""Minutes, follow-ups, people and the review queue (blueprint, CLI, template helpers)."""

from __future__ import annotations

from flask import Flask

from webapp.config import ConfigError


def init_app(app: Flask) -> None:
    from webapp import markdown
    from webapp.meetings import services as meetings
    from webapp.minutes import feedlinks, services  # noqa: F401 - feedlinks registers itself
    from webapp.minutes.views import bp, template_helpers

    app.config.setdefault("REFERENCE_PATTERNS", list(markdown.DEFAULT_REFERENCE_PATTERNS))
    try:
        markdown.compile_patterns(tuple(tuple(p) for p in app.config["REFERENCE_PATTERNS"]))
    except (markdown.PatternError, TypeError) as exc:
        raise ConfigError(str(exc)) from None
    app.register_blueprint(bp)
    app.context_processor(template_helpers)
    if services.has_attachments not in meetings.ATTACHMENT_CHECKS:
        meetings.ATTACHMENT_CHECKS.append(services.has_attachments)
