"""CSV exports defuse formulas wherever a spreadsheet could start a cell: at the start of a value
and after every ``;`` or ``,`` inside it (a spreadsheet that splits on ``;`` ignores quoting)."""

from __future__ import annotations

import csv
import io

import pytest

from webapp import audit, csvsafe
from webapp.extensions import db

ATTACKS = [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("ok;=cmd|' /C calc'!A0", "ok;'=cmd|' /C calc'!A0"),
    ("a, +1+1", "a, '+1+1"),
    ('x;"@SUM(A1)', "x;\"'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("a;\r-1", "a;'\r-1"),
    ("-3", "'-3"),
    ("plain; text, and a-b", "plain; text, and a-b"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "safe"), ATTACKS)
def test_cell_defuses_every_formula_start(raw, safe) -> None:
    assert csvsafe.cell(raw) == safe
    assert csvsafe.cell(safe) == safe  # idempotent


def _split_like_a_semicolon_spreadsheet(text: str) -> list[str]:
    """What a spreadsheet that splits lines on ';' (ignoring quotes) makes of an export."""
    return [part for line in text.splitlines() for part in line.split(";")]


def test_audit_csv_has_no_formula_after_a_separator(app, client_as) -> None:
    with app.app_context():
        audit.record(
            audit.Actor("mallory@example.org", None),
            "series.update",
            "series",
            "x",
            'harmless;=HYPERLINK("http://evil");@SUM(1)',
        )
        db.session.commit()
    text = client_as("organizer").get("/dashboard/audit.csv?actor=mallory").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][5] == "harmless;'=HYPERLINK(\"http://evil\");'@SUM(1)"
    for part in _split_like_a_semicolon_spreadsheet(text):
        assert not part.lstrip(' "').startswith(("=", "+", "@")), part
