"""The one grammar of minutes, read without a database: attendee lines, attendance blocks with
groups and absentees, HTML comments, task lines. Invented names, the shapes communities write."""

from __future__ import annotations

import time

import pytest

from webapp.minutes.grammar import (
    ROLE_WORDS,
    Attendee,
    format_attendee,
    parse_attendee,
    read_attendees,
    read_minutes,
    role_words,
)

SHAPES = [
    ("Ada Lovelace", Attendee("Ada Lovelace")),
    ("Ada Lovelace @ada", Attendee("Ada Lovelace", "ada")),
    ("@ada", Attendee("ada", "ada")),
    ("Ada Lovelace (ada)", Attendee("Ada Lovelace", "ada")),
    ("Ada Lovelace (Ada_L)", Attendee("Ada Lovelace", "ada_l")),
    ("ada@", Attendee("ada", "ada")),
    ("John Baldwin (jhb@)", Attendee("John Baldwin", "jhb")),
    ("Ada Lovelace <ada@example.org>", Attendee("Ada Lovelace", None, "ada@example.org")),
    (
        "Ada Lovelace (Analytical Engines Ltd)",
        Attendee("Ada Lovelace", role="Analytical Engines Ltd"),
    ),
    ("Ada Lovelace (IBM)", Attendee("Ada Lovelace", role="IBM")),
    ("Ada Lovelace @ada (TSC)", Attendee("Ada Lovelace", "ada", role="TSC")),
    (
        "Grace Hopper @ghopper (regular member)",
        Attendee("Grace Hopper", "ghopper", role="regular member"),
    ),
    (
        "Alan Turing @aturing (Guest - board rep)",
        Attendee("Alan Turing", "aturing", role="Guest - board rep"),
    ),
    ("Ada Lovelace @ada (ada-corp)", Attendee("Ada Lovelace", "ada", role="ada-corp")),
    ("Ada Lovelace - Analytical Engines", Attendee("Ada Lovelace", role="Analytical Engines")),
    ("Ada Lovelace – Engines (Berlin)", Attendee("Ada Lovelace", role="Engines (Berlin)")),
    ("Ada Lovelace @ada TSC", Attendee("Ada Lovelace", "ada", role="TSC")),
    ("Ada Lovelace @ada, chair", Attendee("Ada Lovelace", "ada", role="chair")),
    ("Ada Lovelace (ada) (Engines Ltd)", Attendee("Ada Lovelace", "ada", role="Engines Ltd")),
    (
        "Ada Lovelace <ada@example.org> (chair)",
        Attendee("Ada Lovelace", None, "ada@example.org", "chair"),
    ),
    ("Ada Lovelace (observer)", Attendee("Ada Lovelace", role="observer")),
    ("Ada Lovelace (he/her)", Attendee("Ada Lovelace", role="he/her")),
    ("**Ada Lovelace**", Attendee("Ada Lovelace")),
    ("<ada@example.org>", Attendee("ada", None, "ada@example.org")),
]


@pytest.mark.parametrize(("line", "expected"), SHAPES)
def test_every_attendee_shape(line: str, expected: Attendee) -> None:
    assert parse_attendee(line) == expected


@pytest.mark.parametrize(("line", "expected"), SHAPES)
def test_the_exported_line_reads_back_alike(line: str, expected: Attendee) -> None:
    written = format_attendee(expected.name, expected.handle, expected.role)
    again = parse_attendee(written)
    assert (again.name, again.handle, again.role) == (expected.name, expected.handle, expected.role)


@pytest.mark.parametrize("word", sorted(ROLE_WORDS))
def test_no_role_word_ever_becomes_a_handle(word: str) -> None:
    for shape in (word, word.upper(), word.capitalize()):
        for line in (f"Ada Lovelace ({shape})", f"Ada Lovelace @ada ({shape})", f"Ada ({shape})"):
            found = parse_attendee(line)
            assert found.handle in (None, "ada"), line
            assert found.role == shape, line
        assert parse_attendee(f"Ada Lovelace - {shape}").handle is None


def test_all_capitals_and_several_words_are_roles_not_handles() -> None:
    for role in ("CTC", "TSC", "IBM", "W3C", "board rep", "Engines Ltd", "x", "a" * 40):
        assert parse_attendee(f"Ada Lovelace ({role})").handle is None, role


def test_role_words_are_configurable(app) -> None:
    app.config["MINUTES_ROLE_WORDS"] = ["steward"]
    with app.app_context():
        assert "steward" in role_words()
        assert parse_attendee("Ada Lovelace (steward)") == Attendee("Ada Lovelace", role="steward")
    assert parse_attendee("Ada Lovelace (steward)").handle == "steward"  # no app: built-ins


def test_a_twenty_person_list_with_handles_and_roles() -> None:
    roles = ["TSC", "regular member", "Guest - board rep", "observer", "CTC"]
    lines = [f"* Person {i:02d} @p{i:02d} ({roles[i % 5]})" for i in range(20)]
    reading = read_minutes("## Present\n\n" + "\n".join(lines) + "\n\n## Agenda\n\nWe met.\n")
    assert [(a.name, a.handle, a.role) for a in reading.attendees] == [
        (f"Person {i:02d}", f"p{i:02d}", roles[i % 5]) for i in range(20)
    ]
    assert "We met." in reading.notes
    assert "Person 00" not in reading.notes


def test_grouped_lists_with_absentees_and_regrets() -> None:
    text = """# Steering committee, 2021-03-04

## Attendees

### Members
- Ada Lovelace @ada
- Grace Hopper @ghopper (chair)

### Guests
* Alan Turing @aturing

### Absent
- Edsger Dijkstra @ewd

Regrets: Barbara Liskov, Donald Knuth (on leave)

## Agenda

1. The release
"""
    reading = read_minutes(text)
    assert [(a.name, a.role) for a in reading.attendees] == [
        ("Ada Lovelace", "Members"),
        ("Grace Hopper", "chair"),
        ("Alan Turing", "Guests"),
    ]
    assert [(a.name, a.handle, a.role) for a in reading.absent] == [
        ("Edsger Dijkstra", "ewd", ""),
        ("Barbara Liskov", None, ""),
        ("Donald Knuth", None, "on leave"),
    ]
    assert "1. The release" in reading.notes
    assert "Regrets" not in reading.notes


def test_label_groups_and_inline_lists() -> None:
    reading = read_minutes(
        "Present: Ada @ada (TSC, chair), Grace @ghopper and Alan\nAbsent: Edsger\n\nNotes here.\n"
    )
    assert [(a.name, a.role) for a in reading.attendees] == [
        ("Ada", "TSC, chair"),
        ("Grace", ""),
        ("Alan", ""),
    ]
    assert [a.name for a in reading.absent] == ["Edsger"]
    assert reading.notes.strip() == "Notes here."


def test_html_comments_are_never_attendance_nor_tasks() -> None:
    text = """# Attendees

- Ada Lovelace @ada
<!--
- Hidden Person @hidden
- Another Hidden
-->
- Grace Hopper <!-- left early --> @ghopper

<!-- ACTION: Ada: a hidden task -->
ACTION: Grace: a real task
"""
    reading = read_minutes(text)
    assert [(a.name, a.handle) for a in reading.attendees] == [
        ("Ada Lovelace", "ada"),
        ("Grace Hopper", "ghopper"),
    ]
    assert [t.text for t in reading.tasks] == ["a real task"]
    assert "<!--\n- Hidden Person @hidden" in reading.notes  # the stored text keeps them


def test_a_comment_around_the_whole_list_hides_it() -> None:
    reading = read_minutes("<!--\n# Attendees\n- Ada\n-->\nWe met.\n")
    assert reading.attendees == []


def test_task_lines_in_every_form() -> None:
    reading = read_minutes(
        "ACTION: Ada: write the docs\n"
        "AI: grace: fix the build\n"
        "AI(alan): review the patch\n"
        "TODO: Ada: tag the release\n"
        "- [ ] left-pad: update the docs\n"
        "- [x] Grace: send the mail\n"
        "DONE: Ada: collect the dumps\n"
        "* [ ] @ada check the logs\n"
        "\n## Action items\n\n- Alan will post the notes\n- Buy more coffee\n"
    )
    got = [(t.owner, t.text, t.state, t.ordinal) for t in reading.tasks]
    assert got == [
        ("Ada", "write the docs", "open", 0),
        ("grace", "fix the build", "open", 1),
        ("alan", "review the patch", "open", 2),
        ("Ada", "tag the release", "open", 3),
        ("left-pad", "update the docs", "open", 4),
        ("Grace", "send the mail", "done", 5),
        ("Ada", "collect the dumps", "done", 6),
        ("@ada", "check the logs", "open", 7),
        ("Alan", "post the notes", "open", 8),
        (None, "Buy more coffee", "open", 9),
    ]
    assert reading.tasks[4].full_text == "left-pad: update the docs"


def test_the_editor_attendee_box() -> None:
    present, absent, problems = read_attendees(
        "Ada Lovelace @ada (TSC)\nGuests:\nAlan Turing\n\nAbsent:\nGrace Hopper @ghopper\n"
    )
    assert [(a.name, a.handle, a.role) for a in present] == [
        ("Ada Lovelace", "ada", "TSC"),
        ("Alan Turing", None, "Guests"),
    ]
    assert [(a.name, a.handle) for a in absent] == [("Grace Hopper", "ghopper")]
    assert problems == []
    [message] = read_attendees("x" * 130)[2]
    assert message.startswith("line 1: the name 'xxxx")
    assert message.endswith("has 130 characters (at most 120)")


def test_reading_is_linear_in_the_line() -> None:
    """Strange long lines (nested brackets, many @, dashes) cost their length."""

    def best(line: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            parse_attendee(line)
            times.append(time.perf_counter() - start)
        return min(times)

    for unit in ("(" * 3 + "a", "@a ", " - x", "<a@b", "(a) "):
        small, large = best(unit * 5_000), best(unit * 50_000)
        assert large < small * 40 + 0.05, unit
