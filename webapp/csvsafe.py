"""CSV that spreadsheets open as text: no cell, and no part of a cell, runs as a formula.

A spreadsheet runs a cell starting with ``= + - @`` (or a tab or carriage return before one) as a
formula. One that splits on ``;`` (or ``,``, ignoring the quotes) turns the text after each
separator into a cell of its own, so a formula may also start right after a separator inside a
value. :func:`cell` puts an apostrophe before every such start, which spreadsheets show as
text; every CSV export of Cadence writes through :func:`writer`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

#: A formula starts at the beginning of a cell, or after a separator (and spaces or a quote).
_FORMULA = re.compile(r"(^|[;,][ \"]*)(?=[=+\-@\t\r])")


def cell(value: object) -> str:
    """``value`` as text, with every place a formula could start defused."""
    text = "" if value is None else str(value)
    return _FORMULA.sub(r"\1'", text)


class _Rows(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`cell`."""

    def __init__(self, out: Any) -> None:
        self._writer: _Rows = csv.writer(out)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any) -> SafeWriter:
    return SafeWriter(out)
