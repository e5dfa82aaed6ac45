"""`flask minutes import` on text that must not reach pages and feeds, and on odd files: one
``PATH:LINE: message`` line per problem, never a traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.minutes.test_archives import counts


def _import(runner, path: Path):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["minutes", "import", str(path), "--series", "bhyve"])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("A title \u202ecod.exe", "the invisible character U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Zero\u200bwidth", "the invisible character U+200B ZERO WIDTH SPACE"),
        ("An \u2066isolate\u2069", "the invisible character U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("A mark\ufeffinside", "the invisible character U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ],
)
def test_invisible_characters_are_refused_by_line(
    app, runner, bhyve, tmp_path, line, message
) -> None:
    with app.app_context():
        before = counts()
    path = tmp_path / "2019-02-07.md"
    path.write_text(f"# Notes\n\n{line}\n", encoding="utf-8")
    result = _import(runner, path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    assert f"{path}:3: the line holds {message}" in result.stderr
    with app.app_context():
        assert counts() == before


def test_a_file_name_that_is_not_utf8_is_one_line_not_a_traceback(
    app, runner, bhyve, tmp_path
) -> None:
    """An undecodable byte in a file name reaches Python as a lone surrogate (surrogateescape);
    storing it failed with a traceback."""
    import os

    raw = os.path.join(os.fsencode(tmp_path), b"2019-02-07-\xff.md")
    with open(raw, "wb") as f:
        f.write(b"# Notes\n\nok\n")
    with app.app_context():
        before = counts()
    result = _import(runner, Path(os.fsdecode(raw)))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    problem = [line for line in result.stderr.splitlines() if "not UTF-8" in line]
    assert len(problem) == 1
    assert problem[0].endswith(": the file name is not UTF-8 text (byte 0xff): rename the file")
    assert "Traceback" not in result.output + result.stderr
    with app.app_context():
        assert counts() == before
