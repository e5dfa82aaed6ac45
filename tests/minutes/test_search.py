"""/search?q=: published minutes only, words and quoted phrases, the same set on SQLite and
PostgreSQL (run this file with TEST_DATABASE_URL for the second), snippets escaped."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.minutes.test_pages import import_fixture
from webapp import audit
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.minutes.services.search import search, terms_of
from webapp.models import Person

NOW = datetime(2019, 6, 1, tzinfo=UTC)


def write(app, day: date, notes: str, state: str = "published", decisions: str = "") -> None:
    with app.app_context():
        series = meetings.get_series("bhyve")
        minutes = svc.start_minutes(series, day, audit.CLI, NOW)
        svc.save_minutes(
            minutes, minutes.version, svc.MinutesInput(notes, decisions, [], state), audit.CLI, NOW
        )
        db.session.commit()


@pytest.fixture
def archive(app, bhyve):
    import_fixture(app)  # the real minutes of 2019-02-07 (published)
    write(
        app,
        date(2019, 2, 21),
        "The SX lock is the preferred one, said nobody.\narc_tune_knob work.",
    )
    write(app, date(2019, 3, 7), "Draft: SX lock is the preferred one <script>x</script>", "draft")
    write(
        app,
        date(2019, 3, 21),
        "Locking: <b>sx</b> lock & friends, see sx lock",
        decisions="Ship the lock",
    )
    return app


def days(client, query: str) -> list[str]:
    page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    return [
        d
        for d in ("2019-02-07", "2019-02-21", "2019-03-07", "2019-03-21")
        if f"bi-weekly call, {d}</a>" in page
    ]


def test_phrase_from_the_seed_minutes_is_found_and_drafts_never(archive, client, client_as) -> None:
    phrase = '"SX lock is the preferred one"'
    assert set(days(client, phrase)) == {"2019-02-07", "2019-02-21"}
    page = client.get("/search", query_string={"q": phrase}).get_data(as_text=True)
    assert "The published minutes of 2 meetings match." in page
    assert "<mark>" in page
    # Scribes search the same published minutes: drafts are never found.
    assert "2019-03-07" not in days(client_as("scribe"), phrase)
    assert "2019-03-07" not in days(client, "Draft")


def test_words_must_all_appear_and_phrases_keep_their_order(archive, client) -> None:
    assert set(days(client, "sx lock")) == {"2019-02-07", "2019-02-21", "2019-03-21"}
    assert days(client, '"lock sx"') == []
    assert days(client, "friends SX") == ["2019-03-21"]
    assert days(client, "ship") == ["2019-03-21"]  # decisions are searched too
    assert days(client, "arc_tune_knob") == ["2019-02-21"]
    assert days(client, "nothingmatchesthis") == []


def test_same_words_give_the_same_set_on_this_database(archive) -> None:
    """The expected sets are written out: the PostgreSQL run of this file checks the same."""
    with archive.app_context():
        found = {
            q: sorted(h.day.isoformat() for h in search(q, public_only=True)[0])
            for q in ('"preferred one"', "SX", '"sx lock" friends', "PREFERRED")
        }
    assert found == {
        '"preferred one"': ["2019-02-07", "2019-02-21"],
        "SX": ["2019-02-07", "2019-02-21", "2019-03-21"],
        '"sx lock" friends': ["2019-03-21"],
        "PREFERRED": ["2019-02-07", "2019-02-21"],
    }


def test_newest_first_among_equals(app, bhyve) -> None:
    for day in (date(2019, 2, 7), date(2019, 3, 7), date(2019, 2, 21)):
        write(app, day, "alpha beta gamma")
    with app.app_context():
        hits, total = search("beta", public_only=True)
    assert total == 3
    assert [h.day.isoformat() for h in hits] == ["2019-03-07", "2019-02-21", "2019-02-07"]


def test_a_page_number_that_is_no_number_is_the_first_page(archive, client) -> None:
    for page in ("\u00b2", "0", "9" * 5000):
        response = client.get("/search", query_string={"q": "friends", "page": page})
        assert response.status_code == 200, page
        assert "2019-03-21" in response.get_data(as_text=True)


def test_snippets_are_escaped(archive, client) -> None:
    page = client.get("/search", query_string={"q": "friends"}).get_data(as_text=True)
    snippet = page.split('class="search-snippet">')[1].split("</p>")[0]
    assert "lock &amp; <mark>friends</mark>" in snippet
    # SQLite keeps the tag as text (escaped); PostgreSQL's headline leaves tags out.
    assert "<b>" not in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_query_syntax_cannot_break_the_search(archive, client) -> None:
    for query in ('"', 'sx" OR "', "NEAR(sx lock)", "sx*", "-lock", "a:b", "'; DROP TABLE minutes"):
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200, query
    assert days(client, "sx*") == days(client, "(sx") == days(client, "sx")  # literal words
    for query in ('"', "*", "(", "***"):  # no word: said beside the field, with the form
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200, query
        page = html.unescape(response.get_data(as_text=True))
        said = page.split('<small id="search-error">')[1].split("</small>")[0]
        assert said == (
            f"“{query}” has no word to search for (punctuation alone is ignored): "
            "type a word or a “quoted phrase”."
        )
        assert 'id="search-q" name="q"' in page
    assert client.get("/search").status_code == 200


def test_snippets_show_markdown_as_plain_text_and_one_match_in_the_singular(
    app, bhyve, client
) -> None:
    write(
        app,
        date(2019, 2, 21),
        "## Attendees\n\n- **Name:** Ada _Lovelace_, see [the wiki](https://wiki.example.org/x)\n"
        "> `bhyvectl` quoted\n\n---\n1. Numbered item",
    )
    page = client.get("/search", query_string={"q": "ada"}).get_data(as_text=True)
    assert "The published minutes of 1 meeting match." in page
    snippet = page.split('class="search-snippet">')[1].split("</p>")[0]
    plain = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<mark>Ada</mark>" in snippet
    for markup in ("##", "**", "](", "wiki.example.org", "`", "---", "> ", "- "):
        assert markup not in plain, markup
    assert "Name: Ada" in plain
    assert "see the wiki" in plain
    assert "bhyvectl quoted" in plain


def test_terms_of_queries() -> None:
    assert terms_of('sx lock "the Preferred  one" sx') == ["sx", "lock", "the preferred one"]
    assert terms_of("vm_page") == ["vm page"]
    assert terms_of('"" * -') == []


def test_private_series_minutes_only_for_scribes(archive, client, client_as) -> None:
    with archive.app_context():
        meetings.get_series("bhyve").public = False
        db.session.commit()
    assert days(client, "friends") == []
    assert days(client_as("scribe"), "friends") == ["2019-03-21"]


def test_series_page_marks_published_minutes_and_links_the_latest(archive, client) -> None:
    archive.config["CADENCE_NOW"] = datetime(2019, 4, 10, tzinfo=UTC)
    page = client.get("/series/bhyve").get_data(as_text=True)
    assert 'href="/meetings/bhyve/2019-03-21/minutes">Latest minutes (2019-03-21)</a>' in page
    marked = [
        d
        for d in ("2019-02-07", "2019-02-21", "2019-03-07", "2019-03-21")
        if f'href="/meetings/bhyve/{d}/minutes" class="has-minutes"' in page
    ]
    assert marked == ["2019-02-07", "2019-02-21", "2019-03-21"]  # not the draft of 03-07
    for link in ("/series/bhyve/follow-ups", "/series/bhyve/reviews", "/people/", "/minutes.atom"):
        assert f'href="{link}"' in page, link
    home = client.get("/").get_data(as_text=True)
    for link in ("/series/bhyve/follow-ups", "/series/bhyve/reviews", "/people/", "/minutes.atom"):
        assert f'href="{link}"' in home, link
    assert "Latest minutes (2019-03-21)" in home
    assert 'href="/search"' in home


def test_attendees_are_found_by_name_and_handle_in_published_minutes_only(app, bhyve, client):
    with app.app_context():
        series = meetings.get_series("bhyve")
        for day, state, who in (
            (date(2019, 4, 4), "published", ["Zebulon Quarry (zquarry)", "Rod Grimes"]),
            (date(2019, 4, 18), "draft", ["Yolanda Draftperson (ydraft)"]),
        ):
            minutes = svc.start_minutes(series, day, audit.CLI, NOW)
            svc.save_minutes(
                minutes, minutes.version, svc.MinutesInput("Notes.", "", who, state), audit.CLI, NOW
            )
        db.session.commit()

    def found(query: str) -> list[str]:
        page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
        return [d for d in ("2019-04-04", "2019-04-18") if f"bi-weekly call, {d}</a>" in page]

    assert found('"Zebulon Quarry"') == ["2019-04-04"]
    assert found("zquarry") == ["2019-04-04"]
    assert found("quarry grimes") == ["2019-04-04"]
    page = client.get("/search", query_string={"q": "zquarry"}).get_data(as_text=True)
    assert "<mark>zquarry</mark>" in page
    assert found("Draftperson") == []  # drafts are never found
    assert found("ydraft") == []

    # A renamed person is found by the new name, no longer by the old one.
    with app.app_context():
        person = db.session.scalars(sa.select(Person).where(Person.handle == "zquarry")).one()
        person.name = "Zebulon Pit"
        db.session.commit()
    assert found('"Zebulon Pit"') == ["2019-04-04"]
    assert found("Quarry") == []
