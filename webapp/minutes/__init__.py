"""Minutes, follow-ups, people and the review queue (blueprint, CLI, template helpers)."""

from __future__ import annotations

from flask import Flask

from webapp.config import ConfigError


def init_app(app: Flask) -> None:
    from webapp import markdown, settings, wiring
    from webapp.minutes import feedlinks, services
    from webapp.minutes.templating import meeting_panel, template_helpers
    from webapp.minutes.views import bp
    from webapp.wiring import MeetingPanel

    app.config.setdefault("REFERENCE_PATTERNS", list(settings.DEFAULT_REFERENCE_PATTERNS))
    try:
        markdown.compile_patterns(tuple(tuple(p) for p in app.config["REFERENCE_PATTERNS"]))
    except (markdown.PatternError, TypeError) as exc:
        raise ConfigError(str(exc)) from None
    app.register_blueprint(bp)
    app.context_processor(template_helpers)
    board = wiring.of(app)
    board.occurrence_linkers.append(feedlinks.LINKER)
    board.attachment_checks.append(services.has_attachments)
    board.add_panel(MeetingPanel(10, "minutes/_meeting.html", meeting_panel))
