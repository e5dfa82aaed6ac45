"""Mail templates: rendered only by the outbox worker, in a sandbox bounded in time and memory.

Hostile templates are refused at save (nested loops, ``~`` doubling, every growing filter and
operator); a CFP POST never renders a template; a message whose edited template fails at send
time goes out with the default text, and the organizers see why.
"""

from __future__ import annotations

import html
import threading
import time

import pytest
import sqlalchemy as sa

from tests.cfp.conftest import post_submission
from tests.conftest import csrf_token_from
from webapp import mail, mail_render, mail_sandbox, mail_texts
from webapp.extensions import db
from webapp.models import MailTemplate, OutboxMessage

NESTED = (
    "{% for a in range(100) %}{% for b in range(100) %}{% for c in range(100) %}"
    "{% for d in range(100) %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
)
HOSTILE = [
    (NESTED, "CPU time"),
    (
        "{% set ns = namespace(x='ab') %}{% for i in range(60) %}"
        "{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x|length }}",
        "longer than 50,000 characters",
    ),
    (
        "{% set ns = namespace(x='ab') %}{% for i in range(60) %}"
        "{% set ns.x = ns.x + ns.x %}{% endfor %}",
        "longer than 50,000 characters",
    ),
    (
        "{% set ns = namespace(x=[1]) %}{% for i in range(60) %}"
        "{% set ns.x = ns.x + ns.x %}{% endfor %}",
        "longer than 10,000 items",
    ),
    (
        "{% set ns = namespace(x='ab') %}{% for i in range(60) %}"
        "{% set b %}{{ ns.x }}{{ ns.x }}{% endset %}{% set ns.x = b %}{% endfor %}",
        "longer than 50,000 characters",
    ),
    ("{{ 'x'|center(100000000) }}", "longer than 50,000 characters"),
    ("{{ '%999999999s'|format(1) }}", "format width"),
    ("{{ '%999999999s' % 1 }}", "format width"),
    ("{{ ('x' * 40000)|replace('x', 'xx') }}", "longer than 50,000 characters"),
    ("{{ ('x' * 40000).replace('', 'yy') }}", "longer than 50,000 characters"),
    ("{{ ('\n' * 40000)|indent(100) }}", "longer than 50,000 characters"),
    ("{% set a = 'x' * 40000 %}{{ [a, a]|join }}", "longer than 50,000 characters"),
    ("{{ [1]|batch(1000000000, 0)|list }}", "at most 10,000"),
    ("{{ ('a ' * 20000)|wordwrap(1, wrapstring='x' * 40000) }}", "longer than 50,000"),
    ("{{ range(100)|map('string')|map('center', 40000)|join }}", "2,000,000 characters in all"),
    ("{{ 'x'.ljust(1000000000) }}", "unsafe"),
    ("{{ '{:>999999999}'.format(1) }}", "unsafe"),
    (
        "{% set ns = namespace(x=99) %}{% for i in range(60) %}"
        "{% set ns.x = ns.x * ns.x %}{% endfor %}",
        "number too large",
    ),
    ("{{ lipsum(1000000) }}", "undefined"),
]


@pytest.mark.parametrize(("source", "reason"), HOSTILE)
def test_the_sandbox_refuses_what_would_grow_or_run_long(source, reason) -> None:
    started = time.monotonic()
    rendered = mail_render.render(source, mail.SAMPLE_CONTEXT)
    assert not rendered.ok
    assert reason in (rendered.error or "")
    assert time.monotonic() - started < 5


def test_the_cpu_budget_holds_in_a_thread_and_ordinary_templates_stay_cheap() -> None:
    """Requests may run in threads, where a signal timer cannot: the child keeps the budget."""
    answers: list[mail_render.Rendered] = []
    thread = threading.Thread(target=lambda: answers.append(mail_render.render(NESTED, {})))
    thread.start()
    thread.join(timeout=20)
    assert "CPU time" in (answers[0].error or "")
    mail_render.render("warm {{ x }}", {"x": 1})
    started = time.perf_counter()
    for _ in range(50):
        assert mail_render.render("Hello {{ speaker.name }}", mail.SAMPLE_CONTEXT).text == (
            "Hello Ada Lovelace"
        )
    assert (time.perf_counter() - started) / 50 < 0.05  # about 0.1 ms on a quiet machine


def test_in_process_limits_match_for_intermediate_values() -> None:
    """The limits hold on values no output ever shows (they are measured where built)."""
    with pytest.raises(mail_sandbox.SecurityError, match="longer than 50,000"):
        mail_sandbox.render_text(
            "{% set ns = namespace(x='ab') %}{% for i in range(60) %}"
            "{% set ns.x = ns.x ~ ns.x %}{% endfor %}ok",
            {},
        )


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_hostile_templates_are_refused_at_save_with_a_message(app, csrf_client_as) -> None:
    organizer = csrf_client_as("organizer")
    page = organizer.get("/organize/mail-templates/cfp_received").get_data(as_text=True)
    token = csrf_token_from(page)
    for source, reason in [*HOSTILE[:3], HOSTILE[5], HOSTILE[6], HOSTILE[8], HOSTILE[11]]:
        answer = organizer.post(
            "/organize/mail-templates/cfp_received",
            data={"csrf_token": token, "subject": "Hi", "body": source},
        )
        text = html.unescape(answer.get_data(as_text=True))
        assert answer.status_code == 200
        assert "The template does not render" in text
        assert reason in text
    # Fine with the plain sample, too big for a submission with eleven speakers: refused too.
    only_for_others = "{% for c in submission.speakers %}{{ c|center(60) }}{% endfor %}"
    answer = organizer.post(
        "/organize/mail-templates/cfp_received",
        data={"csrf_token": token, "subject": "Hi", "body": only_for_others},
    )
    assert "renders more than 50,000 characters" in html.unescape(answer.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(MailTemplate, "cfp_received") is None


def test_every_default_template_renders_the_hostile_samples(app) -> None:
    with app.app_context():
        for name, default in mail.DEFAULTS.items():
            mail.check_template(default.subject, default.body, name)


def _walk(value, path="") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _walk(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [(path, value)] + [x for v in value for x in _walk(v, f"{path}[]")]
    return [(path, value)]


def test_the_hostile_samples_stretch_every_depth_alike(app) -> None:
    with app.app_context():
        _base, long, many, *_ = mail.hostile_contexts("announce_agenda")
    texts = [(p, v) for p, v in _walk(long) if isinstance(v, str) and v]
    assert any("[]" in p for p, _ in texts)  # texts inside list items are checked too
    assert all(len(v) >= mail_texts.HOSTILE_TEXT for _, v in texts), texts
    lists = [(p, v) for p, v in _walk(many) if isinstance(v, list)]
    assert any(p.count("[]") for p, _ in lists)  # lists inside list items too
    assert all(len(v) == mail_texts.HOSTILE_ITEMS for _, v in lists), [p for p, _ in lists]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_template_too_big_only_for_many_nested_items_is_refused(app, csrf_client_as) -> None:
    organizer = csrf_client_as("organizer")
    path = "/organize/mail-templates/announce_agenda"
    token = csrf_token_from(organizer.get(path).get_data(as_text=True))
    # 1,000 characters a follow-up: fine for one owner of one, too big for twenty of twenty.
    body = '{% for g in follow_ups %}{% for f in g["items"] %}{{ f.text|center(1000) }}' + (
        "{% endfor %}{% endfor %}"
    )
    answer = organizer.post(path, data={"csrf_token": token, "subject": "Hi", "body": body})
    assert "renders more than 50,000 characters" in html.unescape(answer.get_data(as_text=True))


def _store_template(app, name: str, subject: str, body: str) -> None:
    """An edited template written straight to the database (as one saved before the limits)."""
    with app.app_context():
        db.session.add(MailTemplate(name=name, subject=subject, body=body))
        db.session.commit()


def test_a_cfp_post_renders_no_template_and_the_worker_falls_back_to_the_default(
    app, client, make_conference, make_user, smtp_factory
) -> None:
    organizer = make_user(roles=("organizer",))
    _store_template(app, "cfp_received", "Hi {{ speaker.name }}", "Slow " + NESTED)
    conference = make_conference()
    before = mail_render.jobs_rendered
    started = time.monotonic()
    assert post_submission(client, conference).status_code == 302
    assert time.monotonic() - started < 3  # the nested loops would take minutes
    assert mail_render.jobs_rendered == before  # proof: no render in the request
    with app.app_context():
        queued = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert {m.template for m in queued} == {"cfp_received", "cfp_new_submission"}
        for m in queued:
            assert (m.subject, m.body) == ("", "")  # nothing rendered yet
            assert m.context.startswith("sealed:v1:")
            assert "/cfp/s/" not in m.context
        speaker_mail = next(m for m in queued if m.template == "cfp_received")
        assert speaker_mail.template_body == "Slow " + NESTED  # the text at queue time

    sink = smtp_factory.start()
    app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
    with app.app_context():
        report = mail.send_due(app.config["CADENCE_NOW"]())
    assert report.sent == 2
    [received] = sink.to("ada@example.org")
    assert str(received["Subject"]) == "[bhyvecon 2027] We received “Live migration in bhyve”"
    assert "Your private link" in sink.body(received)  # the default text, with the link
    assert "/cfp/s/" in sink.body(received)

    from tests.conftest import login

    c = app.test_client()
    login(c, organizer.email)
    page = html.unescape(c.get("/organize/outbox?template=cfp_received").get_data(as_text=True))
    assert "The edited template did not render (the template takes more than" in page
    assert "sent with the default text" in page


def test_the_organizers_preview_is_bounded_too(app, client_as) -> None:
    _store_template(app, "cfp_received", "Hi", NESTED)
    organizer = client_as("organizer")
    started = time.monotonic()
    page = html.unescape(
        organizer.get("/organize/mail-templates/cfp_received").get_data(as_text=True)
    )
    assert time.monotonic() - started < 5
    assert "No preview: the template takes more than 0.5 s of CPU time" in page


def test_a_context_must_be_plain_data(app) -> None:
    with app.app_context(), pytest.raises(mail.NotPlainData):
        mail.enqueue("a@example.org", "cfp_received", {"when": object()}, None)  # type: ignore[arg-type]
