"""`flask backup` and `flask restore` answer bad paths and files with one line, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def _one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_backup_into_a_missing_folder(runner, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "x.json"
    line = _one_line_error(runner.invoke(args=["backup", str(target)]))
    assert line == f"Error: {target}: cannot write the backup: No such file or directory"


def test_backup_of_an_unmigrated_database(app, runner, tmp_path: Path) -> None:
    from webapp.extensions import db

    with app.app_context():
        db.drop_all()
    line = _one_line_error(runner.invoke(args=["backup", str(tmp_path / "x.json")]))
    assert "is it migrated (flask db upgrade)?" in line


@pytest.mark.parametrize(
    "tables",
    [
        {"users": "nonsense"},
        {"users": {"columns": ["id", "email"], "rows": [[1]]}},
        {"users": {"columns": ["id", "created_at"], "rows": [[1, 42]]}},
        {"users": {"columns": ["id", "email"], "rows": [[1, "a@example.org"]]}},  # NOT NULLs
    ],
)
def test_restore_of_malformed_rows(runner, tmp_path: Path, tables) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"format": "cadence-backup", "version": 1, "tables": tables}))
    line = _one_line_error(runner.invoke(args=["restore", str(path)]))
    assert line.startswith("Error: table users:"), line
