"""Import benchmark: two generated archives, each imported into a temporary SQLite database.

- ``shapes``: ``flask minutes import --add-missing`` of 500 fortnightly files in every shape the
  importer reads (headings, inline and label attendee lists, ACTION/AI/TODO lines, checkboxes,
  "Action items" sections, extra and cancelled meetings, bare URLs);
- ``steering``: ``flask minutes import --archive`` of 300 steering-committee files over ten years
  (present lists of ``Name @handle (role)``, guests, regrets, action items raised and ticked,
  cancelled weeks; ``tests/minutes/steering.py``).

Reports files per second and the peak memory of the import (Python allocations, measured in a
second run).

    .venv/bin/python bench/minutes_import.py [--files 500] [--steering 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import make_test_config  # noqa: E402
from tests.minutes import steering  # noqa: E402
from webapp import audit, create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.meetings import services as meetings  # noqa: E402

FIRST = date(2000, 1, 6)
PEOPLE = [f"Person {i:03d} (p{i})" for i in range(60)]
HANDLES = [f"p{i}" for i in range(60)]


def minutes_text(n: int) -> str:
    """One file of minutes in one of five shapes."""
    names = [PEOPLE[(n * 7 + k) % len(PEOPLE)] for k in range(6)]
    handles = [HANDLES[(n * 7 + k) % len(HANDLES)] for k in range(6)]
    notes = (
        f"Discussed https://reviews.freebsd.org/D{19000 + n} and pr {230000 + n}.\n\n"
        "10:00 UTC: the call starts earlier next time.\n\n"
    ) * 3
    shape = n % 5
    if shape == 0:
        people = "# Attendees\n\n" + "".join(f"- {x}\n" for x in names)
        tasks = f"ACTION: {handles[0]}: review D{19000 + n}\n- [x] {handles[1]}: ping the list\n"
    elif shape == 1:
        people = f"Attendees: {', '.join(handles[:-1])} and {handles[-1]}\n"
        tasks = f"AI({handles[2]}): rerun the tests\nTODO: {handles[3]}: write docs\n"
    elif shape == 2:
        people = "## Attendance\n" + "".join(f"* {x}@\n" for x in handles)
        tasks = "# Action Items\n\n" + "".join(
            f"- {h} will look at item {n}\n" for h in handles[:3]
        )
    elif shape == 3:
        people = "Attended:\n\n" + "".join(f"- {x}\n" for x in names) + "\n"
        tasks = (
            f"1. [ ] {handles[4]}: land it\n* [ ] @{handles[5]} check it\n- [x] Doc punch list\n"
        )
    else:
        people = "# Present\n\n" + "".join(f"- {x}\n" for x in names)
        tasks = "Next steps:\n" + "".join(f"- {h}: follow up {n}\n" for h in handles[:2])
    return f"{people}\n# Notes\n\n{notes}{tasks}\nNext meeting: in two weeks\n"


def write_archive(directory: Path, count: int) -> list[str]:
    paths = []
    for n in range(count):
        day = FIRST + timedelta(days=14 * n)
        if n % 25 == 24:
            day += timedelta(days=7)  # off the rule: an extra meeting with --add-missing
            name = f"{day:%Y-%m-%d}-extra.md"
        else:
            name = f"{day:%Y%m%d}.md" if n % 2 else f"{day:%Y-%m-%d}.md"
        text = "- Meeting cancelled: holidays\n" if n % 40 == 39 else minutes_text(n)
        (directory / name).write_text(text)
        paths.append(str(directory / name))
    (directory / "README.md").write_text("# The archive\n")
    return [*paths, str(directory / "README.md")]


def import_once(
    tmp: Path, paths: list[str], memory: bool, *, archive: bool = False
) -> tuple[float, int]:
    app = create_app(make_test_config(tmp, f"sqlite:///{tmp / 'bench.sqlite'}", {}))
    with app.app_context():
        db.create_all()
        if archive:
            steering.create_series()
        else:
            details = meetings.SeriesDetails(title="Fortnightly call")
            meetings.create_series(
                "call", details, "America/New_York", FIRST, clock_time(16), 60, audit.CLI
            )
        db.session.commit()
    runner = app.test_cli_runner()
    mode = (
        ["--series", "steering", "--archive"] if archive else ["--series", "call", "--add-missing"]
    )
    args = ["minutes", "import", *paths, *mode]
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    result = runner.invoke(args=args)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if memory else 0
    if memory:
        tracemalloc.stop()
    if result.exit_code != 0:
        raise SystemExit(result.stderr[-2000:])
    return seconds, peak


def measure(paths: list[str], *, archive: bool) -> tuple[int, float, int]:
    size = sum(Path(p).stat().st_size for p in paths)
    with tempfile.TemporaryDirectory() as one:
        seconds, _ = import_once(Path(one), paths, memory=False, archive=archive)
    with tempfile.TemporaryDirectory() as two:
        _, peak = import_once(Path(two), paths, memory=True, archive=archive)
    return size, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--steering", type=int, default=300)
    options = parser.parse_args()
    rows = []
    if options.files:
        with tempfile.TemporaryDirectory() as archive:
            paths = write_archive(Path(archive), options.files)
            rows.append(("shapes", options.files, *measure(paths, archive=False)))
    with tempfile.TemporaryDirectory() as archive:
        paths = [str(p) for p in steering.write_archive(Path(archive), options.steering)]
        rows.append(("steering", options.steering, *measure(paths, archive=True)))
    print(f"{'archive':<10}{'files':>6}{'KB':>8}{'seconds':>9}{'files/s':>9}{'peak MB':>9}")
    for name, files, size, seconds, peak in rows:
        print(
            f"{name:<10}{files:>6}{size // 1024:>8}{seconds:>9.1f}"
            f"{files / seconds:>9.1f}{peak / 2**20:>9.1f}"
        )


if __name__ == "__main__":
    main()
