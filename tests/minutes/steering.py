"""A generated steering-committee archive (invented people): ten years of weekly minutes with
present lists of ``Name @handle (role)``, guests and regrets, action items raised and ticked,
cancelled weeks, an HTML comment hiding a list. Used by the tests and ``bench/minutes_import.py``.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

from webapp import audit
from webapp.meetings import services as meetings

FIRST = date(2016, 1, 7)  # a Thursday
FIRSTS = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret"]
FIRSTS += ["Ken", "Dennis", "Radia", "Leslie", "Niklaus", "Tony", "Adele", "Butler", "Shafi"]
LASTS = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus"]
ROLES = ["TSC", "regular member", "CTC", "observer", "Guest - board rep", "TSC, chair", "member"]
PEOPLE = [
    (f"{FIRSTS[i % len(FIRSTS)]} {LASTS[i % len(LASTS)]}", f"{FIRSTS[i % 18].lower()}{i}")
    for i in range(40)
]


def create_series(slug: str = "steering") -> None:
    meetings.create_series(
        slug,
        meetings.SeriesDetails(title="Steering committee"),
        "Europe/Berlin",
        FIRST,
        time(17),
        60,
        audit.CLI,
        interval_weeks=1,
    )


def meeting_day(n: int, count: int) -> date:
    """``count`` meetings spread over ten years of Thursdays (some weeks have none)."""
    return FIRST + timedelta(weeks=(n * 520) // count)


def minutes_text(n: int) -> str:
    present = [PEOPLE[(n * 3 + k) % len(PEOPLE)] for k in range(14)]
    lines = [f"# Steering committee, meeting {n}", "", "## Present", ""]
    lines += [f"* {name} @{handle} ({ROLES[(n + k) % len(ROLES)]})" for k, (name, handle) in
              enumerate(present[:12])]  # fmt: skip
    lines += ["", "### Guests", ""] + [f"* {name} @{handle}" for name, handle in present[12:]]
    lines += ["", "### Regrets", "", f"* {PEOPLE[(n * 3 + 20) % 40][0]}", ""]
    lines += ["<!--", "* Hidden Person @hidden (TSC)", "-->", "", "## Agenda", ""]
    lines += [f"Discussed the release {n} and https://example.org/issues/{n}.", ""] * 3
    lines += ["## Action items", ""]
    owner = present[0]
    lines += [f"- [ ] @{owner[1]}: prepare the report {n}"]
    lines += [f"* ACTION: {present[1][0]}: review proposal {n}"]
    lines += [f"- [ ] left-pad: update the docs for {n}"]
    if n > 0:
        earlier = PEOPLE[((n - 1) * 3) % len(PEOPLE)]
        lines += [f"- [x] @{earlier[1]}: prepare the report {n - 1}"]
    return "\n".join(lines) + "\n"


def write_archive(directory: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        day = meeting_day(n, count)
        path = directory / f"{day:%Y-%m-%d}.md"
        if n % 37 == 36:
            text = f"# Steering committee, {day}\n\nNo meeting this week (holidays).\n"
        else:
            text = minutes_text(n)
        path.write_text(text)
        paths.append(path)
    return paths
