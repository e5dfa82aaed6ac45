"""Markdown is rendered when it is saved and stored beside its text: pages never render it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.minutes.test_pages import EDIT, MINUTES, start
from webapp import markdown, settings
from webapp.extensions import db
from webapp.models import Minutes, Series

MEETING = "/meetings/bhyve/2019-02-07"
#: 180 KB that took a worker past its timeout at every anonymous GET (quadratic linkify).
HUGE = "http://x." * 20_000 + "\n\n" + "![" * 10_000 + "\n\n- [ ] task D12345\n"


@pytest.fixture
def spy(monkeypatch) -> list[int]:
    """Counts calls of the Markdown renderer (markdown-it's, behind every render_markdown)."""
    calls: list[int] = []
    real = markdown._md.render
    monkeypatch.setattr(markdown._md, "render", lambda *a: calls.append(1) or real(*a))
    return calls


@pytest.mark.parametrize("cached", [True, False])
def test_a_public_get_of_a_huge_pathological_page_never_renders_markdown(
    app, client, client_as, bhyve, spy, cached
) -> None:
    app.config["PAGE_CACHE"] = cached
    start(app)
    scribe = client_as("scribe")
    page = scribe.get(EDIT).get_data(as_text=True)
    response = scribe.post(
        EDIT,
        data={
            "csrf_token": csrf_token_from(page),
            "version": "2",
            "state": "published",
            "attendees": "Rod Grimes",
            "decisions": "",
            "notes": HUGE,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert spy  # rendered once, at save
    spy.clear()
    for path in (MINUTES, MEETING, "/minutes.atom", "/series/bhyve"):
        for _ in range(2):
            assert client.get(path).status_code == 200, path
    assert spy == []
    html = client.get(MINUTES).get_data(as_text=True)
    assert 'href="https://reviews.freebsd.org/D12345"' in html
    assert 'type="checkbox"' in html


def test_every_saved_text_has_its_html(app, bhyve) -> None:
    start(app, "Notes with ~~D1~~ D12345\n", "published")
    with app.app_context():
        minutes = db.session.scalar(sa.select(Minutes))
        assert "<s>" in minutes.notes_html
        assert "reviews.freebsd.org/D12345" in minutes.notes_html
        series = db.session.scalar(sa.select(Series))
        assert "reviews.freebsd.org/D12345" in series.agenda_template_html
        series.description = "| a |\n|---|\n| b |\n"
        db.session.commit()
        assert "<table>" in series.description_html


def test_new_reference_patterns_render_every_stored_text_again(app, client, bhyve) -> None:
    start(app, "See PR42.\n", "published")
    assert "example.org/pr/42" not in client.get(MINUTES).get_data(as_text=True)
    with app.app_context():
        settings.save(
            {"reference_patterns": [{"pattern": r"PR(\d+)", "url": "https://example.org/pr/{1}"}]}
        )
        db.session.commit()
    assert 'href="https://example.org/pr/42"' in client.get(MINUTES).get_data(as_text=True)


def test_texts_stored_before_their_html_show_and_the_cli_renders_them(
    app, client, runner, bhyve
) -> None:
    start(app, "Old notes, D12345.\n", "published")
    with app.app_context():
        db.session.execute(sa.update(Minutes).values(notes_html=None))
        db.session.commit()
    assert "reviews.freebsd.org/D12345" in client.get(MINUTES).get_data(as_text=True)
    result = runner.invoke(args=["markdown", "render"])
    assert result.exit_code == 0, result.output
    assert "rendered" in result.output
    with app.app_context():
        assert "reviews.freebsd.org/D12345" in db.session.scalar(sa.select(Minutes.notes_html))


def test_the_minutes_page_shows_gfm_and_hides_comments_the_text_keeps(app, client, bhyve) -> None:
    notes = (
        "Attendees:\n<!--\n* Hidden Person\n-->\n\n| Item | Owner |\n|---|---|\n| ACPI | Rod |\n\n"
        "~~dropped~~ kept <!-- aside -->\n\n- [x] done\n- [ ] open\n"
    )
    start(app, notes, "published")
    page = client.get(MINUTES).get_data(as_text=True)
    assert "Hidden Person" not in page
    assert "aside" not in page
    assert "<td>ACPI</td>" in page
    assert "<s>dropped</s> kept" in page
    assert page.count('type="checkbox"') == 2
    with app.app_context():
        assert "<!--\n* Hidden Person\n-->" in db.session.scalar(sa.select(Minutes.notes))
