"""Archives keep people whole: each person on a record of their own, the right handle, roles
kept per attendance, absentees apart, and no role word ever a handle. Invented names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from tests.minutes.conftest import create_bhyve
from webapp.extensions import db
from webapp.meetings import services as meetings
from webapp.minutes import services as svc
from webapp.models import Person

ROLES = ["TSC", "regular member", "Guest - board rep", "observer", "CTC", "guest", "board"]
NAMES = [
    "Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov",
    "Donald Knuth", "Frances Allen", "John Backus", "Margaret Hamilton", "Ken Thompson",
    "Dennis Ritchie", "Radia Perlman", "Leslie Lamport", "Niklaus Wirth", "Tony Hoare",
    "Adele Goldberg", "Butler Lampson", "Shafi Goldwasser", "Robin Milner", "Fran Bilas",
]  # fmt: skip
HANDLES = [n.split()[0][0].lower() + n.split()[1].lower() for n in NAMES]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def twenty(offset: int) -> str:
    return "".join(
        f"* {n} @{h} ({ROLES[(i + offset) % len(ROLES)]})\n"
        for i, (n, h) in enumerate(zip(NAMES, HANDLES, strict=True))
    )


def import_files(runner, *paths: str, extra: tuple[str, ...] = ()):
    return runner.invoke(
        args=["minutes", "import", *paths, "--series", "bhyve", "--add-missing", *extra]
    )


def test_twenty_people_with_handles_and_roles_stay_twenty(app, runner, bhyve, tmp_path) -> None:
    files = [
        write(tmp_path, f"2019-0{k + 2}-07.md", f"## Present\n\n{twenty(k)}\n## Notes\n\nMet.\n")
        for k in range(3)
    ]
    result = import_files(runner, *files)
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        people = {p.name: p.handle for p in db.session.scalars(sa.select(Person))}
        assert people == dict(zip(NAMES, HANDLES, strict=True))
        role_words = {w.casefold() for r in ROLES for w in r.split()}
        assert not {h for h in people.values() if h in role_words}
        minutes = svc.get_minutes(meetings.get_series("bhyve"), date(2019, 3, 7))
        assert [(r.person.name, r.role) for r in minutes.present_rows] == [
            (n, ROLES[(i + 1) % len(ROLES)]) for i, n in enumerate(NAMES)
        ]


def test_each_shape_names_its_own_person(app, runner, bhyve, tmp_path) -> None:
    first = write(
        tmp_path,
        "2019-02-07.md",
        "# Attendees\n\n- Ada Lovelace @ada (TSC)\n- Grace Hopper (ghopper)\n- alan@\n"
        "- Edsger Dijkstra <ewd@example.org>\n- Barbara Liskov (Engines Ltd)\n"
        "- Donald Knuth - Stanford\n- @fallen (observer)\n- Frances Allen (IBM)\n\n"
        "Regrets: Ken Thompson @ken\n\nNotes.\n",
    )
    second = write(
        tmp_path,
        "2019-02-21.md",
        "# Attendees\n\n- ada\n- Grace Hopper @ghopper (chair)\n- Alan Turing (alan)\n"
        "- Edsger W. Dijkstra <ewd@example.org>\n- Ada Lovelace @ada2 (guest)\n"
        "- Ken Thompson @KEN\n- Ada L. @ada\n\nNotes.\n",
    )
    result = import_files(runner, first, second)
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        people = sorted(
            (p.name, p.handle or "", p.email) for p in db.session.scalars(sa.select(Person))
        )
        assert people == [
            ("Ada Lovelace", "ada", ""),
            ("Ada Lovelace", "ada2", ""),  # same name, another handle: another person
            ("Alan Turing", "alan", ""),  # known by handle only, then with a name
            ("Barbara Liskov", "", ""),
            ("Donald Knuth", "", ""),
            ("Edsger Dijkstra", "", "ewd@example.org"),  # the email names him again
            ("Frances Allen", "", ""),
            ("Grace Hopper", "ghopper", ""),
            ("Ken Thompson", "ken", ""),
            ("fallen", "fallen", ""),
        ]
        series = meetings.get_series("bhyve")
        one = svc.get_minutes(series, date(2019, 2, 7))
        assert [(r.person.name, r.role) for r in one.present_rows] == [
            ("Ada Lovelace", "TSC"),
            ("Grace Hopper", ""),
            ("Alan Turing", ""),
            ("Edsger Dijkstra", ""),
            ("Barbara Liskov", "Engines Ltd"),
            ("Donald Knuth", "Stanford"),
            ("fallen", "observer"),
            ("Frances Allen", "IBM"),
        ]
        assert [r.person.name for r in one.absent_rows] == ["Ken Thompson"]
        assert "Ken Thompson" not in [p.name for p in one.attendees]
        two = svc.get_minutes(series, date(2019, 2, 21))
        assert len(two.present_rows) == 6  # "Ada L. @ada" is "ada" again
        assert "Ada L." in svc.find_person("@ada").alias_list


def test_the_people_page_and_minutes_page_show_roles_and_absentees(
    app, runner, client, bhyve, tmp_path
) -> None:
    path = write(
        tmp_path,
        "2019-02-07.md",
        "# Attendees\n\n### Members\n- Ada Lovelace @ada (TSC)\n### Guests\n- Alan Turing\n\n"
        "### Absent\n- Grace Hopper @ghopper\n\nNotes.\n",
    )
    assert import_files(runner, path).exit_code == 0
    page = client.get("/meetings/bhyve/2019-02-07/minutes").get_data(as_text=True)
    assert "(TSC)" in page
    assert "(Guests)" in page
    assert page.index("Absent") < page.index("Grace Hopper")


def test_a_lower_case_word_is_a_name_never_a_handle(app, runner, bhyve, tmp_path) -> None:
    """``* emaste`` names someone without a handle: importing the file again, or its export into
    a new database, gives them none; a line that writes the handle later gives it."""
    lines = "# Attendees\n\n* emaste\n* jhb\n* Ada Lovelace @ada\n\n"
    first = write(tmp_path, "2019-02-07.md", f"{lines}Notes.\n")
    assert import_files(runner, first).exit_code == 0
    again = write(tmp_path, "2019-02-07.md", f"{lines}Notes, corrected.\n")
    result = import_files(runner, again)
    assert result.exit_code == 0, result.stderr
    assert "updated minutes" in result.stdout

    def people() -> list[tuple[str, str | None]]:
        with app.app_context():
            return sorted((p.name, p.handle) for p in db.session.scalars(sa.select(Person)))

    expected = [("Ada Lovelace", "ada"), ("emaste", None), ("jhb", None)]
    assert people() == expected
    assert runner.invoke(args=["minutes", "export", str(tmp_path / "out")]).exit_code == 0
    with app.app_context():
        db.drop_all()
        db.create_all()
        create_bhyve()
        db.session.commit()
    exported = write(tmp_path, "2019-02-07.md", (tmp_path / "out/bhyve/2019-02-07.md").read_text())
    assert import_files(runner, exported).exit_code == 0
    assert people() == expected
    later = write(tmp_path, "2019-02-21.md", "# Attendees\n\n* John Baldwin (jhb)\n\nNotes.\n")
    assert import_files(runner, later).exit_code == 0
    assert people() == [("Ada Lovelace", "ada"), ("John Baldwin", "jhb"), ("emaste", None)]
