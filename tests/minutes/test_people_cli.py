"""flask people list / suggest / merge, and the same suggestions and preview on the pages."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Person


def load(runner, tmp_path) -> None:
    (tmp_path / "2019-02-07.md").write_text(
        "# Attendees\n\n- Ed Maste @emaste (Foundation)\n- John Baldwin <jhb@example.org>\n"
        "- Ada Lovelace @ada\n- Ada Lovelace @ada2\n\nNotes.\n"
    )
    (tmp_path / "2019-02-21.md").write_text(
        "# Attendees\n\n- Ed M\n- jb\n- Edward\n- Grace Hopper\n\nRegrets: Ed\n\nNotes.\n"
    )
    paths = sorted(str(p) for p in tmp_path.glob("*.md"))
    result = runner.invoke(args=["minutes", "import", *paths, "--series", "bhyve"])
    assert result.exit_code == 0, result.stderr


def test_list_suggest_and_merge(app, runner, bhyve, tmp_path) -> None:
    load(runner, tmp_path)
    listing = runner.invoke(args=["people", "list"]).stdout
    assert "Ed Maste\t@emaste\temail: no\t1 meetings" in listing
    assert "John Baldwin\t-\temail: yes\t1 meetings" in listing
    suggested = runner.invoke(args=["people", "suggest", "--series", "bhyve"]).stdout
    assert "Ed Maste (#1) <- Ed M (#5): one name contained in another" in suggested
    assert "John Baldwin (#2) <- jb (#6): initials" in suggested
    assert "Ada Lovelace (#3)" not in suggested  # two handles: two people, never suggested
    assert "Grace" not in suggested
    dry = runner.invoke(args=["people", "merge", "1", "Ed M", "--dry-run"])
    assert dry.exit_code == 0, dry.stderr
    assert "attendance moved: 1 (both listed at 0 meeting(s): kept once)" in dry.stdout
    assert "names kept as aliases: Ed M" in dry.stdout
    assert "dry run: nothing was changed" in dry.stdout
    with app.app_context():
        assert db.session.get(Person, 5) is not None
    done = runner.invoke(args=["people", "merge", "@emaste", "5"])
    assert done.exit_code == 0, done.stderr
    assert "merged Ed M into Ed Maste" in done.stdout
    with app.app_context():
        assert db.session.get(Person, 5) is None
        assert "Ed M" in db.session.get(Person, 1).alias_list
    unknown = runner.invoke(args=["people", "merge", "1", "nobody at all"])
    assert unknown.exit_code == 1
    assert "nobody is 'nobody at all'" in unknown.stderr


def test_the_people_page_suggests_and_previews_merges(
    app, runner, client, client_as, bhyve, tmp_path
) -> None:
    load(runner, tmp_path)
    scribe = client_as("scribe")
    page = scribe.get("/people/").get_data(as_text=True)
    assert "Maybe the same person" in page
    assert "/people/1/merge/preview?other=5" in page
    assert "Maybe the same person" not in client.get("/people/").get_data(as_text=True)
    preview = scribe.get("/people/1/merge/preview?other=5").get_data(as_text=True)
    assert "Merge Ed M into Ed Maste?" in preview
    assert "Names Ed Maste will also be found by: Ed M" in preview
    assert 'action="/people/1/merge"' in preview
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 8
