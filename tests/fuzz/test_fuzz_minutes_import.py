"""Fuzzing `flask minutes import`: any file gives exit 0, or exit 1 with ``PATH:LINE: message``
lines and an unchanged database — never a traceback."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.minutes.conftest import create_bhyve
from webapp.extensions import db

names = st.sampled_from(
    ["Rod Grimes", "John Baldwin", "Ada", "", " ", "x" * 130, "Élodie Ünal", "<b>bold</b>", "a:b"]
)
words = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2019-02-07",
            "2019-02-21",
            "2019-02-30",
            "2019-13-01",
            "0000-00-00",
            "0001-01-01",
            "9999-12-31",
            "tomorrow",
            "",
            "Feb 21st",
            "21 of Sept",
        ]
    ),
)
lines = st.one_of(
    st.tuples(names, words).map(lambda t: f"ACTION: {t[0]}: {t[1]}"),
    st.sampled_from(
        ["ACTION:", "ACTION: nobody", "ACTION: : text", "- ACTION:: ::", "ACTION: Rod Grimes:"]
    ),
    st.tuples(st.sampled_from([" ", "x", "X", "?"]), names, words).map(
        lambda t: f"- [{t[0]}] {t[1]}: {t[2]}"
    ),
    st.tuples(st.sampled_from(["Conclusion:", "DECISION:", "**Decision:**"]), words).map(" ".join),
    dates.map(lambda d: f"Next meeting: {d}"),
    st.sampled_from(
        ["# Attendees", "# Notes", "## Present", "```", "~~~", "---", "", "* item", "> quote"]
    ),
    names.map(lambda n: f"- {n}"),
    words,
)
front_matter = st.one_of(
    st.just(""),
    st.just(""),
    st.sampled_from(["2019-02-07", "2019-02-21", "2019-03-07"]).map(
        lambda d: f"---\ndate: {d}\nseries: bhyve\n---\n"
    ),
    st.tuples(
        dates,
        st.sampled_from(["bhyve", "other", "", "[1, 2]"]),
        st.sampled_from(["published", "draft", "none", "lost", "{a: 1}"]),
    ).map(lambda t: f"---\ndate: {t[0]}\nseries: {t[1]}\nstate: {t[2]}\n---\n"),
    st.sampled_from(
        [
            "---\n",
            "---\ndate: [unclosed\n---\n",
            "---\nfollow_ups: 3\n---\n",
            "---\nattendees: {a: b}\n---\n",
            "---\nreviews:\n  - {url: x}\n---\n",
            "---\nfollow_ups:\n  - {owner: Rod, text: t, state: closed}\n---\n",
            "---\n: : :\n---\n",
            "---\ndate: 2019-02-07\nnext_meeting: someday\n---\n",
        ]
    ),
)


@st.composite
def files(draw: st.DrawFn) -> tuple[bytes, str]:
    """(contents, file name)."""
    name = draw(
        st.sampled_from(
            [
                "2019-02-07.md",
                "2019-02-21.md",
                "2019-03-07.md",
                "2019-02-30.md",
                "notes.md",
                "2020-01-01-call.md",
            ]
        )
    )
    if draw(st.integers(0, 9)) == 9:
        return draw(st.binary(max_size=300)), name  # binary junk
    text = draw(front_matter) + "\n".join(draw(st.lists(lines, max_size=25)))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    raw = text.replace("\n", ending).encode()
    if draw(st.integers(0, 9)) == 9:
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + b"\xff\xfe" + raw[cut:]  # not UTF-8 somewhere
    return raw, name


def snapshot() -> str:
    rows = {}
    for table in db.metadata.sorted_tables:
        rows[table.name] = sorted(map(str, db.session.execute(sa.select(table)).all()))
    return json.dumps(rows)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    file=files(),
    series=st.sampled_from([None, "bhyve", "bhyve", "bhyve", "bhyve", "nope"]),
    day=st.sampled_from([None, None, "2019-02-07"]),
)
def test_minutes_import_never_crashes_or_half_writes(
    app, runner, tmp_path: Path, file, series, day
) -> None:
    with app.app_context():
        if db.session.scalar(sa.text("SELECT COUNT(*) FROM series")) == 0:
            create_bhyve()
            db.session.commit()
        before = snapshot()
        db.session.remove()
    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    path = folder / file[1]
    path.write_bytes(file[0])
    args = ["minutes", "import", str(path)]
    if series:
        args += ["--series", series]
    if day:
        args += ["--date", day]
    result = runner.invoke(args=args)
    output = result.output
    assert "Traceback" not in output
    assert result.exit_code in (0, 1), (file, result.exit_code, output, result.exception)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (file, repr(result.exception))
    if result.exit_code == 1:
        problems = [line for line in output.splitlines() if line.startswith(str(path))]
        assert problems, output
        for line in problems:
            assert re.match(rf"^{re.escape(str(path))}(:\d+)?: \S", line), line
        with app.app_context():
            assert snapshot() == before, (file, output)
